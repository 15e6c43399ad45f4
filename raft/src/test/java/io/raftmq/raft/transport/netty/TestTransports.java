package io.raftmq.raft.transport.netty;

import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.transport.Transport;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The transports a socket test starts, closed together after each test (register it with {@code @RegisterExtension}),
 * and the free loopback addresses they listen on (each node on its own 127.0.0.x, so a connection's source host names
 * its node).
 */
final class TestTransports implements AutoCloseable, AfterEachCallback {
    private final List<NettyTransport> started = new ArrayList<>();

    /** Starts node {@code id} at {@code at} with the default settings. */
    NettyTransport start(long id, InetSocketAddress at, Transport.InboundSink sink) {
        return start(NettyTransportConfig.defaults(id, at), sink);
    }

    /** Starts node {@code id} at {@code at} with a fixed reconnect backoff and one I/O thread. */
    NettyTransport start(long id, InetSocketAddress at, Transport.InboundSink sink, long backoffMs) {
        NettyTransportConfig d = NettyTransportConfig.defaults(id, at);
        return start(new NettyTransportConfig(id, at, d.outboundQueueMax(), d.frameBytesMax(),
            d.writeBufferBytesMax(), backoffMs, backoffMs, d.connectTimeoutMs(), 1, d.snapshotChunkBytes(),
            d.snapshotChunksInflightMax(), d.snapshotPartialTimeoutMs(), d.snapshotBytesMax()), sink);
    }

    private NettyTransport start(NettyTransportConfig config, Transport.InboundSink sink) {
        NettyTransport t = new NettyTransport(config);
        started.add(t);
        t.start(sink);
        return t;
    }

    /** A loopback address {@code ip} with a port free a moment ago. */
    static InetSocketAddress freeAddress(String ip) throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(ip))) {
            return new InetSocketAddress(InetAddress.getByName(ip), s.getLocalPort());
        }
    }

    /**
     * Sends {@code m} from {@code from} and flushes, again every 10 ms, until {@code inbox} holds a message or
     * {@code deadline} passed; returns the first message received, or null.
     */
    static RaftMessage sendUntilReceived(NettyTransport from, RaftMessage m, BlockingQueue<RaftMessage> inbox,
                                         Duration deadline) throws InterruptedException {
        long t0 = System.nanoTime();
        RaftMessage got = null;
        while (got == null && System.nanoTime() - t0 < deadline.toNanos()) {
            from.send(m);
            from.flush();
            got = inbox.poll(10, TimeUnit.MILLISECONDS);
        }
        return got;
    }

    @Override
    public void close() {
        started.forEach(NettyTransport::close);
        started.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }
}
