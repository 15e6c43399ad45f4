package io.raftmq.client.remoting;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
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

/**
 * Request/response correlation of one {@link NettyRemotingEndpoint}: each outgoing two-way request gets the next
 * opaque and a pending call keyed by it; the response with that opaque completes the call. A call also ends on its
 * timeout (a timer on the channel's event loop), a failed write, its channel closing, or shutdown. Outgoing calls
 * (two-way and oneway) are bounded by an in-flight semaphore.
 *
 * <p>Invariant: a pending call holds exactly one permit of {@code inflight}, returned exactly once when the call
 * completes (response, timeout, write failure, channel close or shutdown). Ownership: a request handed to
 * {@code invoke*} is written or released here; a response is handed to the call's future or released.
 */
final class PendingCalls {
    private static final Logger LOG = LoggerFactory.getLogger(PendingCalls.class);

    private final ConcurrentHashMap<Integer, PendingCall> pending = new ConcurrentHashMap<>();
    private final AtomicInteger nextOpaque = new AtomicInteger();
    private final AtomicLong strayResponses = new AtomicLong();
    private final Semaphore inflight;
    private volatile boolean shutdown;

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

    PendingCalls(int inflightRequestsMax) {
        Verify.argument(inflightRequestsMax > 0, "inflightRequestsMax must be positive");
        this.inflight = new Semaphore(inflightRequestsMax);
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

    /** See {@link NettyRemotingEndpoint#invokeAsync}. */
    CompletableFuture<RemotingCommand> invokeAsync(Channel channel, RemotingCommand request, long timeoutMs) {
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

    private void fail(int opaque, RemotingException cause) {
        PendingCall call = pending.remove(opaque);
        if (call != null) {
            call.releasePermit();
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
        call.releasePermit();
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
