package io.raftmq.raft.transport.netty;

import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a link that waits to retry its peer dials at once when a connection comes in from the peer's host (a
 * restarted member dials its leader as it starts), instead of after its backoff. Method: node 1 on 127.0.0.1 with a
 * 30 s reconnect backoff adds peer 2 on 127.0.0.2 while nothing listens there (the first connect is refused, the
 * retry is 30 s away); node 2 then starts and dials node 1; node 1's heartbeat must reach node 2 within 10 s, which
 * only the redial allows, and the redial is counted. A second case: a connection from another host redials nothing.
 */
@SocketTest
class RedialTest {
    private static final long BACKOFF_MS = 30_000;
    private static final long DEADLINE_MS = 10_000;
    @RegisterExtension
    final TestTransports transports = new TestTransports();

    private NettyTransport start(long id, InetSocketAddress at, LinkedBlockingQueue<RaftMessage> inbox) {
        return transports.start(id, at, inbox::offer, BACKOFF_MS);
    }

    /** Waits (with a deadline) until node 1 has tried peer 2 once and scheduled its retry. */
    private static void awaitFirstAttemptFailed(NettyTransport t1) {
        Awaits.await("node 1 waits to retry peer 2").atMost(Duration.ofMillis(DEADLINE_MS))
            .until(() -> t1.retryPending(2));
    }

    @Test
    void aConnectionFromThePeersHostRedialsAtOnce() throws Exception {
        InetSocketAddress addr1 = TestTransports.freeAddress("127.0.0.1");
        InetSocketAddress addr2 = TestTransports.freeAddress("127.0.0.2");
        NettyTransport t1 = start(1, addr1, new LinkedBlockingQueue<>());
        t1.addPeer(2, addr2);
        awaitFirstAttemptFailed(t1);
        assertThat(t1.stats().connects()).as("nothing listens at peer 2 yet").isZero();

        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t2 = start(2, addr2, inbox2);
        t2.addPeer(1, addr1);
        RaftMessage got = TestTransports.sendUntilReceived(t1, new Heartbeat(1, 2, 1, 0), inbox2,
            Duration.ofMillis(DEADLINE_MS));
        assertThat(got).as("node 1 reached node 2 before its 30 s retry").isNotNull();
        assertThat(t1.redials()).isEqualTo(1);
    }

    @Test
    void aConnectionFromAnotherHostRedialsNothing() throws Exception {
        InetSocketAddress addr1 = TestTransports.freeAddress("127.0.0.1");
        InetSocketAddress addr2 = TestTransports.freeAddress("127.0.0.2");
        InetSocketAddress addr3 = TestTransports.freeAddress("127.0.0.3");
        NettyTransport t1 = start(1, addr1, new LinkedBlockingQueue<>());
        t1.addPeer(2, addr2);
        awaitFirstAttemptFailed(t1);
        LinkedBlockingQueue<RaftMessage> inbox1 = new LinkedBlockingQueue<>();
        NettyTransport t3 = start(3, addr3, new LinkedBlockingQueue<>());
        t3.addPeer(1, addr1);
        long t0 = System.nanoTime();
        while (t3.stats().connects() == 0 && System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS)) {
            t3.send(new Heartbeat(3, 1, 1, 0));
            t3.flush();
            inbox1.poll(10, TimeUnit.MILLISECONDS);
        }
        assertThat(t3.stats().connects()).isEqualTo(1);
        assertThat(t1.redials()).as("peer 2's host did not connect").isZero();
    }
}
