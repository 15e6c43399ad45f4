package io.raftmq.commitlog;

import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.DurableTimeoutException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.flush.GroupCommit;
import io.raftmq.commitlog.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The hand-off of {@link CommitLog#appendCoalesced}: appender threads push their {@link AppendBatch} onto a
 * lock-free stack (one CAS, no lock, no allocation: the batch itself is the node) and park on it; the flush agent
 * ({@link GroupCommitFlusher}) takes the whole stack with one swap, claims the batches in arrival order, writes and
 * forces them as one group, and completes them (see the state diagram on {@link AppendBatch}).
 *
 * <p><b>Cancellation.</b> An appender whose deadline passes while its batch is still QUEUED cancels it by CAS, so
 * the log never writes it. The agent may still hold the batch as a node of a stack it has taken but not walked yet,
 * so a cancelled batch keeps its {@code next} link until the agent skips it and releases it (CANCELLED -> IDLE); a
 * new submit of that batch waits for the release (at most one agent cycle, bounded by the caller's timeout). Once
 * CLAIMED, the batch is the log's until it completes; an appender that times out then waits up to its timeout again
 * for the completion and only then gives up, leaving the batch {@link AppendBatch#inFlight()}.
 *
 * <p>Thread-safety: {@link #submit} and {@link #await} from any thread (one per batch); {@link #claim},
 * {@link #complete} and {@link #failAll} by one consumer at a time (the flush agent, or close after the agent
 * stopped). Bounded: at most {@code queuedMax} batches wait in the stack.
 */
final class AppendQueue {
    /** Longest park between checks of the log's failure (a fenced log whose agent died completes nothing). */
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private final AtomicReference<AppendBatch> head = new AtomicReference<>();
    private final int queuedMax;
    /** Consulted for a fencing failure while a batch waits unclaimed. */
    private final GroupCommit groupCommit;
    private final Clock clock;

    AppendQueue(int queuedMax, GroupCommit groupCommit, Clock clock) {
        Verify.state(queuedMax > 0, "queuedMax must be positive", queuedMax);
        this.queuedMax = queuedMax;
        this.groupCommit = groupCommit;
        this.clock = clock;
    }

    int queuedMax() {
        return queuedMax;
    }

    /** Batches waiting to be claimed (may overstate while pushes race; tests and diagnostics). Any thread. */
    int queued() {
        AppendBatch h = head.get();
        return h == null ? 0 : h.depth;
    }

    /** True if batches wait to be claimed. Any thread. */
    boolean hasQueued() {
        return head.get() != null;
    }

    /**
     * Queues the batch (caller thread). Waits while an earlier, cancelled submit of the same batch is not yet
     * released by the agent.
     *
     * @throws IllegalStateException   the batch is already in flight, or queuedMax batches are queued
     * @throws DurableTimeoutException the deadline passed while waiting for the release
     */
    void submit(AppendBatch batch, long deadlineNs) {
        Thread me = Thread.currentThread();
        for (int s = batch.state(); ; s = batch.state()) {
            if (s == AppendBatch.CANCELLED) {
                awaitRelease(batch, deadlineNs);
                continue;
            }
            Verify.state(s != AppendBatch.QUEUED && s != AppendBatch.CLAIMED, "append batch already in flight", s);
            batch.waiter = me;
            batch.failure = null;
            batch.setEndPosition(-1);
            if (batch.casState(s, AppendBatch.QUEUED)) {
                break;
            }
        }
        push(batch);
    }

    private void push(AppendBatch batch) {
        for (;;) {
            AppendBatch h = head.get();
            int depth = h == null ? 1 : h.depth + 1;
            if (depth > queuedMax) {
                batch.setState(AppendBatch.IDLE);
                throw new IllegalStateException("more than " + queuedMax + " coalesced appends queued");
            }
            batch.next = h;
            batch.depth = depth;
            if (head.compareAndSet(h, batch)) {
                return;
            }
        }
    }

    private void awaitRelease(AppendBatch batch, long deadlineNs) {
        while (batch.state() == AppendBatch.CANCELLED) {
            long left = deadlineNs - clock.nanoTime();
            if (left <= 0) {
                throw new DurableTimeoutException("append batch not released by the flush agent in time after an"
                    + " earlier timeout; nothing was written");
            }
            LockSupport.parkNanos(batch, Math.min(left, POLL_NS));
        }
    }

    /**
     * Parks until the batch completes (caller thread, after {@link #submit}). Returns when DONE.
     *
     * @throws CommitLogException      the group failed (all-or-nothing: nothing of it was kept) or the log is fenced
     * @throws DurableTimeoutException the deadline passed (see the class comment for the claimed case)
     */
    void await(AppendBatch batch, long deadlineNs, long timeoutNs) {
        long graceEndNs = deadlineNs + timeoutNs;
        for (int s = batch.state(); ; s = batch.state()) {
            if (s == AppendBatch.DONE) {
                return;
            }
            if (s == AppendBatch.FAILED) {
                throw batch.failure;
            }
            long now = clock.nanoTime();
            if (s == AppendBatch.QUEUED) {
                CommitLogException f = groupCommit.failure();
                if ((f != null || now - deadlineNs >= 0) && batch.casState(AppendBatch.QUEUED, AppendBatch.CANCELLED)) {
                    throw f != null ? f : new DurableTimeoutException("coalesced append still queued after "
                        + timeoutNs + " ns; cancelled, nothing was written");
                }
            } else if (s == AppendBatch.CLAIMED && now - graceEndNs >= 0) {
                throw new DurableTimeoutException("coalesced append claimed by the flush agent but not completed"
                    + " within twice its timeout of " + timeoutNs + " ns; the batch stays in flight");
            }
            long until = s == AppendBatch.QUEUED ? deadlineNs : graceEndNs;
            LockSupport.parkNanos(batch, Math.max(1, Math.min(until - now, POLL_NS)));
        }
    }

    /**
     * Takes every queued batch, claims those not cancelled into {@code dst} in arrival order and releases the
     * cancelled ones. Returns how many were claimed. Consumer only; {@code dst} holds at least queuedMax.
     */
    int claim(AppendBatch[] dst) {
        AppendBatch b = head.getAndSet(null);
        int n = 0;
        while (b != null) {
            AppendBatch next = b.next;
            b.next = null;
            if (b.casState(AppendBatch.QUEUED, AppendBatch.CLAIMED)) {
                Verify.state(n < dst.length, "more claimed batches than queuedMax", n, dst.length);
                dst[n++] = b;
            } else {
                Verify.state(b.state() == AppendBatch.CANCELLED, "queued batch neither queued nor cancelled",
                    b.state());
                Thread w = b.waiter;
                b.setState(AppendBatch.IDLE);
                LockSupport.unpark(w);
            }
            b = next;
        }
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            AppendBatch t = dst[i];
            dst[i] = dst[j];
            dst[j] = t;
        }
        return n;
    }

    /**
     * Completes the n claimed batches in {@code batches}: DONE when {@code failure} is null, else FAILED with it
     * (end positions reset); wakes each waiter and drops the references. Consumer only.
     */
    static void complete(AppendBatch[] batches, int n, CommitLogException failure) {
        for (int i = 0; i < n; i++) {
            AppendBatch b = batches[i];
            batches[i] = null;
            Verify.state(b.state() == AppendBatch.CLAIMED, "completing a batch that is not claimed", b.state());
            Thread w = b.waiter;
            if (failure == null) {
                b.setState(AppendBatch.DONE);
            } else {
                b.failure = failure;
                b.setEndPosition(-1);
                b.setState(AppendBatch.FAILED);
            }
            LockSupport.unpark(w);
        }
    }

    /** Fails every queued batch with {@code failure} (close, or the agent died). Consumer only. */
    void failAll(AppendBatch[] scratch, CommitLogException failure) {
        int n = claim(scratch);
        complete(scratch, n, failure);
    }
}
