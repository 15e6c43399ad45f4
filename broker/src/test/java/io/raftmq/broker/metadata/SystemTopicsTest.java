package io.raftmq.broker.metadata;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.client.protocol.body.TopicConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link SystemTopics} (docs/consumer-protocol.md "Message trace") proposes the trace and reply topics, one queue
 * each, only when the member is a ready leader, once (not again while a proposal is in flight, nor when they exist),
 * and again after a failed proposal. Method: a {@link Fixture} whose proposer holds or fails proposals on demand.
 */
class SystemTopicsTest {
    private static final TopicConfig TRACE = new TopicConfig(SystemTopics.TRACE_TOPIC, 1, 1, 6, TopicConfig.SINGLE_TAG,
        0, false, Map.of());

    @Test
    void aReadyLeaderCreatesBothTopicsOnce() {
        Fixture f = Fixture.leader();
        AtomicLong readyTerm = new AtomicLong(-1);
        SystemTopics s = new SystemTopics(f.topics, readyTerm::get, "C1");
        s.observe();
        assertThat(f.proposer.log()).as("not ready: nothing proposed").isEmpty();

        readyTerm.set(3);
        f.proposer.hold(true);
        s.observe();
        s.observe(); // in flight: not proposed twice
        assertThat(f.proposer.heldCount()).isEqualTo(2);
        f.proposer.releaseAll();
        assertThat(f.topics.get(SystemTopics.TRACE_TOPIC)).isEqualTo(TRACE);
        assertThat(f.topics.get("C1_REPLY_TOPIC").writeQueueNums()).isEqualTo(1);
        assertThat(f.proposer.log()).extracting(FakeProposer.Logged::type)
            .containsExactly(EntryType.TOPIC_PUT, EntryType.TOPIC_PUT);

        f.proposer.hold(false);
        s.observe();
        assertThat(f.proposer.log()).as("both exist: nothing more").hasSize(2);
    }

    @Test
    void aFailedProposalIsRetriedAtTheNextObservation() {
        Fixture f = Fixture.leader();
        SystemTopics s = new SystemTopics(f.topics, () -> 1, "C1");
        f.proposer.hold(true);
        s.observe();
        f.proposer.failAll(new IllegalStateException("lost leadership"));
        assertThat(f.topics.get(SystemTopics.TRACE_TOPIC)).isNull();
        f.proposer.hold(false);
        s.observe();
        assertThat(f.topics.get(SystemTopics.TRACE_TOPIC)).isEqualTo(TRACE);
        assertThat(f.topics.get("C1_REPLY_TOPIC")).isNotNull();
    }
}
