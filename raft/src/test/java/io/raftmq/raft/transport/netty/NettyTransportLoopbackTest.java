package io.raftmq.raft.transport.netty;

import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: two real transports on distinct loopback addresses exchange messages over TCP, batches arrive complete,
 * outgoing sockets leave from the node's own address, messages to an unreachable peer are dropped and counted,
 * and a link reconnects after its peer restarts. Method: ephemeral ports on 127.0.0.1/127.0.0.2, a queue as the
 * inbound sink, waits on that queue with deadlines (messages sent before a connection exists are dropped by
 * contract, so senders repeat until the first one arrives).
 */
@SocketTest
class NettyTransportLoopbackTest {
    private static final long DEADLINE_MS = 10_000;
    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
    }

    private NettyTransport start(long id, String ip, int port, LinkedBlockingQueue<RaftMessage> inbox)
        throws Exception {
        NettyTransport t = new NettyTransport(NettyTransportConfig.defaults(id,
            new InetSocketAddress(InetAddress.getByName(ip), port)));
        transports.add(t);
        t.start(inbox::offer);
        return t;
    }

    /** Sends {@code m} every 10 ms until something arrives in {@code inbox}; returns the first arrival. */
    private static RaftMessage sendUntilReceived(NettyTransport from, RaftMessage m,
                                                 LinkedBlockingQueue<RaftMessage> inbox) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (System.nanoTime() < deadline) {
            from.send(m);
            from.flush();
            RaftMessage got = inbox.poll(10, TimeUnit.MILLISECONDS);
            if (got != null) {
                return got;
            }
        }
        throw new AssertionError("no message arrived within " + DEADLINE_MS + " ms");
    }

    @Test
    void twoTransportsExchangeBatchesInBothDirections() throws Exception {
        LinkedBlockingQueue<RaftMessage> inbox1 = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t1 = start(1, "127.0.0.1", 0, inbox1);
        NettyTransport t2 = start(2, "127.0.0.2", 0, inbox2);
        t1.addPeer(2, t2.boundAddress());
        t2.addPeer(1, t1.boundAddress());

        assertThat(sendUntilReceived(t1, new Heartbeat(1, 2, 1, 0), inbox2)).isEqualTo(new Heartbeat(1, 2, 1, 0));
        assertThat(sendUntilReceived(t2, new Heartbeat(2, 1, 1, 0), inbox1)).isEqualTo(new Heartbeat(2, 1, 1, 0));
        inbox1.clear();
        inbox2.clear();

        List<RaftMessage> batch = new ArrayList<>();
        for (int i = 1; i <= 500; i++) {
            batch.add(new AppendEntries(1, 2, 2, i - 1, 1, List.of(new Entry(2, i, 16, new byte[] {(byte) i})), i));
        }
        batch.forEach(t1::send);
        t1.flush();
        List<RaftMessage> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
        while (got.size() < batch.size() && System.nanoTime() < deadline) {
            RaftMessage m = inbox2.poll(10, TimeUnit.MILLISECONDS);
            if (m != null && !(m instanceof Heartbeat)) { // the handshake may still have a resent heartbeat in flight
                got.add(m);
            }
        }
        assertThat(got).isEqualTo(batch);
        // The counters are bumped after the hand-off to the inbox, so they may trail the messages briefly.
        Awaits.await("counters caught up").atMost(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))
            .until(() -> t1.stats().sent() >= 501 && t2.stats().received() >= 501);
        assertThat(t1.stats().sent()).isGreaterThanOrEqualTo(501);
        assertThat(t2.stats().received()).isGreaterThanOrEqualTo(501);
    }

    @Test
    void outgoingConnectionsLeaveFromTheNodesOwnAddress() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.3"))) {
            peer.setSoTimeout((int) DEADLINE_MS);
            NettyTransport t = start(2, "127.0.0.2", 0, new LinkedBlockingQueue<>());
            t.addPeer(3, (InetSocketAddress) peer.getLocalSocketAddress());
            try (Socket accepted = peer.accept()) {
                assertThat(accepted.getInetAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
            }
        }
    }

    @Test
    void messagesToAnUnreachablePeerAreDroppedAndCounted() throws Exception {
        NettyTransport t = start(1, "127.0.0.1", 0, new LinkedBlockingQueue<>());
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        t.addPeer(2, new InetSocketAddress("127.0.0.1", port));
        for (int i = 0; i < 10; i++) {
            t.send(new Heartbeat(1, 2, 1, 0));
        }
        t.send(new Heartbeat(1, 7, 1, 0)); // unknown peer
        t.flush();
        assertThat(t.stats().droppedOutbound()).as("the unknown peer's at once").isGreaterThanOrEqualTo(1);
        // the other ten are held while the connect is under way, and dropped when it is refused
        Awaits.await("all eleven dropped").atMost(Duration.ofSeconds(10))
            .until(() -> t.stats().droppedOutbound() == 11);
        assertThat(t.stats().sent()).isZero();
    }

    @Test
    void linkReconnectsAfterThePeerRestarts() throws Exception {
        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t1 = start(1, "127.0.0.1", 0, new LinkedBlockingQueue<>());
        NettyTransport t2 = start(2, "127.0.0.2", 0, inbox2);
        InetSocketAddress addr2 = t2.boundAddress();
        t1.addPeer(2, addr2);
        sendUntilReceived(t1, new Heartbeat(1, 2, 1, 0), inbox2);
        t2.close();
        LinkedBlockingQueue<RaftMessage> inbox2b = new LinkedBlockingQueue<>();
        start(2, "127.0.0.2", addr2.getPort(), inbox2b);
        assertThat(sendUntilReceived(t1, new Heartbeat(1, 2, 2, 5), inbox2b)).isEqualTo(new Heartbeat(1, 2, 2, 5));
        assertThat(t1.stats().connects()).isGreaterThanOrEqualTo(2);
    }
}
