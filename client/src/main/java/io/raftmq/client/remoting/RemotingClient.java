package io.raftmq.client.remoting;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.raftmq.client.Verify;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.tls.ClientTls;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The remoting client: one connection per remote address ("host:port"), created on first use, optionally bound to
 * a local address; calls correlated by opaque; in-flight calls bounded by a semaphore; server-initiated requests
 * (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE, ...) served by registered processors.
 *
 * <p>Ownership: requests passed to {@code invoke*} belong to the client from then on (released after the write,
 * or on failure); responses returned belong to the caller, who releases them if they have a body.
 * Lifecycle: construct, register processors, {@link #start()}, ..., {@link #shutdown()}. Thread-safe after start.
 *
 * <p>Transport: Java NIO, or with {@code nativeTransport} Netty's native epoll transport where it is available (Linux
 * with the native library on the class path; NIO otherwise). The native transport costs fewer system calls per
 * answer (no selected-key set, edge-triggered reads, an eventfd wake-up, writev straight from the buffers' memory;
 * docs/benchmarks.md "SDK client CPU: one hand-off per batch"). The wire and the pipeline are the same.
 *
 * <p>TLS: {@link #useTls} before start makes every connection of the client speak TLS (docs/security.md "TLS").
 */
public final class RemotingClient extends NettyRemotingEndpoint {
    private final RemotingClientConfig config;
    private final boolean epoll;
    private final Map<String, ChannelFuture> channels = new ConcurrentHashMap<>();
    private EventLoopGroup group;
    private Bootstrap bootstrap;
    private SslContext tls;

    /** A client on the NIO transport. */
    public RemotingClient(RemotingClientConfig config) {
        this(config, false);
    }

    /** A client on the native epoll transport if {@code nativeTransport} and it is available here, else on NIO. */
    public RemotingClient(RemotingClientConfig config, boolean nativeTransport) {
        super(config.inflightRequestsMax());
        this.config = config;
        this.epoll = nativeTransport && Epoll.isAvailable();
    }

    /** "epoll" or "nio": the transport the client's connections use. */
    public String transport() {
        return epoll ? "epoll" : "nio";
    }

    /**
     * Makes every connection speak TLS with {@code settings} (before {@link #start()}); builds the TLS context now,
     * so a bad file fails here with its name.
     *
     * @throws IllegalArgumentException if a trusted CA or client certificate file is missing or unusable
     */
    public synchronized void useTls(ClientTls settings) {
        Verify.state(group == null, "TLS is chosen before start");
        tls = settings.context();
    }

    /** Whether the client's connections speak TLS. */
    public synchronized boolean tls() {
        return tls != null;
    }

    /** Creates the event loops. Connections are made lazily. */
    public synchronized void start() {
        Verify.state(group == null, "client already started");
        markStarted();
        SslContext tlsContext = tls;
        group = new MultiThreadIoEventLoopGroup(config.ioThreads(),
                new DefaultThreadFactory("raftmq-remoting-client-io"),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        bootstrap = new Bootstrap().group(group).channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeoutMs())
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        RemotingPipeline.init(ch.pipeline(), config.frameLengthMax(), config.channelIdleMs(),
                                dispatcher());
                        if (tlsContext != null) {
                            RemotingPipeline.addClientTls(ch.pipeline(), tlsContext);
                        }
                    }
                });
    }

    /**
     * The event loops (after {@link #start()}): callers may schedule short non-blocking tasks on them (timers of the
     * SDK built on this client); they stop with {@link #shutdown()}.
     */
    public EventLoopGroup eventLoops() {
        Verify.state(group != null, "client not started");
        return group;
    }

    /** Connections currently open or being opened. */
    public int channelCount() {
        return channels.size();
    }

    /** Parses "host:port" (IPv6 hosts may be bracketed or not; the port is after the last ':'). */
    static InetSocketAddress parseAddress(String addr) {
        int colon = addr == null ? -1 : addr.lastIndexOf(':');
        Verify.argument(colon > 0 && colon < addr.length() - 1, "address must be host:port");
        String host = addr.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new InetSocketAddress(host, Integer.parseInt(addr.substring(colon + 1)));
    }

    private ChannelFuture connectFuture(String addr) {
        Verify.state(bootstrap != null, "client not started");
        ChannelFuture existing = channels.get(addr);
        if (existing != null && (!existing.isDone() || existing.channel().isActive())) {
            return existing;
        }
        return channels.compute(addr, (k, cur) -> {
            if (cur != null && (!cur.isDone() || cur.channel().isActive())) {
                return cur;
            }
            InetSocketAddress remote = parseAddress(addr);
            return config.localBindHost() == null ? bootstrap.connect(remote)
                    : bootstrap.connect(remote, new InetSocketAddress(config.localBindHost(), 0));
        });
    }

    /**
     * The connected channel to {@code addr}, connecting if needed.
     *
     * @throws RemotingConnectException if the connection fails or times out
     * @throws InterruptedException     if interrupted while connecting
     */
    public Channel channel(String addr) throws RemotingConnectException, InterruptedException {
        if (isShutdown()) {
            throw new RemotingConnectException("client shut down");
        }
        ChannelFuture f = connectFuture(addr);
        if (!f.await(config.connectTimeoutMs() + 100, TimeUnit.MILLISECONDS) || !f.isSuccess()) {
            channels.remove(addr, f);
            f.channel().close();
            throw new RemotingConnectException("cannot connect to " + addr, f.cause());
        }
        return f.channel();
    }

    /**
     * Calls {@code addr} and waits for the response (owned by the caller).
     *
     * @throws RemotingException    connect failure, in-flight limit, send failure, timeout, or closed channel
     * @throws InterruptedException if interrupted
     */
    public RemotingCommand invokeSync(String addr, RemotingCommand request, long timeoutMs)
            throws RemotingException, InterruptedException {
        Channel ch;
        try {
            ch = channel(addr);
        } catch (RemotingConnectException e) {
            request.release();
            throw e;
        }
        return invokeSync(ch, request, timeoutMs);
    }

    /**
     * Calls {@code addr} asynchronously; connects first if needed (without blocking the caller). The future fails
     * with the {@link RemotingException} subtypes listed on {@link #invokeAsync(Channel, RemotingCommand, long)}
     * or with {@link RemotingConnectException}.
     */
    public CompletableFuture<RemotingCommand> invokeAsync(String addr, RemotingCommand request, long timeoutMs) {
        return invokeAsync(addr, request, timeoutMs, 0, null);
    }

    /**
     * As {@link #invokeAsync(String, RemotingCommand, long)} with a slow hook: see
     * {@link #invokeAsync(Channel, RemotingCommand, long, long, Runnable)} (the time runs from the write, after any
     * connect).
     */
    public CompletableFuture<RemotingCommand> invokeAsync(String addr, RemotingCommand request, long timeoutMs,
                                                          long slowMs, Runnable onSlow) {
        ChannelFuture f;
        try {
            Verify.state(!isShutdown(), "client shut down");
            f = connectFuture(addr);
        } catch (RuntimeException e) {
            request.release();
            return CompletableFuture.failedFuture(new RemotingConnectException("cannot connect to " + addr, e));
        }
        if (f.isDone() && f.isSuccess()) {
            return invokeAsync(f.channel(), request, timeoutMs, slowMs, onSlow);
        }
        CompletableFuture<RemotingCommand> result = new CompletableFuture<>();
        f.addListener(cf -> {
            if (!cf.isSuccess()) {
                channels.remove(addr, f);
                request.release();
                result.completeExceptionally(new RemotingConnectException("cannot connect to " + addr, cf.cause()));
                return;
            }
            invokeAsync(f.channel(), request, timeoutMs, slowMs, onSlow).whenComplete((r, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else if (!result.complete(r)) {
                    r.release();
                }
            });
        });
        return result;
    }

    /**
     * Sends a oneway request to {@code addr}; returns once written.
     *
     * @throws RemotingException    connect failure, in-flight limit or send failure
     * @throws InterruptedException if interrupted
     */
    public void invokeOneway(String addr, RemotingCommand request, long timeoutMs)
            throws RemotingException, InterruptedException {
        Channel ch;
        try {
            ch = channel(addr);
        } catch (RemotingConnectException e) {
            request.release();
            throw e;
        }
        CompletableFuture<Void> f = invokeOneway(ch, request, timeoutMs);
        try {
            f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RemotingException re) {
                throw re;
            }
            throw new RemotingSendRequestException("oneway to " + addr + " failed", e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new RemotingTimeoutException("oneway to " + addr + " not written within " + timeoutMs + " ms");
        }
    }

    /** Closes the connection to {@code addr} if any (pending calls on it fail with RemotingClosedException). */
    public void closeChannel(String addr) {
        ChannelFuture f = channels.remove(addr);
        if (f != null) {
            f.channel().close().awaitUninterruptibly();
        }
    }

    @Override
    protected void channelClosed(Channel channel) {
        channels.values().removeIf(f -> f.channel() == channel);
    }

    /**
     * Fails all pending calls with {@link RemotingClosedException}, closes every connection and stops the event
     * loops. Idempotent. Processor executors belong to the caller.
     */
    public synchronized void shutdown() {
        beginShutdown();
        for (ChannelFuture f : channels.values()) {
            f.channel().close().awaitUninterruptibly();
        }
        channels.clear();
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
