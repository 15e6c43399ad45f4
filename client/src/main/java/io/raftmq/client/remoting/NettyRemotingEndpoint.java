package io.raftmq.client.remoting;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.Verify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What {@link RemotingServer} and {@link RemotingClient} share: the processor table (request code to processor
 * and executor), request/response correlation by opaque, the in-flight limit, timeouts, channel events, and the
 * terminal pipeline handler ({@link Dispatcher}).
 *
 * <p>Threads: Netty event loops decode and dispatch only; processors run on their registered executors;
 * response futures complete on the event loop (callbacks must not block). Registration happens before
 * {@code start()}; afterwards the table is read-only.
 *
 * <p>Invariant: a pending call holds exactly one permit of {@code inflight}, returned exactly once when the call
 * completes (response, timeout, write failure, channel close or shutdown).
 */
public abstract class NettyRemotingEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(NettyRemotingEndpoint.class);
    private static final int DIRECT_CODES = 1024;

    private final ProcessorBinding[] directProcessors = new ProcessorBinding[DIRECT_CODES];
    private final Map<Integer, ProcessorBinding> otherProcessors = new HashMap<>();
    private volatile ProcessorBinding defaultProcessor;
    private final ConcurrentHashMap<Integer, PendingCall> pending = new ConcurrentHashMap<>();
    private final List<ChannelEventListener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextOpaque = new AtomicInteger();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong strayResponses = new AtomicLong();
    private final Semaphore inflight;
    private final Dispatcher dispatcher = new Dispatcher();
    private volatile boolean started;
    private volatile boolean shutdown;

    private record ProcessorBinding(RequestProcessor processor, Executor executor) {
    }

    /** One call awaiting its response. */
    private final class PendingCall {
        final int opaque;
        final Channel channel;
        final CompletableFuture<RemotingCommand> future = new CompletableFuture<>();
        private final AtomicBoolean permitHeld = new AtomicBoolean(true);
        volatile Future<?> timer;

        PendingCall(int opaque, Channel channel) {
            this.opaque = opaque;
            this.channel = channel;
        }

        void releasePermit() {
            if (permitHeld.compareAndSet(true, false)) {
                inflight.release();
            }
            Future<?> t = timer;
            if (t != null) {
                t.cancel(false);
            }
        }
    }

    protected NettyRemotingEndpoint(int inflightRequestsMax) {
        Verify.argument(inflightRequestsMax > 0, "inflightRequestsMax must be positive");
        this.inflight = new Semaphore(inflightRequestsMax);
    }

    // ------------------------------------------------------------------------------------------ registration

    /**
     * Serves {@code requestCode} with {@code processor} on {@code executor} (owned by the caller, who shuts it down
     * after this endpoint). A full executor makes the endpoint answer SYSTEM_BUSY. Must be called before start.
     */
    public void registerProcessor(int requestCode, RequestProcessor processor, Executor executor) {
        Verify.state(!started, "register processors before start()");
        Verify.argument(processor != null && executor != null, "processor and executor are required");
        ProcessorBinding b = new ProcessorBinding(processor, executor);
        if (requestCode >= 0 && requestCode < DIRECT_CODES) {
            directProcessors[requestCode] = b;
        } else {
            otherProcessors.put(requestCode, b);
        }
    }

    /** Serves every code without a specific processor (otherwise those get REQUEST_CODE_NOT_SUPPORTED). */
    public void registerDefaultProcessor(RequestProcessor processor, Executor executor) {
        Verify.state(!started, "register processors before start()");
        defaultProcessor = new ProcessorBinding(processor, executor);
    }

    /** Adds a connection event listener (may be called any time). */
    public void addChannelEventListener(ChannelEventListener listener) {
        listeners.add(listener);
    }

    /** Errors counted at the pipeline and processor boundaries (malformed frames, processor crashes, ...). */
    public long errorCount() {
        return errors.get();
    }

    /** Responses that matched no pending call (late after a timeout, or answers to oneway requests). */
    public long strayResponseCount() {
        return strayResponses.get();
    }

    /** Calls currently awaiting a response. */
    public int pendingCount() {
        return pending.size();
    }

    /** The terminal handler for {@link RemotingPipeline#init}. */
    protected ChannelHandler dispatcher() {
        return dispatcher;
    }

    protected void markStarted() {
        started = true;
    }

    protected boolean isShutdown() {
        return shutdown;
    }

    private ProcessorBinding lookup(int code) {
        ProcessorBinding b = code >= 0 && code < DIRECT_CODES ? directProcessors[code] : otherProcessors.get(code);
        return b != null ? b : defaultProcessor;
    }

    // ------------------------------------------------------------------------------------------ invocation

    /**
     * Sends {@code request} on {@code channel} and returns the future response. Ownership of {@code request} passes
     * to this method; the response delivered by the future is owned by the caller (release it if it has a body).
     * The future fails with {@link RemotingTooMuchRequestException}, {@link RemotingSendRequestException},
     * {@link RemotingTimeoutException} or {@link RemotingClosedException}. Completes on an event loop thread.
     */
    public CompletableFuture<RemotingCommand> invokeAsync(Channel channel, RemotingCommand request, long timeoutMs) {
        Verify.argument(timeoutMs > 0, "timeoutMs must be positive");
        Verify.argument(!request.isResponse() && !request.isOneway(), "invokeAsync needs a two-way request");
        CompletableFuture<RemotingCommand> failed = acquire(channel, request, timeoutMs);
        if (failed != null) {
            return failed;
        }
        int opaque = nextOpaque.getAndIncrement();
        request.opaque(opaque);
        PendingCall call = new PendingCall(opaque, channel);
        pending.put(opaque, call);
        try {
            call.timer = channel.eventLoop().schedule(() -> fail(opaque, new RemotingTimeoutException(
                    "no response to code " + request.code() + " within " + timeoutMs + " ms from " + channel)),
                    timeoutMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            fail(opaque, new RemotingClosedException("event loop shut down", e));
            request.release();
            return call.future;
        }
        if (shutdown) {
            fail(opaque, new RemotingClosedException("endpoint shut down"));
            request.release();
            return call.future;
        }
        channel.writeAndFlush(request).addListener(f -> {
            if (!f.isSuccess()) {
                fail(opaque, new RemotingSendRequestException("send to " + channel + " failed", f.cause()));
            }
        });
        return call.future;
    }

    /**
     * Sends {@code request} and waits for the response (owned by the caller).
     *
     * @throws RemotingException    as listed on {@link #invokeAsync}
     * @throws InterruptedException if interrupted while waiting
     */
    public RemotingCommand invokeSync(Channel channel, RemotingCommand request, long timeoutMs)
            throws RemotingException, InterruptedException {
        return await(invokeAsync(channel, request, timeoutMs), timeoutMs);
    }

    /**
     * Sends {@code request} as oneway (flag bit 1); the peer never answers. The future completes when the frame is
     * written, or fails like {@link #invokeAsync}. Ownership of {@code request} passes to this method.
     */
    public CompletableFuture<Void> invokeOneway(Channel channel, RemotingCommand request, long timeoutMs) {
        Verify.argument(timeoutMs > 0, "timeoutMs must be positive");
        Verify.argument(!request.isResponse(), "invokeOneway needs a request");
        request.markOneway();
        CompletableFuture<Void> result = new CompletableFuture<>();
        CompletableFuture<RemotingCommand> failed = acquire(channel, request, timeoutMs);
        if (failed != null) {
            failed.whenComplete((r, e) -> result.completeExceptionally(e));
            return result;
        }
        request.opaque(nextOpaque.getAndIncrement());
        channel.writeAndFlush(request).addListener(f -> {
            inflight.release();
            if (f.isSuccess()) {
                result.complete(null);
            } else {
                result.completeExceptionally(new RemotingSendRequestException("oneway to " + channel + " failed",
                        f.cause()));
            }
        });
        return result;
    }

    /** Takes an in-flight permit, waiting up to the timeout unless on an event loop. Null = acquired. */
    private <T> CompletableFuture<T> acquire(Channel channel, RemotingCommand request, long timeoutMs) {
        boolean ok;
        try {
            ok = channel.eventLoop().inEventLoop() ? inflight.tryAcquire()
                    : inflight.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        }
        if (ok && !shutdown) {
            return null;
        }
        if (ok) {
            inflight.release();
        }
        request.release();
        RemotingException e = shutdown ? new RemotingClosedException("endpoint shut down")
                : new RemotingTooMuchRequestException("more than the in-flight limit of calls pending; "
                + inflight.availablePermits() + " permits free");
        return CompletableFuture.failedFuture(e);
    }

    /** Waits for a call's future, translating its failure. */
    protected static RemotingCommand await(CompletableFuture<RemotingCommand> f, long timeoutMs)
            throws RemotingException, InterruptedException {
        try {
            return f.get(timeoutMs + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RemotingException re) {
                throw re;
            }
            throw new RemotingSendRequestException("call failed", e.getCause());
        } catch (TimeoutException e) {
            f.completeExceptionally(new RemotingTimeoutException("no response within " + timeoutMs + " ms"));
            throw new RemotingTimeoutException("no response within " + timeoutMs + " ms");
        }
    }

    private void fail(int opaque, RemotingException cause) {
        PendingCall call = pending.remove(opaque);
        if (call != null) {
            call.releasePermit();
            call.future.completeExceptionally(cause);
        }
    }

    private void completeResponse(RemotingCommand response) {
        PendingCall call = pending.remove(response.opaque());
        if (call == null) {
            strayResponses.incrementAndGet();
            LOG.debug("response with unknown opaque {} (timed out or never sent): {}", response.opaque(), response);
            response.release();
            return;
        }
        call.releasePermit();
        if (!call.future.complete(response)) {
            response.release();
        }
    }

    /** Fails every pending call on {@code channel} (null = all) with {@code cause}. */
    protected void failPending(Channel channel, String cause) {
        for (PendingCall call : pending.values()) {
            if (channel == null || call.channel == channel) {
                fail(call.opaque, new RemotingClosedException(cause));
            }
        }
    }

    /** Marks the endpoint shut down and fails all pending calls. Subclasses then close channels and loops. */
    protected void beginShutdown() {
        shutdown = true;
        failPending(null, "endpoint shut down");
    }

    /** Hook for subclasses when a channel closes (after pending calls failed, before listeners run). */
    protected void channelClosed(Channel channel) {
    }

    // ------------------------------------------------------------------------------------------ inbound

    private void processRequest(Channel channel, RemotingCommand request) {
        ProcessorBinding b = lookup(request.code());
        RequestContext ctx = new RequestContext(channel, request.code(), request.opaque(), request.isOneway());
        if (b == null) {
            request.release();
            RemotingCommand r = RemotingCommand.createResponse(ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
                    " request type " + ctx.requestCode() + " not supported");
            r.extFields(null);
            ctx.respond(r);
            return;
        }
        try {
            b.executor().execute(() -> runProcessor(b.processor(), ctx, request));
        } catch (RejectedExecutionException e) {
            request.release();
            LOG.warn("executor for code {} rejected a request from {}; answering SYSTEM_BUSY", ctx.requestCode(),
                    channel);
            ctx.respond(RemotingCommand.createResponse(ResponseCode.SYSTEM_BUSY,
                    "[OVERLOAD]system busy, start flow control for a while"));
        }
    }

    private void runProcessor(RequestProcessor processor, RequestContext ctx, RemotingCommand request) {
        RemotingCommand response;
        try {
            response = processor.process(ctx, request);
        } catch (RemotingCommandException e) {
            response = RemotingCommand.createResponse(e.responseCode(), e.getMessage());
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            LOG.error("processor for code {} failed on request {} from {}", ctx.requestCode(), ctx.opaque(),
                    ctx.channel(), e);
            response = RemotingCommand.createResponse(ResponseCode.SYSTEM_ERROR, e.toString());
        } finally {
            request.release();
        }
        if (response != null) {
            ctx.respond(response);
        }
    }

    private void notifyListeners(Channel ch, int event, Throwable cause) {
        for (ChannelEventListener l : listeners) {
            try {
                switch (event) {
                    case 0 -> l.onConnect(ch);
                    case 1 -> l.onClose(ch);
                    case 2 -> l.onIdle(ch);
                    default -> l.onException(ch, cause);
                }
            } catch (RuntimeException e) {
                errors.incrementAndGet();
                LOG.error("channel event listener failed on {}", ch, e);
            }
        }
    }

    /**
     * Terminal inbound handler: routes responses to pending calls and requests to processors; closes the channel on
     * idle and on pipeline errors. {@code @Sharable}: it keeps no per-channel state. Ownership: every
     * {@link RemotingCommand} reaching it is either handed on (to a processor task or a pending future) or released.
     */
    @ChannelHandler.Sharable
    final class Dispatcher extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            notifyListeners(ctx.channel(), 0, null);
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            failPending(ctx.channel(), "channel " + ctx.channel() + " closed");
            channelClosed(ctx.channel());
            notifyListeners(ctx.channel(), 1, null);
            ctx.fireChannelInactive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof RemotingCommand cmd)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (cmd.isResponse()) {
                completeResponse(cmd);
            } else {
                processRequest(ctx.channel(), cmd);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                LOG.info("closing idle channel {}", ctx.channel());
                notifyListeners(ctx.channel(), 2, null);
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.incrementAndGet();
            LOG.warn("closing channel {} after pipeline error: {}", ctx.channel(), cause.toString());
            notifyListeners(ctx.channel(), 3, cause);
            ctx.close();
        }
    }
}
