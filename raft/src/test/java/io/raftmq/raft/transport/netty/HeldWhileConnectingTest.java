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
 * Goal: a link holds what is queued while its connect is under way (a starting member's first pre-votes go out
 * before its links are up) and delivers it once connected; a connect that fails drops what it held, so nothing stale
 * is delivered on a later connection. Method: node 1 adds a peer and sends one heartbeat at once, before the
 * connect can have completed (it runs on the link's event loop after a TCP handshake): with the peer listening it
 * must arrive and nothing is dropped; with nothing listening it is dropped when the connect is refused, and after
 * the peer starts only later heartbeats (another term) arrive.
 */
@SocketTest
class HeldWhileConnectingTest {
    private static final long BACKOFF_MS = 30_000;
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    @RegisterExtension
    final TestTransports transports = new TestTransports();

    private NettyTransport start(long id, InetSocketAddress at, LinkedBlockingQueue<RaftMessage> inbox) {
        return transports.start(id, at, inbox::offer, BACKOFF_MS);
    }

    @Test
    void aMessageQueuedWhileTheFirstConnectIsUnderWayArrives() throws Exception {
        InetSocketAddress addr1 = TestTransports.freeAddress("127.0.0.1");
        InetSocketAddress addr2 = TestTransports.freeAddress("127.0.0.2");
        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        start(2, addr2, inbox2);
        NettyTransport t1 = start(1, addr1, new LinkedBlockingQueue<>());
        t1.addPeer(2, addr2);
        t1.send(new Heartbeat(1, 2, 7, 0));
        t1.flush();

        RaftMessage got = inbox2.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(got).as("the heartbeat queued before the link was up").isEqualTo(new Heartbeat(1, 2, 7, 0));
        assertThat(t1.stats().droppedOutbound()).isZero();
        assertThat(t1.stats().connects()).isEqualTo(1);
    }

    @Test
    void aFailedConnectDropsWhatItHeld() throws Exception {
        InetSocketAddress addr1 = TestTransports.freeAddress("127.0.0.1");
        InetSocketAddress addr2 = TestTransports.freeAddress("127.0.0.2");
        NettyTransport t1 = start(1, addr1, new LinkedBlockingQueue<>());
        t1.addPeer(2, addr2);
        t1.send(new Heartbeat(1, 2, 7, 0));
        t1.flush();
        Awaits.await("the refused connect dropped the held heartbeat").atMost(DEADLINE)
            .until(() -> t1.retryPending(2) && t1.stats().droppedOutbound() == 1);

        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t2 = start(2, addr2, inbox2);
        t2.addPeer(1, addr1); // its connection makes node 1 redial at once
        RaftMessage got = TestTransports.sendUntilReceived(t1, new Heartbeat(1, 2, 8, 0), inbox2, DEADLINE);
        assertThat(got).as("the first message on the new connection").isEqualTo(new Heartbeat(1, 2, 8, 0));
    }
}
