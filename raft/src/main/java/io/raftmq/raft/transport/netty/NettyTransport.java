package io.raftmq.raft.transport.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.raftmq.raft.Verify;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.transport.Transport;
import io.raftmq.raft.transport.TransportException;
import io.raftmq.raft.transport.TransportStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link Transport} over TCP with Netty: one outgoing connection per peer carries this node's messages to it
 * (so each pair of nodes has one connection per direction, and a message's connection depends only on its
 * receiver), accepted connections only carry peers' messages in. Outgoing sockets bind to the IP of
 * {@link NettyTransportConfig#listenAddress()}, so nodes on one machine stay distinguishable by address.
 *
 * <p>Pipelines. In: {@link RaftFrameCodec#newFrameDecoder} then {@link RaftMessageDecoder} then
 * {@link InboundDispatcher} (enqueue into the agent's inbox; snapshot chunks go to the {@link SnapshotAssembler},
 * whose acknowledgements are written back on the same connection). Out: {@link RaftMessageEncoder}; the
 * {@link PeerLink} drain writes a whole batch and flushes once; the only thing read back on an outgoing connection
 * is a chunk acknowledgement ({@link LinkInbound}). Large InstallSnapshots are streamed in chunks
 * ({@link SnapshotStreamer}, docs/snapshots.md rule 6). Buffers: frames are released by the decoder
 * stage, outbound frames by the channel after writing (see each handler's ownership note).
 *
 * <p>Security ({@link #secure}, docs/security.md "Raft peer authentication"): the handlers of both pipelines, the
 * TLS and group-secret handshakes among them, are set up by {@link PeerPipelines}, which also says when a link's
 * new connection may carry messages and counts the connections refused ({@link #authFailures}).
 *
 * <p>Threading: {@link #send}/{@link #flush} on the agent thread; {@link #addPeer}, {@link #start} and
 * {@link #close} from a control thread; everything else on the event loops.
 */
public final class NettyTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyTransport.class);
    private static final PeerLink[] NO_LINKS = new PeerLink[0];

    private final NettyTransportConfig config;
    private final EventLoopGroup group;
    private final Bootstrap clientBootstrap;
    /** Copy-on-write; scanned linearly by the agent (a group has a handful of peers). */
    private volatile PeerLink[] links = NO_LINKS;
    private volatile Channel serverChannel;
    /** Accepted connections, closed explicitly on {@link #close} so peers notice at once and reconnect. */
    private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private volatile boolean started;
    /** Where inbound messages and peer hints go; null before {@link #start}. */
    private volatile InboundSink sink;
    private volatile boolean closed;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong droppedOutbound = new AtomicLong();
    private final AtomicLong droppedInbound = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    /** Links that dialled at once because a connection came in from their peer's host. */
    private final AtomicLong redials = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong snapshotBytesSent = new AtomicLong();
    private final SnapshotAssembler assembler;
    private final PeerPipelines pipelines;

    public NettyTransport(NettyTransportConfig config) {
        this.config = config;
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(),
            new DefaultThreadFactory("raft-io-" + config.nodeId(), true), NioIoHandler.newFactory());
        WriteBufferWaterMark marks = new WriteBufferWaterMark(config.writeBufferBytesMax() / 2,
            config.writeBufferBytesMax());
        this.clientBootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeoutMs())
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, marks);
        this.assembler = new SnapshotAssembler(config);
        this.pipelines = new PeerPipelines(this);
    }

    public NettyTransportConfig config() {
        return config;
    }

    /**
     * Protects peer connections with {@code s} (mutual TLS and/or the group-secret handshake); before
     * {@link #start}. Without a call: {@link PeerSecurity#NONE}.
     */
    public synchronized void secure(PeerSecurity s) {
        Verify.state(!started && !closed, "security is chosen before start");
        pipelines.secure(s);
    }

    /** The handlers of peer connections, their handshakes and the count of those refused. */
    PeerPipelines pipelines() {
        return pipelines;
    }

    /**
     * Peer connections refused since start: failed group-secret handshakes (either side), inbound TLS handshakes that
     * failed. Any thread.
     */
    public long authFailures() {
        return pipelines.authFailures();
    }

    /**
     * Registers peer {@code peerId} at {@code address}; connects at once if started. Control plane; call once per
     * peer.
     */
    public synchronized void addPeer(long peerId, InetSocketAddress address) {
        Verify.argument(peerId > 0 && peerId != config.nodeId(), "peer id must be positive and not this node");
        for (PeerLink l : links) {
            Verify.argument(l.peerId() != peerId, "peer already added");
        }
        PeerLink link = new PeerLink(peerId, address, this, clientBootstrap, group.next(), config.outboundQueueMax());
        PeerLink[] next = java.util.Arrays.copyOf(links, links.length + 1);
        next[links.length] = link;
        links = next;
        if (started) {
            link.connect();
        }
    }

    @Override
    public synchronized boolean addPeer(long peerId, String hostPort) {
        if (link(peerId) != null) {
            return false;
        }
        int colon = hostPort.lastIndexOf(':');
        Verify.argument(colon > 0 && colon < hostPort.length() - 1, "peer address must be host:port");
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        addPeer(peerId, InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port));
        return true;
    }

    @Override
    public synchronized boolean removePeer(long peerId) {
        PeerLink link = link(peerId);
        if (link == null) {
            return false;
        }
        PeerLink[] next = new PeerLink[links.length - 1];
        int n = 0;
        for (PeerLink l : links) {
            if (l != link) {
                next[n++] = l;
            }
        }
        links = next;
        link.close();
        return true;
    }

    @Override
    public synchronized void start(InboundSink sink) {
        Verify.state(!started && !closed, "transport already started or closed");
        this.sink = sink;
        ServerBootstrap sb = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    accepted.add(ch);
                    redialPeersAt(ch.remoteAddress());
                    pipelines.initAccepted(ch, sink);
                }
            });
        try {
            serverChannel = sb.bind(config.listenAddress()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while binding " + config.listenAddress(), e);
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new TransportException("node " + config.nodeId() + " cannot listen on " + config.listenAddress(),
                e);
        }
        started = true;
        long sweepMs = Math.max(1, config.snapshotPartialTimeoutMs() / 2);
        group.scheduleAtFixedRate(() -> assembler.dropStale(System.nanoTime()), sweepMs, sweepMs,
            TimeUnit.MILLISECONDS);
        for (PeerLink l : links) {
            l.connect();
        }
        group.next().execute(this::warmUpCodec);
        LOG.info("raft transport of node {} listening on {} ({})", config.nodeId(), boundAddress(),
            pipelines.security().describe());
    }

    /**
     * One round trip of each message kind through the codec ({@link CodecWarmUp}), on an event loop as the
     * transport starts: its classes are loaded and initialised before a peer's first message needs them. A failure
     * is logged, not thrown (the codec's real use reports it again).
     */
    private void warmUpCodec() {
        long t0 = System.nanoTime();
        try {
            int n = CodecWarmUp.run(config.frameBytesMax());
            LOG.info("raft transport of node {}: codec warmed up ({} of {} messages round-tripped, {} ms)",
                config.nodeId(), n, CodecWarmUp.samples().size(), (System.nanoTime() - t0) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("raft transport of node {}: codec warm-up failed: {}", config.nodeId(), e.toString());
        }
    }

    /**
     * A connection came in from {@code from}: a peer on that host may have just (re)started, so every link to a peer
     * on that host that waits to retry dials now ({@link PeerLink#redialNow}). Several peers may share a host (one
     * machine, several ports): dialling one that is still down costs a refused connect on loopback. Event loop.
     */
    private void redialPeersAt(InetSocketAddress from) {
        if (from == null || from.getAddress() == null) {
            return;
        }
        String host = from.getAddress().getHostAddress();
        for (PeerLink l : links) {
            if (l.hostIs(host)) {
                l.redialNow();
            }
        }
    }

    /** The address actually bound (resolves port 0); null before {@link #start}. */
    public InetSocketAddress boundAddress() {
        Channel ch = serverChannel;
        return ch == null ? null : (InetSocketAddress) ch.localAddress();
    }

    @Override
    public void send(RaftMessage message) {
        PeerLink link = link(message.to());
        if (link == null || closed || !link.offer(message)) {
            droppedOutbound.incrementAndGet();
        }
    }

    @Override
    public void flush() {
        for (PeerLink l : links) {
            l.flush();
        }
    }

    private PeerLink link(long peerId) {
        PeerLink[] ls = links;
        for (int i = 0; i < ls.length; i++) {
            if (ls[i].peerId() == peerId) {
                return ls[i];
            }
        }
        return null;
    }

    @Override
    public TransportStats stats() {
        return new TransportStats(sent.get(), received.get(), droppedOutbound.get(), droppedInbound.get(),
            connects.get(), errors.get());
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (PeerLink l : links) {
            l.close();
        }
        Channel server = serverChannel;
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        accepted.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).syncUninterruptibly();
        LOG.info("raft transport of node {} closed", config.nodeId());
    }

    /** Snapshot data bytes written in chunks since start (resent chunks count again). Any thread. */
    public long snapshotBytesSent() {
        return snapshotBytesSent.get();
    }

    /** Chunked snapshots received whole, verified and handed to the sink since start. Any thread. */
    public long snapshotsAssembled() {
        return assembler.delivered();
    }

    /** Chunked snapshots received whole whose checksum failed (discarded) since start. Any thread. */
    public long snapshotChecksumFailures() {
        return assembler.crcFailures();
    }

    /** The I/O event loops (tests stall them to hold a transfer in the middle). */
    EventLoopGroup eventLoops() {
        return group;
    }

    SnapshotAssembler assembler() {
        return assembler;
    }

    /** Whether a snapshot is being streamed to {@code peerId}. Any thread. */
    boolean snapshotInFlight(long peerId) {
        PeerLink l = link(peerId);
        return l != null && l.snapshotInFlight();
    }

    /** Closes the connection to {@code peerId} (it reconnects at once); tests break transfers with it. */
    void breakConnection(long peerId) {
        PeerLink l = link(peerId);
        if (l != null) {
            l.breakConnection();
        }
    }

    void countSnapshotBytesSent(int n) {
        snapshotBytesSent.addAndGet(n);
    }

    void countSent(int n) {
        sent.addAndGet(n);
    }

    void countReceived(int n) {
        received.addAndGet(n);
    }

    void countDroppedOutbound(int n) {
        if (n > 0) {
            droppedOutbound.addAndGet(n);
        }
    }

    void countDroppedInbound(int n) {
        droppedInbound.addAndGet(n);
    }

    /** A link's connect was refused: nothing listens at its peer's address. Event loop. */
    void peerRefused(long peerId) {
        InboundSink s = sink;
        if (s != null && !closed) {
            s.peerUnreachable(peerId);
        }
    }

    void countConnect() {
        connects.incrementAndGet();
    }

    void countRedial() {
        redials.incrementAndGet();
    }

    /** Whether the link to {@code peerId} waits to retry (tests). Any thread. */
    boolean retryPending(long peerId) {
        PeerLink l = link(peerId);
        return l != null && l.retryPending();
    }

    /** Retries cut short by a connection from the peer's host ({@link PeerLink#redialNow}). Any thread. */
    long redials() {
        return redials.get();
    }

    void countError() {
        errors.incrementAndGet();
    }
}
