package io.raftmq.raft.transport.netty;

import io.netty.channel.ConnectTimeoutException;
import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.transport.Transport;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the transport tells its sink when a peer's port refuses a connection (the process is gone), the hint the
 * core uses to replace a crashed leader without waiting a whole election timeout (RaftNode#peerUnreachable); a
 * connect timeout (a peer cut off or overloaded, maybe alive) is not such a hint. Method: node 1 dials peer 2 on
 * 127.0.0.2 where nothing listens; then peer 2 starts, node 1 reaches it, peer 2 closes, and node 1's next connect is
 * refused again: both times the sink hears "2 unreachable" within the deadline.
 */
@SocketTest
class PeerUnreachableTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    @RegisterExtension
    final TestTransports transports = new TestTransports();

    /** Records inbound messages and unreachable hints. */
    private static final class Sink implements Transport.InboundSink {
        final LinkedBlockingQueue<RaftMessage> inbox = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<Long> unreachable = new LinkedBlockingQueue<>();

        @Override
        public boolean deliver(RaftMessage message) {
            return inbox.offer(message);
        }

        @Override
        public void peerUnreachable(long peerId) {
            unreachable.offer(peerId);
        }
    }

    private NettyTransport start(long id, InetSocketAddress at, Sink sink) {
        return transports.start(id, at, sink);
    }

    @Test
    void aRefusedConnectIsReportedBeforeAndAfterThePeerLived() throws Exception {
        InetSocketAddress addr1 = TestTransports.freeAddress("127.0.0.1");
        InetSocketAddress addr2 = TestTransports.freeAddress("127.0.0.2");
        Sink sink1 = new Sink();
        NettyTransport t1 = start(1, addr1, sink1);
        t1.addPeer(2, addr2);
        Awaits.await("node 1 told peer 2 refused").atMost(DEADLINE).until(() -> sink1.unreachable.contains(2L));

        Sink sink2 = new Sink();
        NettyTransport t2 = start(2, addr2, sink2);
        Awaits.await("node 1 reaches peer 2").atMost(DEADLINE).until(() -> {
            t1.send(new Heartbeat(1, 2, 1, 0));
            t1.flush();
            return !sink2.inbox.isEmpty();
        });
        sink1.unreachable.clear();
        t2.close();
        Awaits.await("node 1 told peer 2 refused again after it closed").atMost(DEADLINE)
            .until(() -> sink1.unreachable.contains(2L));
        assertThat(sink1.unreachable).as("only peer 2 was ever reported").containsOnly(2L);
    }

    @Test
    void onlyARefusalCountsAsUnreachable() {
        assertThat(PeerLink.refused(new ConnectException("Connection refused"))).isTrue();
        assertThat(PeerLink.refused(new ConnectTimeoutException("connection timed out"))).isFalse();
        assertThat(PeerLink.refused(new IOException("reset"))).isFalse();
    }
}
