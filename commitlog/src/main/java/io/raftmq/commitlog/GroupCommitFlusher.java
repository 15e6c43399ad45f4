package io.raftmq.commitlog;

import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.StorageFailedException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.flush.FlushAgent;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.flush.GroupCommit;
import io.raftmq.commitlog.time.Clock;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The group-commit flusher: owns the flush agent and what each of its cycles does. In SYNC mode a cycle claims
 * every queued coalesced append, writes them as one group under the append lock, forces once and wakes exactly the
 * callers it covered (all DONE, or all FAILED with the same exception); with nothing queued it just forces what
 * {@code CommitLog.append} wrote. In ASYNC mode a cycle forces; in MANUAL mode there is no agent and no queue.
 * See docs/storage.md, "CommitLog: two ways to append", and {@link AppendQueue} for the hand-off.
 *
 * <p>Thread-safety: {@link #appendQueued} from any thread; the {@link FlushAgent.Target} methods on the agent
 * thread; {@link #failQueued} by close after the agent stopped. Statistics are written by the agent only and read
 * racily.
 */
final class GroupCommitFlusher implements FlushAgent.Target {
    private final LogWriter writer;
    private final PublishedTail tail;
    private final LogForcer forcer;
    private final Checkpointer checkpointer;
    private final GroupCommit groupCommit;
    private final ReentrantLock appendLock;
    private final ReentrantLock forceLock;
    private final LogFence fence;
    private final Clock clock;
    /** Null in MANUAL mode. */
    private final FlushAgent agent;
    /** Coalesced appends waiting for the flush agent (SYNC mode), else null. */
    private final AppendQueue appendQueue;
    /** The batches of the agent's current cycle (agent thread, or close after the agent stopped). */
    private final AppendBatch[] cycle;
    private volatile long cycleCount;
    private volatile long cycleBatches;
    private volatile long wakeNanos;

    GroupCommitFlusher(CommitLogConfig config, LogWriter writer, PublishedTail tail, LogForcer forcer,
        Checkpointer checkpointer, GroupCommit groupCommit, LogLocks locks, LogFence fence) {
        this.writer = writer;
        this.tail = tail;
        this.forcer = forcer;
        this.checkpointer = checkpointer;
        this.groupCommit = groupCommit;
        this.appendLock = locks.append();
        this.forceLock = locks.force();
        this.fence = fence;
        this.clock = config.clock();
        this.agent = config.flushMode() == FlushMode.MANUAL ? null
            : new FlushAgent(this, config.flushMode(), config.flushIntervalMs(), config.checkpointIntervalMs(), clock);
        int queuedMax = Math.min(config.durableWaitersMax(), CommitLog.COALESCED_QUEUED_MAX);
        this.appendQueue = config.flushMode() == FlushMode.SYNC
            ? new AppendQueue(queuedMax, groupCommit, clock) : null;
        this.cycle = appendQueue == null ? null : new AppendBatch[queuedMax];
    }

    /** True if there is an agent thread to start (SYNC and ASYNC modes). */
    boolean hasAgent() {
        return agent != null;
    }

    void start(String threadName) {
        agent.start(threadName);
    }

    /** Stops the agent thread and waits for it (close); no-op in MANUAL mode. */
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.stop();
        }
    }

    /** After a plain append: in SYNC mode the agent forces at once. Any thread, cheap when the agent is busy. */
    void appended() {
        if (appendQueue != null) {
            agent.wake();
        }
    }

    /** True in SYNC mode, where coalesced appends go through the agent's queue. */
    boolean queues() {
        return appendQueue != null;
    }

    /**
     * A SYNC-mode coalesced append: queues the batch, wakes the agent and parks until a cycle completed it. Errors as
     * {@code CommitLog.appendCoalesced}. Any thread.
     */
    void appendQueued(AppendBatch batch, long timeoutNs) {
        fence.ensureUsable();
        long deadlineNs = clock.nanoTime() + timeoutNs;
        appendQueue.submit(batch, deadlineNs);
        agent.wake();
        appendQueue.await(batch, deadlineNs, timeoutNs);
    }

    /** Coalesced appends queued for the agent (0 outside SYNC mode; tests, diagnostics). Any thread. */
    int queued() {
        return appendQueue == null ? 0 : appendQueue.queued();
    }

    /** Fails every queued coalesced append with {@code failure} (close, after the agent stopped). */
    void failQueued(CommitLogException failure) {
        if (appendQueue != null) {
            appendQueue.failAll(cycle, failure);
        }
    }

    /** Cycles run, batches they completed and nanoseconds spent completing and waking them: racy. */
    long cycleCount() {
        return cycleCount;
    }

    long cycleBatches() {
        return cycleBatches;
    }

    long wakeNanos() {
        return wakeNanos;
    }

    @Override
    public boolean hasPending() {
        return tail.readablePosition() > groupCommit.durablePosition()
            || appendQueue != null && appendQueue.hasQueued();
    }

    @Override
    public void forcePending() {
        if (appendQueue != null) {
            commitCycle();
        } else {
            forcer.forcePending();
        }
    }

    @Override
    public void checkpoint() {
        checkpointer.checkpoint();
    }

    @Override
    public void fail(RuntimeException e) {
        StorageFailedException f = new StorageFailedException("flush agent died: " + e, e);
        forceLock.lock();
        try {
            groupCommit.fail(f);
        } finally {
            forceLock.unlock();
        }
        failQueued(f);
    }

    /**
     * One group-commit cycle (SYNC mode): claims every queued coalesced append, writes them as one group, forces, and
     * completes them. With nothing queued it just forces what append wrote. Agent thread only.
     */
    private void commitCycle() {
        int n = appendQueue.claim(cycle);
        if (n == 0) {
            forcer.forcePending();
            return;
        }
        CommitLogException failure = null;
        boolean finished = false;
        try {
            failure = writeAndForceCycle(n);
            finished = true;
        } finally {
            // A bug thrown out of the cycle still completes its waiters (the agent then fences the log).
            long t0 = clock.nanoTime();
            AppendQueue.complete(cycle, n, finished ? failure
                : new StorageFailedException("flush agent failed during a group commit", null));
            wakeNanos += clock.nanoTime() - t0;
            cycleBatches += n;
            cycleCount++;
        }
    }

    /**
     * Writes the n claimed batches and forces them; returns null on success, else the failure of the whole cycle.
     * The force lock is taken before the append lock is released, so no truncation or reset (they need both) can
     * slip between the write and the force: after a successful force every batch of the cycle is durable.
     */
    private CommitLogException writeAndForceCycle(int n) {
        PublishedTail.Snapshot snap;
        appendLock.lock();
        try {
            fence.ensureUsable();
            writeCycleLocked(n);
            snap = tail.snapshotLocked();
            forceLock.lock();
        } catch (CommitLogException e) {
            return e;
        } finally {
            appendLock.unlock();
        }
        try {
            forcer.forceTo(snap);
            CommitLogException f = groupCommit.failure();
            if (f == null) {
                Verify.state(groupCommit.durablePosition() >= snap.position(), "group commit cycle not durable",
                    snap.position(), groupCommit.durablePosition());
            }
            return f;
        } finally {
            forceLock.unlock();
        }
    }

    /** Caller holds the append lock: assigns indices and writes the cycle's batches all-or-nothing, then publishes. */
    private void writeCycleLocked(int n) {
        writer.begin();
        boolean ok = false;
        try {
            for (int i = 0; i < n; i++) {
                AppendBatch b = cycle[i];
                b.assignIndices(writer.nextIndex());
                writer.add(b);
                b.setEndPosition(writer.writePosition());
            }
            writer.commit();
            ok = true;
        } catch (IOException e) {
            throw LogFence.ioError("coalesced append of " + n + " batch(es) at " + writer.groupStartPosition(), e);
        } finally {
            if (!ok) {
                writer.rollback();
            }
        }
        tail.publish();
    }
}
