package io.raftmq.raft.driver;

import io.raftmq.raft.log.LogStorageException;
import io.raftmq.raft.log.RaftLog;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;

/**
 * Makes a {@link RaftAgent}'s log writes durable off the agent thread, so the agent keeps stepping (taking
 * proposals, sending appends, answering votes) while the disk syncs (docs/raft-driver.md, "Fsync off the agent
 * thread"). The agent publishes a {@link Mark} after each write ({@link #written}): a generation counter bumped by
 * every write and the last entry the log then ends with. The syncer reads the newest mark, calls
 * {@link RaftLog#sync()} (which makes every write before the call durable) and publishes that mark as synced: one
 * sync covers every write before it (group commit), and a mark is never reported before a sync that started after
 * its write returned. The agent takes the report ({@link #takeReport}) and hands its entry to
 * {@code RaftNode.persisted}, which ignores it if a truncation has since replaced that entry.
 *
 * <p>Threads: {@link #written}, {@link #takeReport} and {@link #reportWaiting} on the agent thread; the sync runs
 * on the thread {@code raft-sync-<id>} ({@link #start}) or, when nothing started it, by hand through
 * {@link #syncOnce} (the agent's own cycle, or a test). {@link RaftLog#sync()} is the one log method called from
 * the syncer thread, concurrently with the agent's appends and truncations; the log orders them (the port's
 * contract). A failed sync is kept ({@link #failure}) and stops the agent at its next cycle.
 */
final class LogSyncer {
    /** What the log held after one write: its generation and last entry. */
    record Mark(long generation, long index, long term) {
        static final Mark NONE = new Mark(0, 0, 0);
    }

    private final RaftLog log;
    private final NanoClock clock;
    private final Runnable wakeAgent;
    private final PathTrace trace;
    private final AgentRunner runner = new AgentRunner(new Duty());
    /** Held during a sync: by the syncer thread, or by the agent syncing itself when idle. */
    private final ReentrantLock syncLock = new ReentrantLock();
    /** Newest write (published by the agent). */
    private volatile Mark written = Mark.NONE;
    /** Newest write known durable (published by the syncer). Invariant: generation <= written's. */
    private volatile Mark synced = Mark.NONE;
    /** Last mark handed to the core (agent thread). */
    private Mark reported = Mark.NONE;
    private volatile Throwable failure;
    private volatile long syncs;
    private volatile long syncNanos;
    /** Told each sync's duration (metrics); a no-op unless set. */
    private volatile LongConsumer syncObserver = nanos -> { };
    private final long idleParkNs;

    LogSyncer(RaftLog log, NanoClock clock, Runnable wakeAgent, PathTrace trace) {
        this(log, clock, wakeAgent, trace, TimeUnit.SECONDS.toNanos(1));
    }

    /**
     * As above; the syncer thread, when nothing is to sync, sleeps until woken or {@code idleParkNs} (a safety net
     * only: every write that needs it wakes the thread, see {@link #handOff}).
     */
    LogSyncer(RaftLog log, NanoClock clock, Runnable wakeAgent, PathTrace trace, long idleParkNs) {
        this.idleParkNs = idleParkNs;
        this.log = log;
        this.trace = trace;
        this.clock = clock;
        this.wakeAgent = wakeAgent;
    }

    /** Starts the syncer thread. Call once; afterwards never call {@link #syncOnce} by hand. */
    void start(long nodeId) {
        runner.start("raft-sync-" + nodeId);
    }

    boolean started() {
        return runner.started();
    }

    /** Whether the syncer thread sleeps (tests wait for it before writing). Any thread; may be stale at once. */
    boolean syncerAsleep() {
        return runner.sleeping();
    }

    /**
     * Agent thread: the log now ends at ({@code index}, {@code term}) after a write. The syncer thread is not woken
     * yet: at the end of its cycle the agent either syncs itself ({@link #syncIfFree}) or hands the sync over
     * ({@link #handOff}).
     */
    void written(long index, long term) {
        Mark w = written;
        written = new Mark(w.generation() + 1, index, term);
    }

