package io.raftmq.broker.metadata;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.raft.driver.NotLeaderException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: topic and group tables follow the auto-creation rules of docs/protocol.md §2.2/5.10 (TBW102 perm 7 vs 6,
 * send-path creation through an INHERIT template, %RETRY% topics, group defaults), changes go through the log,
 * followers reject, invalid input is refused before proposing.
 */
class TopicConfigManagerTest {
    @Test
    void defaultTopicPermFollowsAutoCreate() {
        Fixture on = Fixture.leader();
        assertThat(on.topics.get(Names.DEFAULT_TOPIC).perm()).isEqualTo(7);
        assertThat(on.topics.get(Names.DEFAULT_TOPIC).writeQueueNums()).isEqualTo(8);
        Fixture off = new Fixture(false, 16, 16, 1);
        assertThat(off.topics.get(Names.DEFAULT_TOPIC).perm()).isEqualTo(6);
    }

    @Test
    void sendPathAutoCreationFromTemplate() {
        Fixture f = Fixture.leader();
        TopicConfig c = f.topics.createTopicInSendIfAbsent("NewT", Names.DEFAULT_TOPIC, 4, 0).join();
        assertThat(c).isEqualTo(new TopicConfig("NewT", 4, 4, 6, TopicConfig.SINGLE_TAG, 0, false, java.util.Map.of()));
        assertThat(f.proposer.log()).extracting(FakeProposer.Logged::type).containsExactly(EntryType.TOPIC_PUT);
        assertThat(f.topics.createTopicInSendIfAbsent("Big", Names.DEFAULT_TOPIC, 64, 0).join().writeQueueNums())
                .isEqualTo(8);
        assertThat(f.topics.createTopicInSendIfAbsent("NewT", "nope", 4, 0).join()).isEqualTo(c);
        assertThat(f.topics.createTopicInSendIfAbsent("X", "NewT", 4, 0).join()).as("template without INHERIT")
                .isNull();
        assertThat(f.topics.createTopicInSendIfAbsent("X", null, 4, 0).join()).isNull();

        Fixture off = new Fixture(false, 16, 16, 1);
        off.proposer.attach(off.sm);
        assertThat(off.topics.createTopicInSendIfAbsent("NewT", Names.DEFAULT_TOPIC, 4, 0).join()).isNull();
        assertThat(off.proposer.log()).isEmpty();
    }

    @Test
    void retryTopicAndGroupAutoCreation() {
        Fixture f = Fixture.leader();
        SubscriptionGroupConfig g = f.groups.findOrCreate("CG").join();
        assertThat(g).isEqualTo(SubscriptionGroupConfig.defaults("CG"));
        TopicConfig r = f.topics.createRetryTopicIfAbsent("CG", g.retryQueueNums()).join();
        assertThat(r.topicName()).isEqualTo("%RETRY%CG");
        assertThat(r.perm()).isEqualTo(6);
        assertThat(r.writeQueueNums()).isEqualTo(1);
        int logged = f.proposer.log().size();
        f.groups.findOrCreate("CG").join();
        f.topics.createRetryTopicIfAbsent("CG", 1).join();
        assertThat(f.proposer.log()).as("existing group and topic are not proposed again").hasSize(logged);

        Fixture off = new Fixture(false, 16, 16, 1);
        off.proposer.attach(off.sm);
        assertThat(off.groups.findOrCreate("CG").join()).isNull();
    }

    @Test
    void invalidChangesAreRefusedBeforeProposing() {
        Fixture f = Fixture.leader();
        assertRejected(() -> f.topics.createOrUpdate(TopicConfig.of("bad topic", 4)).join(), "illegal characters");
        assertRejected(() -> f.topics.createOrUpdate(TopicConfig.of("T".repeat(128), 4)).join(), "longer than 127");
        assertRejected(() -> f.topics.createOrUpdate(TopicConfig.of("T", 5000)).join(), "queue numbers");
        assertRejected(() -> f.topics.createOrUpdate(new TopicConfig("T", 1, 1, 16, null, 0, false, null)).join(),
                "perm");
        assertRejected(() -> f.topics.delete(Names.DEFAULT_TOPIC).join(), "cannot be deleted");
        assertRejected(() -> f.groups.createOrUpdate(SubscriptionGroupConfig.defaults("a/b")).join(), "illegal");
        assertThat(f.proposer.log()).isEmpty();
        f.topics.delete("unknown").join();
        assertThat(f.proposer.log()).as("deleting an unknown topic proposes nothing").isEmpty();
    }

    private static void assertRejected(Runnable r, String msg) {
        assertThatThrownBy(r::run).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(MetadataRejectedException.class).hasMessageContaining(msg)
                .satisfies(e -> assertThat(((MetadataRejectedException) e.getCause()).responseCode())
                        .isEqualTo(ResponseCode.INVALID_PARAMETER));
    }

    @Test
    void followerRejectsWithNotLeaderAndStateIsUnchanged() {
        Fixture f = Fixture.leader();
        f.proposer.leader(false);
        assertThatThrownBy(() -> f.topics.createOrUpdate(TopicConfig.of("T", 4)).join())
                .hasCauseInstanceOf(NotLeaderException.class);
        assertThatThrownBy(() -> f.groups.findOrCreate("G").join()).hasCauseInstanceOf(NotLeaderException.class);
        assertThat(f.topics.get("T")).isNull();
    }

    @Test
    void changeListenersAndDataVersion() {
        Fixture f = Fixture.leader();
        AtomicInteger calls = new AtomicInteger();
        f.topics.addChangeListener(calls::incrementAndGet);
        f.clock.set(123);
        f.topics.createOrUpdate(TopicConfig.of("T", 4)).join();
        f.topics.createOrUpdate(TopicConfig.of("T", 2)).join();
        assertThat(calls.get()).isEqualTo(2);
        assertThat(f.topics.get("T").readQueueNums()).isEqualTo(2);
        assertThat(f.topics.dataVersion().counter()).isEqualTo(2);
        assertThat(f.topics.dataVersion().stateVersion()).isEqualTo(2);
        assertThat(f.topics.dataVersion().timestamp()).isEqualTo(123);
        assertThat(f.topics.wrapper().topicConfigTable()).containsKeys("T", Names.DEFAULT_TOPIC);
    }
}
