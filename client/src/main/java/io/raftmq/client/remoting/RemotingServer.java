package io.raftmq.client.remoting;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.raftmq.client.Verify;
import io.raftmq.client.tls.TlsConfig;
import io.raftmq.client.tls.TlsMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The remoting server shared by broker and NameServer: listens on a configurable address/port, decodes frames,
 * runs registered processors on their executors (concurrently per connection), answers unknown codes with
 * REQUEST_CODE_NOT_SUPPORTED, exposes connection events, and can call clients back on their channels
 * ({@link #invokeAsync}/{@link #invokeSync}/{@link #invokeOneway} from {@link NettyRemotingEndpoint}).
 *
 * <p>Lifecycle: construct, register processors and listeners, {@link #start()}, ..., {@link #shutdown()}.
 * Thread-safe after start. TLS ({@link #enableTls}, docs/security.md "TLS") is chosen before start.
 */
public final class RemotingServer extends NettyRemotingEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(RemotingServer.class);

    private final RemotingServerConfig config;
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    private Channel serverChannel;
    private TlsMode tlsMode = TlsMode.DISABLED;
    private SslContext tlsContext;

    public RemotingServer(RemotingServerConfig config) {
        super(config.inflightRequestsMax());
        this.config = config;
    }

    public RemotingServerConfig config() {
        return config;
    }

    /**
     * Serves TLS as {@code tls} says from {@link #start()} on. Builds the TLS context now, so a bad setting fails
     * here with a message naming the key or file.
     *
     * @throws IllegalArgumentException if the certificate, key or trust files are missing or unusable
     */
    public synchronized void enableTls(TlsConfig tls) {
        Verify.state(bossGroup == null, "TLS is chosen before start");
        tlsContext = tls.serverContext();
        tlsMode = tls.mode();
        LOG.info("remoting server TLS mode {}", tlsMode.text());
    }

    /** The TLS mode of the port (disabled unless {@link #enableTls} chose another). */
    public synchronized TlsMode tlsMode() {
        return tlsMode;
    }

    /**
     * Binds and starts accepting connections.
     *
     * @throws RemotingException    if the address cannot be bound
     * @throws InterruptedException if interrupted while binding
     */
    public synchronized void start() throws RemotingException, InterruptedException {
        Verify.state(bossGroup == null, "server already started");
        markStarted();
        SslContext tlsCtx = tlsContext;
        TlsMode mode = tlsMode;
        bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("raftmq-remoting-accept"),
                NioIoHandler.newFactory());
        workerGroup = new MultiThreadIoEventLoopGroup(config.ioThreads(),
                new DefaultThreadFactory("raftmq-remoting-server-io"), NioIoHandler.newFactory());
        ServerBootstrap b = new ServerBootstrap().group(bossGroup, workerGroup).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        RemotingPipeline.init(ch.pipeline(), config.frameLengthMax(), config.channelIdleMs(),
                                dispatcher());
                        RemotingPipeline.addServerTls(ch.pipeline(), tlsCtx, mode);
                    }
                });
        InetSocketAddress addr = new InetSocketAddress(config.bindHost(), config.port());
        io.netty.channel.ChannelFuture f = b.bind(addr).await();
        if (!f.isSuccess()) {
            shutdown();
            throw new RemotingException("cannot bind " + addr, f.cause());
        }
        serverChannel = f.channel();
        LOG.info("remoting server listening on {}", serverChannel.localAddress());
    }

    /** The bound address (after start). */
    public InetSocketAddress localAddress() {
        Verify.state(serverChannel != null, "server not started");
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The bound port (the ephemeral one when configured with 0). */
    public int port() {
        return localAddress().getPort();
    }

    /** Currently open client channels. */
    public int channelCount() {
        return channels.size();
    }

    /**
     * Stops accepting, fails pending server-to-client calls with {@link RemotingClosedException}, closes all
     * channels and stops the event loops (waits up to a few seconds). Idempotent. Processor executors belong to
     * the caller.
     */
    public synchronized void shutdown() {
        beginShutdown();
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        channels.close().awaitUninterruptibly();
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
            workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        }
    }
}
