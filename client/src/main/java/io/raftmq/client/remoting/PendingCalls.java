package io.raftmq.client.remoting;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.raftmq.client.Verify;
import io.raftmq.client.protocol.RemotingCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Request/response correlation of one {@link NettyRemotingEndpoint}: each outgoing two-way request gets the next
 * opaque and a pending call keyed by it; the response with that opaque completes the call. A call also ends at its
 * deadline, on a failed write, when its channel closes, or at shutdown. Outgoing calls (two-way and oneway) are
 * bounded by an in-flight semaphore.
 *
 * <p><b>Deadlines without a timer per call.</b> A call only records its deadline. One scan on an event loop checks
 * every pending call each {@link #SCAN_PERIOD_MS} ms (longer when very many are pending: {@link #scanPeriodMs}),
 * fails those past their deadline with a {@link RemotingTimeoutException}, and runs the slow hook of those
 * unanswered past their slow mark (see {@link #invokeAsync}). The scan is armed by the first call made while none is
 * pending and disarms itself when none is left, so an idle endpoint has no timer, and a busy one pays no task
 * submission, wake-up or cancel per call (a per-call timer scheduled from a sender thread costs all three). A call
 * times out at most one scan period after its deadline.
 *
 * <p><b>Writes.</b> A request is written at once when the caller is on the channel's event loop, else queued on the
 * channel's {@link ChannelWriteQueue}, whose drain writes every request queued meanwhile and flushes once.
 *
 * <p>Invariant: a pending call holds exactly one permit of {@code inflight}, returned exactly once, by whichever
 * thread removes it from {@code pending} (response, deadline, write failure, channel close or shutdown). Ownership:
 * a request handed to {@code invoke*} is written or released here; a response is handed to the call's future or
 * released.
 */
final class PendingCalls {
    /** How often the scan checks pending calls for their deadline and slow mark, at most this many pending. */
    static final long SCAN_PERIOD_MS = 10;
    /** Pending calls one scan period is sized for; more stretch the period proportionally (bounded scan cost). */
    static final int SCAN_CALLS_PER_PERIOD = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(PendingCalls.class);

    private final ConcurrentHashMap<Integer, PendingCall> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextOpaque = new AtomicInteger();
    private final AtomicLong strayResponses = new AtomicLong();
    private final AtomicBoolean scanArmed = new AtomicBoolean();
    private final Semaphore inflight;
    private final LongSupplier clockNs;
    private volatile boolean shutdown;

    /** One call awaiting its response; as the listener of its write it fails the call if the write fails. */
    private final class PendingCall extends ChannelWriteQueue.Write {
        final int opaque;
        final int code;
        final Channel channel;
        final long timeoutMs;
        final long deadlineNs;
        final long slowAtNs;
        /** Run once by the scan when still pending at slowAtNs; null = none or already run (scan thread only). */
        Runnable onSlow;
        final CompletableFuture<RemotingCommand> future = new CompletableFuture<>();

        PendingCall(int opaque, RemotingCommand request, Channel channel, long timeoutMs, long slowMs,
                    Runnable onSlow, long nowNs) {
            this.opaque = opaque;
            this.code = request.code();
            this.channel = channel;
            this.timeoutMs = timeoutMs;
            this.deadlineNs = nowNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            this.slowAtNs = nowNs + TimeUnit.MILLISECONDS.toNanos(slowMs);
            this.onSlow = slowMs > 0 ? onSlow : null;
        }

        @Override
        public void operationComplete(ChannelFuture f) {
            if (!f.isSuccess()) {
                fail(opaque, new RemotingSendRequestException("send to " + channel + " failed", f.cause()));
            }
        }
    }

    PendingCalls(int inflightRequestsMax) {
        this(inflightRequestsMax, System::nanoTime);
    }

    /** With the clock deadlines are measured on (ns; tests inject one they advance by hand). */
    PendingCalls(int inflightRequestsMax, LongSupplier clockNs) {
        Verify.argument(inflightRequestsMax > 0, "inflightRequestsMax must be positive");
        this.inflight = new Semaphore(inflightRequestsMax);
        this.clockNs = clockNs;
    }

    /** Calls currently awaiting a response. */
    int size() {
        return pending.size();
    }

    /** Responses that matched no pending call. */
    long strayResponses() {
        return strayResponses.get();
    }

    boolean isShutdown() {
        return shutdown;
    }

    /** Whether the deadline scan is armed (tests: an idle endpoint keeps no timer). */
    boolean scanArmed() {
        return scanArmed.get();
    }

    /** See {@link NettyRemotingEndpoint#invokeAsync(Channel, RemotingCommand, long, long, Runnable)}. */
    CompletableFuture<RemotingCommand> invokeAsync(Channel channel, RemotingCommand request, long timeoutMs,
                                                   long slowMs, Runnable onSlow) {
        Verify.argument(timeoutMs > 0, "timeoutMs must be positive");
        Verify.argument(!request.isResponse() && !request.isOneway(), "invokeAsync needs a two-way request");
        CompletableFuture<RemotingCommand> failed = acquire(channel, request, timeoutMs);
        if (failed != null) {
            return failed;
        }
        int opaque = nextOpaque.getAndIncrement();
        request.opaque(opaque);
        PendingCall call = new PendingCall(opaque, request, channel, timeoutMs, slowMs, onSlow, clockNs.getAsLong());
        pending.put(opaque, call);
        try {
            armScan(channel.eventLoop());
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
        write(channel, request, call);
        return call.future;
    }

    /**
     * Writes {@code request} and tells {@code write} the outcome: directly on the event loop, else through the
     * channel's {@link ChannelWriteQueue} (one hand-off and one flush per batch of requests from other threads).
     */
    private static void write(Channel channel, RemotingCommand request, ChannelWriteQueue.Write write) {
        if (channel.eventLoop().inEventLoop()) {
            channel.writeAndFlush(request).addListener(write);
        } else {
            ChannelWriteQueue.of(channel).write(request, write);
        }
    }

    /** See {@link NettyRemotingEndpoint#invokeOneway}. */
    CompletableFuture<Void> invokeOneway(Channel channel, RemotingCommand request, long timeoutMs) {
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
        write(channel, request, new ChannelWriteQueue.Write() {
            @Override
            public void operationComplete(ChannelFuture f) {
                inflight.release();
                if (f.isSuccess()) {
                    result.complete(null);
                } else {
                    result.completeExceptionally(new RemotingSendRequestException("oneway to " + channel
                            + " failed", f.cause()));
                }
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
    static RemotingCommand await(CompletableFuture<RemotingCommand> f, long timeoutMs)
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

    // ------------------------------------------------------------------------------------------ deadline scan

    /**
     * Arms the scan on {@code loop} unless it is armed. Called after a call was added; the scan disarms itself only
     * after finding nothing pending and re-checks after disarming, so a call added meanwhile is never left unscanned.
     *
     * @throws RejectedExecutionException if the loop is shut down (the scan stays disarmed)
     */
    private void armScan(EventLoop loop) {
        if (scanArmed.get() || !scanArmed.compareAndSet(false, true)) {
            return;
        }
        try {
            loop.schedule(() -> scan(loop), scanPeriodMs(pending.size()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            scanArmed.set(false);
            throw e;
        }
    }

    /** The scan period for {@code pendingCount} calls: {@link #SCAN_PERIOD_MS}, stretched beyond the sized count. */
    static long scanPeriodMs(int pendingCount) {
        return SCAN_PERIOD_MS * Math.max(1, pendingCount / SCAN_CALLS_PER_PERIOD);
    }

    /** Runs on {@code loop}: times out calls past their deadline, runs due slow hooks, re-arms while any pending. */
    private void scan(EventLoop loop) {
        long now = clockNs.getAsLong();
        for (PendingCall c : pending.values()) {
            if (now - c.deadlineNs >= 0) {
                fail(c.opaque, new RemotingTimeoutException("no response to code " + c.code + " within "
                        + c.timeoutMs + " ms from " + c.channel));
            } else if (c.onSlow != null && now - c.slowAtNs >= 0) {
                Runnable hook = c.onSlow;
                c.onSlow = null;
                runSlowHook(c, hook);
            }
        }
        if (pending.isEmpty()) {
            scanArmed.set(false);
            if (pending.isEmpty() || !scanArmed.compareAndSet(false, true)) {
                return;
            }
        }
        try {
            loop.schedule(() -> scan(loop), scanPeriodMs(pending.size()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) { // the loop is stopping: shutdown fails what is pending
            scanArmed.set(false);
            LOG.debug("deadline scan not re-armed: event loop shut down ({} calls pending)", pending.size());
        }
    }

    /** Pipeline boundary: a hook that throws is logged, the call goes on to its answer or deadline. */
    private static void runSlowHook(PendingCall c, Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            LOG.warn("slow-call hook of code {} on {} failed", c.code, c.channel, e);
        }
    }

    // ------------------------------------------------------------------------------------------ completion

    private void fail(int opaque, RemotingException cause) {
        PendingCall call = pending.remove(opaque);
        if (call != null) {
            inflight.release();
            call.future.completeExceptionally(cause);
        }
    }

    /** Completes the call {@code response} answers, or counts and releases a stray response. */
    void complete(RemotingCommand response) {
        PendingCall call = pending.remove(response.opaque());
        if (call == null) {
            strayResponses.incrementAndGet();
            LOG.debug("response with unknown opaque {} (timed out or never sent): {}", response.opaque(), response);
            response.release();
            return;
        }
        inflight.release();
        if (!call.future.complete(response)) {
            response.release();
        }
    }

    /** Fails every pending call on {@code channel} (null = all) with a {@link RemotingClosedException}. */
    void failAll(Channel channel, String cause) {
        for (PendingCall call : pending.values()) {
            if (channel == null || call.channel == channel) {
                fail(call.opaque, new RemotingClosedException(cause));
            }
        }
    }

    /** Refuses new calls from now on and fails all pending ones. */
    void shutdown() {
        shutdown = true;
        failAll(null, "endpoint shut down");
    }
}
