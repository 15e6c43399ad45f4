package io.raftmq.client.remoting;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.raftmq.client.protocol.RemotingCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What {@link RemotingServer} and {@link RemotingClient} share: the terminal pipeline handler ({@link Dispatcher})
 * that routes each inbound command, channel events and their listeners, and the endpoint's public calls. Two parts
 * do the work: {@link ProcessorTable} (request code to processor and executor; runs requests) and
 * {@link PendingCalls} (outgoing calls correlated by opaque, their timeouts and the in-flight limit).
 *
 * <p>Threads: Netty event loops decode and dispatch only; processors run on their registered executors;
 * response futures complete on the event loop (callbacks must not block). Registration happens before
 * {@code start()}; afterwards the table is read-only.
 */
public abstract class NettyRemotingEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(NettyRemotingEndpoint.class);
    private static final long TLS_LOG_INTERVAL_NS = 1_000_000_000L;

    private final AtomicLong errors = new AtomicLong();
    /** When a failed TLS handshake was last logged: at most one a second (docs/security.md "TLS"). */
    private final AtomicLong tlsLoggedNanos = new AtomicLong(System.nanoTime() - TLS_LOG_INTERVAL_NS);
    private final AtomicLong tlsRefusals = new AtomicLong();
    private final ProcessorTable processors = new ProcessorTable(errors);
    private final PendingCalls calls;
    private final List<ChannelEventListener> listeners = new CopyOnWriteArrayList<>();
    private final Dispatcher dispatcher = new Dispatcher();
    /** Applied to every outgoing request just before it is written (ACL signing, docs/security.md); null: none. */
    private volatile Consumer<RemotingCommand> requestSigner;

    protected NettyRemotingEndpoint(int inflightRequestsMax) {
        this.calls = new PendingCalls(inflightRequestsMax);
    }

    /**
     * A connection failed its TLS handshake (a plain client at an enforcing port, an untrusted certificate): closed
     * like any pipeline error, but logged at most once a second, so a client retrying in a loop does not flood the
     * log.
     */
    private void tlsRefused(Channel ch, javax.net.ssl.SSLException cause) {
        long n = tlsRefusals.incrementAndGet();
        long last = tlsLoggedNanos.get();
        long now = System.nanoTime();
        if (now - last >= TLS_LOG_INTERVAL_NS && tlsLoggedNanos.compareAndSet(last, now)) {
            LOG.warn("closing channel {}: TLS handshake failed: {} ({} so far)", ch, cause.toString(), n);
        }
    }

    // ------------------------------------------------------------------------------------------ registration

    /**
     * Reports every response sent from now on to {@code observer} (metrics, {@link ResponseObserver}); call before
     * {@link #start()}. Without an observer no clock is read per request.
     */
    public void setResponseObserver(ResponseObserver observer) {
        processors.observe(observer);
    }

    /**
     * Serves {@code requestCode} with {@code processor} on {@code executor} (owned by the caller, who shuts it down
     * after this endpoint). A full executor makes the endpoint answer SYSTEM_BUSY. Must be called before start.
     */
    public void registerProcessor(int requestCode, RequestProcessor processor, Executor executor) {
        processors.register(requestCode, processor, executor);
    }

    /** Serves every code without a specific processor (otherwise those get REQUEST_CODE_NOT_SUPPORTED). */
    public void registerDefaultProcessor(RequestProcessor processor, Executor executor) {
        processors.registerDefault(processor, executor);
    }

    /**
     * Applies {@code signer} to every request this endpoint sends from now on, after its header and body are final
     * and before it is written (the SDK's ACL credentials, docs/security.md "ACL"); null removes it.
     */
    public void setRequestSigner(Consumer<RemotingCommand> signer) {
        requestSigner = signer;
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
        return calls.strayResponses();
    }

    /** Calls currently awaiting a response. */
    public int pendingCount() {
        return calls.size();
    }

    /** Whether the scan of pending calls' deadlines is armed (it is not while nothing is pending). */
    public boolean deadlineScanArmed() {
        return calls.scanArmed();
    }

    /** The terminal handler for {@link RemotingPipeline#init}. */
    protected ChannelHandler dispatcher() {
        return dispatcher;
    }

    protected void markStarted() {
        processors.seal();
    }

    protected boolean isShutdown() {
        return calls.isShutdown();
    }

    // ------------------------------------------------------------------------------------------ invocation

    /**
     * Sends {@code request} on {@code channel} and returns the future response. Ownership of {@code request} passes
     * to this method; the response delivered by the future is owned by the caller (release it if it has a body).
     * The future fails with {@link RemotingTooMuchRequestException}, {@link RemotingSendRequestException},
     * {@link RemotingTimeoutException} or {@link RemotingClosedException}. Completes on an event loop thread.
     */
    public CompletableFuture<RemotingCommand> invokeAsync(Channel channel, RemotingCommand request, long timeoutMs) {
        return invokeAsync(channel, request, timeoutMs, 0, null);
    }

    /**
     * As {@link #invokeAsync(Channel, RemotingCommand, long)}, and if the call is still unanswered {@code slowMs}
     * after it was made (0 = never), runs {@code onSlow} once, on an event loop (it must not block), at most one scan
     * period late (docs/sdk.md "Performance"); the call itself goes on until its answer or timeout.
     */
    public CompletableFuture<RemotingCommand> invokeAsync(Channel channel, RemotingCommand request, long timeoutMs,
                                                          long slowMs, Runnable onSlow) {
        sign(request);
        return calls.invokeAsync(channel, request, timeoutMs, slowMs, onSlow);
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
        sign(request);
        return calls.invokeOneway(channel, request, timeoutMs);
    }

    private void sign(RemotingCommand request) {
        Consumer<RemotingCommand> s = requestSigner;
        if (s != null) {
            s.accept(request);
        }
    }

    /** Waits for a call's future, translating its failure. */
    protected static RemotingCommand await(CompletableFuture<RemotingCommand> f, long timeoutMs)
            throws RemotingException, InterruptedException {
        return PendingCalls.await(f, timeoutMs);
    }

    /** Fails every pending call on {@code channel} (null = all) with {@code cause}. */
    protected void failPending(Channel channel, String cause) {
        calls.failAll(channel, cause);
    }

    /** Marks the endpoint shut down and fails all pending calls. Subclasses then close channels and loops. */
    protected void beginShutdown() {
        calls.shutdown();
    }

    /** Hook for subclasses when a channel closes (after pending calls failed, before listeners run). */
    protected void channelClosed(Channel channel) {
    }

    // ------------------------------------------------------------------------------------------ inbound

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
                calls.complete(cmd);
            } else {
                processors.serve(ctx.channel(), cmd);
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
            if (cause.getCause() instanceof javax.net.ssl.SSLException tls) {
                tlsRefused(ctx.channel(), tls);
            } else {
                LOG.warn("closing channel {} after pipeline error: {}", ctx.channel(), cause.toString());
            }
            notifyListeners(ctx.channel(), 3, cause);
            ctx.close();
        }
    }
}