    /** Agent thread: wakes the syncer thread if a write is not covered yet (the agent has other work). */
    void handOff() {
        if (behind()) {
            runner.wake();
        }
    }

    /**
     * Agent thread, when it has nothing else to do: syncs here, unless the syncer thread is syncing (then that
     * sync's report wakes the agent). Saves the two thread hand-offs of a sync on the syncer thread
     * (docs/raft-driver.md, "Idle and hand-offs"). Returns 1 if it synced, else 0.
     */
    int syncIfFree() {
        if (!behind() || !syncLock.tryLock()) {
            return 0;
        }
        try {
            return syncLocked(false);
        } finally {
            syncLock.unlock();
        }
    }

    /** Whether a write is not yet covered by a finished sync. Any thread. */
    boolean behind() {
        return synced.generation() < written.generation();
    }

    /**
     * Syncs once if a write is not yet covered, publishes the mark read before the sync and wakes the agent.
     * Returns 1 if it synced, else 0. The syncer thread, or by hand when it is not started.
     */
    int syncOnce() {
        syncLock.lock(); // an agent syncing meanwhile holds it: wait for it (parked), then look again
        try {
            return syncLocked(true);
        } finally {
            syncLock.unlock();
        }
    }

    /** Under {@link #syncLock}: syncs if a write is not covered and publishes the mark read before it. */
    private int syncLocked(boolean wake) {
        Mark w = written; // read before the sync: the sync covers this write and every one before it
        if (w.generation() <= synced.generation()) {
            return 0;
        }
        long t0 = clock.nanoTime();
        log.sync();
        long took = clock.nanoTime() - t0;
        syncNanos += took;
        syncs++;
        syncObserver.accept(took);
        synced = w;
        if (wake) {
            wakeAgent.run();
        }
        trace.upTo("fsync", w.index());
        return 1;
    }

    /** Agent thread: whether a sync finished that the core was not told about. */
    boolean reportWaiting() {
        return synced.generation() > reported.generation() || failure != null;
    }

    /**
     * Agent thread: the newest synced mark not yet reported, or null. Throws the syncer's failure, if any: a node
     * that cannot make its log durable must stop.
     */
    Mark takeReport() {
        Throwable f = failure;
        if (f != null) {
            throw new LogStorageException("log sync failed on the syncer thread", f);
        }
        Mark s = synced;
        if (s.generation() <= reported.generation()) {
            return null;
        }
        reported = s;
        return s;
    }

    /** Stops the syncer thread after its current sync (blocks until it exited); no-op when not started. */
    void stop() {
        if (runner.started()) {
            runner.halt();
        }
    }

    /** The syncer's failure, null if none. Any thread. */
    Throwable failure() {
        return failure;
    }

    /** Tells {@code observer} the duration of every later sync, on the syncing thread (it must be cheap). */
    void observe(LongConsumer observer) {
        syncObserver = observer;
    }

    /** Syncs done so far. Any thread, racy. */
    long syncs() {
        return syncs;
    }

    /** Nanoseconds spent in syncs so far. Any thread, racy. */
    long syncNanos() {
        return syncNanos;
    }

    /** The syncer thread's duty: sync whenever a write is not covered; sleep (woken by writes) otherwise. */
    private final class Duty implements AgentRunner.Duty {
        @Override
        public int doWork() {
            return syncOnce();
        }

        @Override
        public long idleWaitNanos() {
            return behind() ? 0 : idleParkNs;
        }

        @Override
        public void onFailure(Throwable t) { // thread boundary: kept for the agent, which stops the node
            failure = t;
            wakeAgent.run();
        }

        @Override
        public void onExit() {
            // nothing to release: the log belongs to the agent
        }
    }
}
