package io.raftmq.client.remoting;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import io.netty.util.internal.PlatformDependent;
import io.raftmq.client.protocol.RemotingCommand;

import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The requests that threads other than the channel's event loop write to one channel, handed to the event loop in
 * batches: one drain task writes everything queued (in queue order) and flushes once. A write made from outside the
 * event loop with {@code channel.writeAndFlush} costs a task object, a task-queue insert and, when the loop sleeps,
 * a wake-up (an eventfd write) per request; here only the writer that finds no drain scheduled submits one, and the
 * requests that arrive until it runs ride on it (docs/sdk.md "Performance").
 *
 * <p>Ordering: requests offered by one thread are written in the order offered (the queue is FIFO and only drains
 * write from it). Requests written directly from the event loop (the caller checks {@code inEventLoop}) are not
 * queued: they may overtake requests other threads queued before, which no caller relies on (different threads'
 * requests have no order).
 *
 * <p>Invariant: {@code drainScheduled} is held by the one consumer of the queue (the MPSC queue allows one): set by
 * the writer that finds it clear, which submits a drain, and cleared by that drain after its last poll, which then
 * looks at the queue again and claims the flag once more if a request arrived meanwhile. So a request offered while
 * the flag is set is polled by the holder's drain or the next one, and never by two threads at once. A drain writes
 * at most {@link #DRAIN_WRITES_MAX} requests, then submits the next drain if more are queued.
 *
 * <p>Ownership: each request offered is passed to the channel with its listener (completed with the write's
 * outcome; Netty releases the request after encoding, or on a failed write) or, when the event loop refuses the
 * drain (it is shut down), released here and its listener given a failed promise.
 */
final class ChannelWriteQueue {
    /** Requests one drain writes before it yields the event loop to other tasks (and re-submits itself). */
    static final int DRAIN_WRITES_MAX = 1024;
    private static final AttributeKey<ChannelWriteQueue> KEY = AttributeKey.valueOf(ChannelWriteQueue.class,
            "writeQueue");

    /**
     * One queued write: the request, and itself as the listener of the write's outcome. A pending call is one, so a
     * queued request costs no extra object. {@code request} is set by the writer before it offers and cleared by
     * the consumer that polls it (the queue orders the two).
     */
    abstract static class Write implements ChannelFutureListener {
        RemotingCommand request;
    }

    private final Channel channel;
    private final Queue<Write> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** Drains run and requests they wrote (event loop only; read by tests and for batch statistics). */
    private long drains;
    private long drained;

    private ChannelWriteQueue(Channel channel) {
        this.channel = channel;
    }

    /** The queue of {@code channel}, created on first use. */
    static ChannelWriteQueue of(Channel channel) {
        ChannelWriteQueue q = channel.attr(KEY).get();
        if (q != null) {
            return q;
        }
        ChannelWriteQueue created = new ChannelWriteQueue(channel);
        ChannelWriteQueue raced = channel.attr(KEY).setIfAbsent(created);
        return raced == null ? created : raced;
    }

    /**
     * Queues {@code request} for the channel's event loop and makes sure a drain will write it; {@code write}
     * learns the write's outcome (on the event loop, or on this thread if the loop refused the drain) and must not
     * be queued twice at once. Ownership of {@code request} passes here. Any thread.
     */
    void write(RemotingCommand request, Write write) {
        write.request = request;
        queue.offer(write);
        if (drainScheduled.get() || !drainScheduled.compareAndSet(false, true)) {
            return;
        }
        submitDrain();
    }

    /** By the holder of {@code drainScheduled}: hands a drain to the event loop, or fails what is queued. */
    private void submitDrain() {
        while (true) {
            try {
                channel.eventLoop().execute(drainTask);
                return;
            } catch (RejectedExecutionException e) {
                failQueued(e);
                drainScheduled.set(false);
                if (queue.isEmpty() || !drainScheduled.compareAndSet(false, true)) {
                    return;
                }
            }
        }
    }

    /** On the event loop, holding {@code drainScheduled}: writes what is queued (a bounded batch), then one flush. */
    private void drain() {
        int written = 0;
        Write w;
        while (written < DRAIN_WRITES_MAX && (w = queue.poll()) != null) {
            RemotingCommand request = w.request;
            w.request = null;
            ChannelPromise p = channel.newPromise();
            p.addListener(w);
            channel.write(request, p);
            written++;
        }
        drains++;
        drained += written;
        if (written > 0) {
            channel.flush();
        }
        drainScheduled.set(false);
        if (!queue.isEmpty() && drainScheduled.compareAndSet(false, true)) {
            submitDrain();
        }
    }

    /** The event loop is gone: nothing queued will be written; release each request and fail its listener. */
    private void failQueued(Throwable cause) {
        Write w;
        while ((w = queue.poll()) != null) {
            RemotingCommand request = w.request;
            w.request = null;
            request.release();
            try {
                w.operationComplete(channel.newFailedFuture(cause));
            } catch (Exception listenerFailure) { // a listener's own failure must not strand the other writes
                cause.addSuppressed(listenerFailure);
            }
        }
    }

    /** Drains run so far (event loop, or tests after it ran). */
    long drains() {
        return drains;
    }

    /** Requests written by drains so far (event loop, or tests after it ran). */
    long drained() {
        return drained;
    }

    /** Requests queued and not yet written. */
    int queued() {
        return queue.size();
    }
}
