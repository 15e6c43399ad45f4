package io.raftmq.raft.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.raftmq.raft.message.InstallSnapshot;
import io.raftmq.raft.message.RaftMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The outgoing connection to one peer: a bounded queue the agent fills, a drain task that writes the whole queue
 * on the channel's event loop and flushes once, and reconnection with exponential backoff. Messages are dropped
 * (and counted) when the queue is full, when there is no connection and no connect under way at flush time (they
 * would be stale by the time it comes back) and when the channel is not writable (the peer does not keep up). While
 * a connect is under way the queue is held: the connection drains it, a failed connect drops it. So the first
 * messages of a starting member (the pre-votes its start hint sends at once, docs/raft-driver.md "Faster at start")
 * are not lost to a connect that takes a few tens of milliseconds; a connect lasts at most the connect timeout, which
 * bounds how old a held message can be. An InstallSnapshot larger
 * than a chunk bypasses the queue: its {@link SnapshotStreamer} sends it in chunks with flow control and resumes
 * it after a reconnect; the peer's acknowledgements come back on this connection ({@link LinkInbound}). A link
 * waiting to retry dials at once when a connection comes in from the peer's host ({@link #redialNow}).
 *
 * <p>Threading: {@link #offer} and {@link #flush} on the agent thread; the drain, connect and close callbacks on
 * the link's event loop. Invariant: at most one drain task is scheduled at a time ({@link #drainScheduled}).
 */
final class PeerLink {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);

    private final long peerId;
    private final InetSocketAddress peerAddress;
    private final NettyTransport transport;
    private final Bootstrap bootstrap;
    private final EventLoop loop;
    private final ArrayBlockingQueue<RaftMessage> queue;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** Event loop only. */
    private final SnapshotStreamer streamer;
    private volatile Channel channel;
    private volatile boolean closed;
    /** Event loop only. */
    private long backoffMs;
    /** Event loop only: a connect attempt is under way (at most one at a time). */
    private boolean connecting;
    /**
     * A connect was asked for or is under way and has not succeeded or failed yet: {@link #flush} keeps the queue.
     * Set before the channel is published, cleared after it (so a flush always sees one of the two).
     */
    private volatile boolean holding;
    /** Event loop only: the scheduled retry after a failure or a lost connection, null when none is pending. */
    private ScheduledFuture<?> retry;
    /** Mirror of {@code retry != null} for other threads (tests). */
    private volatile boolean retryPending;

    PeerLink(long peerId, InetSocketAddress peerAddress, NettyTransport transport, Bootstrap bootstrap,
             EventLoop loop, int queueMax) {
        this.peerId = peerId;
        this.peerAddress = peerAddress;
        this.transport = transport;
        this.bootstrap = bootstrap;
        this.loop = loop;
        this.queue = new ArrayBlockingQueue<>(queueMax);
        this.backoffMs = transport.config().reconnectBackoffMsMin();
        this.streamer = new SnapshotStreamer(peerId, transport);
    }

    long peerId() {
        return peerId;
    }

    /** Queues {@code m}; false (the caller counts a drop) when the queue is full. A large snapshot is streamed. */
    boolean offer(RaftMessage m) {
        int chunkBytes = transport.config().snapshotChunkBytes();
        if (m instanceof InstallSnapshot s && SnapshotStreamer.needsChunks(s, chunkBytes)) {
            loop.execute(() -> streamer.offer(s, channel));
            return true;
        }
        return queue.offer(m);
    }

    /** The peer acknowledged a chunk on this link's connection. Event loop. */
    void onChunkAck(SnapshotChunkAck ack, Channel ch) {
        streamer.onAck(ack, ch);
    }

    /** The connection can take more bytes: continue a snapshot stream. Event loop. */
    void onWritable(Channel ch) {
        streamer.pump(ch);
    }

    /** Whether a snapshot stream to the peer is in flight. Any thread. */
    boolean snapshotInFlight() {
        return streamer.inFlight();
    }

    /** Closes the current connection (it reconnects); for tests that break a transfer in the middle. */
    void breakConnection() {
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    /** Schedules one drain of the queue; holds it while a connect is under way; drops it when there is neither. */
    void flush() {
        if (queue.isEmpty()) {
            return;
        }
        Channel ch = channel;
        if (ch == null && holding) {
            return; // the connect drains the queue when it succeeds and drops it when it fails
        }
        if (ch == null) {
            ch = channel; // the connect may have completed between the two reads
        }
        if (ch == null || !ch.isActive()) {
            transport.countDroppedOutbound(dropAll());
            return;
        }
        if (drainScheduled.compareAndSet(false, true)) {
            loop.execute(drainTask);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        Channel ch = channel;
        if (ch == null && holding) {
            return;
        }
        if (ch == null || !ch.isActive()) {
            transport.countDroppedOutbound(dropAll());
            return;
        }
        int written = 0;
        int dropped = 0;
        for (RaftMessage m = queue.poll(); m != null; m = queue.poll()) {
            if (ch.isWritable()) {
                ch.write(m, ch.voidPromise());
                written++;
            } else {
                dropped++;
            }
        }
        if (written > 0) {
            ch.flush();
        }
        transport.countSent(written);
        transport.countDroppedOutbound(dropped);
    }

    private int dropAll() {
        int n = 0;
        while (queue.poll() != null) {
            n++;
        }
        return n;
    }

    /** Starts (or retries) the connection, on the event loop; nothing when connected or already connecting. */
    void connect() {
        if (!loop.inEventLoop()) {
            if (channel == null && !closed) {
                holding = true; // before the attempt starts: a flush in between must not drop the queue
            }
            loop.execute(this::connect);
            return;
        }
        if (closed || connecting || channel != null) {
            holding = connecting;
            return;
        }
        connecting = true;
        holding = true;
        retry = null;
        retryPending = false;
        InetSocketAddress local = new InetSocketAddress(transport.config().listenAddress().getAddress(), 0);
        ChannelFuture f = bootstrap.clone(loop).handler(transport.pipelines().outboundInitializer(this))
            .remoteAddress(peerAddress).localAddress(local).connect();
        f.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                transport.pipelines().linkReady(done.channel()).addListener(ready -> onReady(done.channel(), ready));
                return;
            }
            connecting = false;
            holding = false;
            transport.countDroppedOutbound(dropAll()); // what the attempt held would be stale by the next one
            LOG.debug("connect to peer {} at {} failed: {}", peerId, peerAddress, done.cause().toString());
            if (refused(done.cause())) {
                transport.peerRefused(peerId);
            }
            scheduleReconnect();
        });
    }

    /**
     * The connection is connected and, with TLS or a group secret, its handshakes are over: it carries the queue
     * from now on; or they failed, the connection is closed and a retry scheduled (its close listener is not set
     * yet). Event loop.
     */
    private void onReady(Channel ch, io.netty.util.concurrent.Future<?> ready) {
        connecting = false;
        if (ready.isSuccess()) {
            onConnected(ch);
            holding = false;
            return;
        }
        holding = false;
        transport.countDroppedOutbound(dropAll());
        LOG.debug("handshake with peer {} at {} failed: {}", peerId, peerAddress, ready.cause().toString());
        ch.close();
        scheduleReconnect();
    }

    private void onConnected(Channel ch) {
        if (closed) {
            ch.close();
            return;
        }
        backoffMs = transport.config().reconnectBackoffMsMin();
        channel = ch;
        transport.countConnect();
        LOG.info("node {} connected to peer {} at {}", transport.config().nodeId(), peerId, peerAddress);
        ch.closeFuture().addListener(cf -> {
            channel = null;
            scheduleReconnect();
        });
        streamer.onConnected(ch);
        if (!queue.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            loop.execute(drainTask); // what was queued while connecting
        }
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        long delay = backoffMs;
        backoffMs = Math.min(backoffMs * 2, transport.config().reconnectBackoffMsMax());
        retry = loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        retryPending = true;
    }

    /**
     * The peer may be back (a connection came in from its host): if this link is waiting to retry, it dials now
     * with the backoff reset, instead of up to {@code reconnectBackoffMsMax} later. A restarted member then hears
     * from its leader one heartbeat after it starts, not one backoff plus one heartbeat. Any thread.
     */
    void redialNow() {
        loop.execute(() -> {
            if (closed || connecting || channel != null || retry == null) {
                return;
            }
            retry.cancel(false);
            retry = null;
            retryPending = false;
            backoffMs = transport.config().reconnectBackoffMsMin();
            transport.countRedial();
            connect();
        });
    }

    /**
     * Whether a connect failed because nothing listens there (RST to our SYN), as opposed to a timeout (a peer cut
     * off or overloaded may still be alive).
     */
    static boolean refused(Throwable cause) {
        return cause instanceof ConnectException && !(cause instanceof ConnectTimeoutException);
    }

    /** Whether this link waits to retry its peer (tests). Any thread; the answer may be stale at once. */
    boolean retryPending() {
        return retryPending;
    }

    /** Whether the peer's configured host is {@code host} (an IP literal or a name, compared as written). */
    boolean hostIs(String host) {
        return peerAddress.getHostString().equals(host);
    }

    /** Closes the connection and stops reconnecting. Any thread. */
    void close() {
        closed = true;
        Channel ch = channel;
        if (ch != null) {
            ch.close();
        }
        dropAll();
        loop.execute(streamer::clear);
    }
}
