package io.raftmq.client.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.raftmq.client.Verify;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandCodec;
import io.raftmq.client.remoting.NettyRemotingEndpoint;
import io.raftmq.client.remoting.RemotingServerConfig;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test fixture: a remoting endpoint whose one connection is an {@link EmbeddedChannel}, for tests of request
 * processors that need a request context but no socket. Register processors and channel listeners as on a
 * {@code RemotingServer}, {@link #start()}, then {@link #call} requests as the peer would. Every request and every
 * response goes through the wire codec (encoded to a frame, decoded back), so processors see and tests assert what
 * would cross a connection. Requests the endpoint sends to the peer (oneway notifications, callbacks) are kept for
 * {@link #takePeerRequest()}; {@link #disconnect()} closes the connection as a peer going away would.
 *
 * <p>Threads: processors run on their registered executors and may answer from any thread (long polling, async
 * commits). The pipeline's only outbound stage is a thread-safe capture that completes each write itself, so the
 * channel's outbound buffer is never touched; calls come from the test thread.
 *
 * <p>Ownership: {@link #call} takes the request; the response it returns belongs to the caller (release it if it
 * has a body, as with {@code RemotingClient.invokeSync}); so do peer requests. {@link #close()} releases what was
 * never collected.
 */
public final class EmbeddedRemotingServer extends NettyRemotingEndpoint implements AutoCloseable {
    /** The address the endpoint sees as its peer's (a loopback socket address, as processors expect). */
    public static final InetSocketAddress PEER_ADDRESS = new InetSocketAddress("127.0.0.1", 40_000);
    private static final long CALL_TIMEOUT_MS = 5_000;

    private final RemotingCommandCodec codec = new RemotingCommandCodec();
    private final ConcurrentHashMap<Integer, CompletableFuture<RemotingCommand>> calls = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<RemotingCommand> peerRequests = new LinkedBlockingQueue<>();
    private final AtomicInteger nextOpaque = new AtomicInteger(1);
    private final AtomicLong strayResponses = new AtomicLong();
    private EmbeddedChannel channel;

    public EmbeddedRemotingServer() {
        super(RemotingServerConfig.INFLIGHT_REQUESTS_MAX_DEFAULT);
    }

    /** Opens the connection (listeners see it connect). Register processors and listeners before. */
    public void start() throws Exception {
        Verify.state(channel == null, "already started");
        markStarted();
        channel = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return PEER_ADDRESS;
            }
        };
        channel.pipeline().addLast("capture", new Capture()).addLast("dispatcher", dispatcher());
        channel.register();
    }

    /** The connection's channel (the one processors see in their request context). */
    public Channel channel() {
        Verify.state(channel != null, "not started");
        return channel;
    }

    /** Sends {@code request} (owned by this method from now on) and returns the future response. */
    public CompletableFuture<RemotingCommand> callAsync(RemotingCommand request) {
        Verify.state(channel != null, "not started");
        Verify.argument(!request.isResponse() && !request.isOneway(), "callAsync needs a two-way request");
        int opaque = nextOpaque.getAndIncrement();
        request.opaque(opaque);
        CompletableFuture<RemotingCommand> f = new CompletableFuture<>();
        calls.put(opaque, f);
        channel.writeInbound(wire(request));
        return f;
    }

    /** Sends {@code request} and waits (at most 5 s) for its response, owned by the caller. */
    public RemotingCommand call(RemotingCommand request) throws Exception {
        return callAsync(request).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** Sends {@code request} as oneway (owned by this method from now on); nothing answers it. */
    public void sendOneway(RemotingCommand request) {
        Verify.state(channel != null, "not started");
        request.markOneway().opaque(nextOpaque.getAndIncrement());
        channel.writeInbound(wire(request));
    }

    /** The next request the endpoint sent to its peer, waiting at most 5 s; null if none came. */
    public RemotingCommand takePeerRequest() throws InterruptedException {
        return peerRequests.poll(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** Responses that matched no call (answers to oneway requests, or after {@link #call} gave up). */
    public long strayResponses() {
        return strayResponses.get();
    }

    /** Closes the connection: pending server-to-peer calls fail and listeners see it close. */
    public void disconnect() {
        channel().close();
    }

    @Override
    public void close() {
        beginShutdown();
        if (channel != null) {
            channel.close();
            channel.finishAndReleaseAll();
        }
        for (RemotingCommand r = peerRequests.poll(); r != null; r = peerRequests.poll()) {
            r.release();
        }
        calls.values().forEach(f -> f.cancel(false)); // a response arriving later is released as a stray
        calls.clear();
    }

    /** Encodes {@code cmd} into a frame and decodes a new command from it; releases {@code cmd} and the frame. */
    private RemotingCommand wire(RemotingCommand cmd) {
        ByteBuf frame;
        try {
            synchronized (codec) {
                frame = codec.encodeFrame(cmd, ByteBufAllocator.DEFAULT);
            }
        } finally {
            cmd.release();
        }
        try {
            int length = frame.readInt();
            Verify.state(length == frame.readableBytes(), "frame length prefix", length, frame.readableBytes());
            synchronized (codec) {
                return codec.decode(frame);
            }
        } finally {
            frame.release();
        }
    }

    private void received(RemotingCommand cmd) {
        if (!cmd.isResponse()) {
            peerRequests.add(cmd);
            return;
        }
        CompletableFuture<RemotingCommand> f = calls.remove(cmd.opaque());
        if (f == null || !f.complete(cmd)) {
            strayResponses.incrementAndGet();
            cmd.release();
        }
    }

    /** The only outbound stage: takes each written command off the channel, through the codec, to the peer side. */
    private final class Capture extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (!(msg instanceof RemotingCommand cmd)) {
                ReferenceCountUtil.release(msg);
                promise.tryFailure(new IllegalArgumentException("not a RemotingCommand: " + msg));
                return;
            }
            RemotingCommand onTheWire;
            try {
                onTheWire = wire(cmd);
            } catch (RuntimeException e) {
                promise.tryFailure(e);
                return;
            }
            promise.trySuccess();
            received(onTheWire);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            // every write completed at once: nothing is buffered
        }
    }
}
