package io.raftmq.raft.driver;

import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.transport.Transport;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: before the agent exists the inbox keeps only the newest vote request of each peer (so a pre-vote sent by a
 * member that started first is answered once this one's agent runs) and drops the rest; after {@link
 * AgentInbox#attach} the kept requests reach the agent first, in arrival order, then everything goes straight
 * through. Method: a recording sink stands for the agent.
 */
class AgentInboxTest {
    private static final class Recorder implements Transport.InboundSink {
        final List<RaftMessage> got = new ArrayList<>();
        final List<Long> unreachable = new ArrayList<>();

        @Override
        public boolean deliver(RaftMessage m) {
            got.add(m);
            return true;
        }

        @Override
        public void peerUnreachable(long peerId) {
            unreachable.add(peerId);
        }
    }

    private static RequestVote preVote(long from, long term) {
        return new RequestVote(from, 1, term, 0, 0, true, false);
    }

    @Test
    void keepsTheNewestVoteRequestPerPeerUntilAttached() {
        AgentInbox inbox = new AgentInbox();
        assertThat(inbox.deliver(preVote(2, 1))).isTrue();
        assertThat(inbox.deliver(new Heartbeat(3, 1, 1, 0))).as("dropped: raft resends it").isFalse();
        assertThat(inbox.deliver(preVote(3, 1))).isTrue();
        assertThat(inbox.deliver(preVote(2, 2))).isTrue();
        inbox.peerUnreachable(3);

        Recorder agent = new Recorder();
        assertThat(inbox.attach(agent)).isEqualTo(2);
        assertThat(agent.got).containsExactly(preVote(3, 1), preVote(2, 2));
        assertThat(agent.unreachable).as("a hint before start is moot").isEmpty();

        Heartbeat h = new Heartbeat(2, 1, 2, 0);
        assertThat(inbox.deliver(h)).isTrue();
        inbox.peerUnreachable(2);
        assertThat(agent.got).endsWith(h);
        assertThat(agent.unreachable).containsExactly(2L);
    }

    @Test
    void attachesOnce() {
        AgentInbox inbox = new AgentInbox();
        inbox.attach(new Recorder());
        assertThatThrownBy(() -> inbox.attach(new Recorder())).isInstanceOf(IllegalStateException.class);
    }
}
