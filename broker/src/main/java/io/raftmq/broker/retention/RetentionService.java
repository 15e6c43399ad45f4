package io.raftmq.broker.retention;

import io.raftmq.broker.retention.RetentionPlan.Deletion;
import io.raftmq.broker.snapshot.SnapshotCatalog;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.retention.SegmentSpan;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.raft.driver.FollowerProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Retention on one member (docs/snapshots.md "Retention"): every {@code cleanResourceInterval} the broker's scheduler
 * gathers the inputs ({@link RetentionInputs}: the broker's {@link Clock}, the {@link DiskUsage} port, the commit
 * log's sealed segments, the {@link SnapshotCatalog}'s compaction point, the raft status) and asks the
 * {@link RetentionPolicy}; if segments may go, the deletion runs on the raft agent thread (the raft log and the
 * dispatcher are single-threaded there), in this order:
 * <ol>
 *   <li>clamp the plan again to the applied and dispatched index (exact on that thread);</li>
 *   <li>checkpoint the derived files, so the dispatch checkpoint is at or above the new log start;</li>
 *   <li>{@code compactTo}: the compaction boundary is written, then the segments are deleted;</li>
 *   <li>ConsumeQueue and index files whose entries all point below the new log start are deleted.</li>
 * </ol>
 * A crash between any two steps leaves a store that opens: the boundary may be ahead of the deleted segments
 * (finished on open), derived files below the start are deleted by the next run or by the dispatcher's own recovery.
 *
 * <p>Each deleted segment is logged at INFO (base position, indexes, reason, bytes) and counted
 * ({@link #deletedSegments()}, {@link #deletedBytes()}). At most one deletion is in flight at a time.
 *
 * <p>Threads: {@link #runOnce} on one scheduler thread; the deletion on the raft agent thread ({@link RaftSide}).
 * Errors: a failing {@link DiskUsage} skips the run (WARN); a failure of the deletion itself (the raft log or the
 * derived files cannot be written) is thrown on the agent thread and stops the member like any storage failure.
 */
public final class RetentionService {
    private static final Logger LOG = LoggerFactory.getLogger(RetentionService.class);
    /** Sealed segments looked at per run: more than any run deletes. */
    private static final int SEGMENTS_LISTED_MAX = 1024;

    private final RetentionSettings settings;
    private final RetentionPolicy policy;
    private final Clock clock;
    private final DiskUsage disk;
    private final SnapshotCatalog catalog;
    private final MessageStore store;
    private final RaftSide raft;
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicLong deletedSegments = new AtomicLong();
    private final AtomicLong deletedBytes = new AtomicLong();
    private final AtomicLong runs = new AtomicLong();
    /** The disk was above the warning ratio at the last run: producers' writes are refused ({@link DiskFullGuard}). */
    private volatile boolean diskFull;
    /** The last floor that held segments back, logged once per change (scheduler thread). */
    private String lastHeldBy;

    /**
     * What retention needs from the raft side of the member. {@link #runOnAgentThread} runs a task between two duty
     * cycles of the raft agent; {@link #appliedIndex} and {@link #compactTo} are called from such a task only.
     */
    public interface RaftSide {
        /** Whether this member leads now. Any thread. */
        boolean isLeader();

        /** A leader's followers (empty otherwise). Any thread. */
        List<FollowerProgress> followers();

        /** Last applied index (racy from other threads, exact on the agent thread). */
        long appliedIndex();

        /** Runs {@code task} on the raft agent thread. Any thread. */
        void runOnAgentThread(Runnable task);

        /** Compacts the raft log through at most {@code index}; returns the segments deleted. Agent thread. */
        int compactTo(long index);

        /** Asks for a snapshot at the next duty cycle (a later run may then compact to it). Any thread. */
        void requestSnapshot();
    }

    public RetentionService(RetentionSettings settings, Clock clock, DiskUsage disk, SnapshotCatalog catalog,
                            MessageStore store, RaftSide raft) {
        this.settings = settings;
        this.policy = new RetentionPolicy(settings);
        this.clock = clock;
        this.disk = disk;
        this.catalog = catalog;
        this.store = store;
        this.raft = raft;
    }

    /** Runs {@link #runOnce} every {@code intervalMs} on {@code scheduler}; cancel the returned future to stop. */
    public ScheduledFuture<?> start(ScheduledExecutorService scheduler) {
        return scheduler.scheduleWithFixedDelay(this::runSafely, settings.intervalMs(), settings.intervalMs(),
            TimeUnit.MILLISECONDS);
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) { // scheduler boundary: a failed run is logged, the next one tries again
            LOG.error("retention run failed", e);
        }
    }

    /**
     * One run: decide, and hand the deletion to the agent thread. Returns the plan (null when the run was skipped:
     * a deletion still in flight, or the disk usage unknown). Scheduler thread (tests call it by hand).
     */
    public RetentionPlan runOnce() {
        if (inFlight.get()) {
            return null;
        }
        RetentionInputs in = gather();
        if (in == null) {
            return null;
        }
        runs.incrementAndGet();
        RetentionPlan plan = policy.plan(in);
        report(in, plan);
        if (plan.diskWarning() != diskFull) {
            LOG.warn("store disk {}% used: producers' writes are {}", percent(in.usedRatio()),
                plan.diskWarning() ? "refused until retention frees space" : "accepted again");
        }
        diskFull = plan.diskWarning();
        if (plan.snapshotWanted()) {
            raft.requestSnapshot(); // docs/snapshots.md rule 2: taken before retention wants to delete
        }
        if (!plan.deletions().isEmpty() && inFlight.compareAndSet(false, true)) {
            raft.runOnAgentThread(() -> {
                try {
                    delete(plan);
                } finally {
                    inFlight.set(false);
                }
            });
        }
        return plan;
    }

    private RetentionInputs gather() {
        double used;
        try {
            used = disk.usedRatio();
        } catch (IOException e) {
            LOG.warn("retention skipped: disk usage of the store unknown: {}", e.toString());
            return null;
        }
        boolean leader = raft.isLeader();
        return new RetentionInputs(clock.wallMillis(), used, store.commitLog().sealedSegments(SEGMENTS_LISTED_MAX),
            catalog.compactionPoint(), raft.appliedIndex(), store.dispatchedIndex(), leader,
            leader ? raft.followers() : List.of());
    }

    private void report(RetentionInputs in, RetentionPlan plan) {
        if (plan.diskWarning()) {
            LOG.warn("store disk {}% used, above diskSpaceWarningLevelRatio {}%: producers' writes are refused",
                percent(in.usedRatio()), percent(settings.warningRatio()));
        }
        String held = plan.heldBy();
        if (held != null && !held.equals(lastHeldBy)) {
            LOG.info("retention keeps segments it would delete: held by {} (disk {}% used)", held,
                percent(in.usedRatio()));
        }
        lastHeldBy = held;
    }

    /** Agent thread: the ordered deletion of the class comment. */
    private void delete(RetentionPlan plan) {
        long through = Math.min(plan.throughIndex(), Math.min(raft.appliedIndex() - 1, store.dispatchedIndex()));
        CommitLog log = store.commitLog();
        if (through < log.firstIndex()) {
            return;
        }
        try {
            store.checkpoint();
            raft.compactTo(through);
            int derived = store.deleteDerivedBelowLogStart();
            account(plan, log.firstIndex(), derived);
        } catch (IOException e) {
            throw new UncheckedIOException("retention: derived files could not be checkpointed or deleted", e);
        }
    }

    private void account(RetentionPlan plan, long firstKept, int derivedFiles) {
        int n = 0;
        for (Deletion d : plan.deletions()) {
            SegmentSpan s = d.span();
            if (s.lastIndex() >= firstKept) {
                break;
            }
            n++;
            deletedSegments.incrementAndGet();
            deletedBytes.addAndGet(s.bytes());
            LOG.info("retention deleted commit log segment at {} (indexes {}..{}, {} bytes): {}", s.basePosition(),
                s.firstIndex(), s.lastIndex(), s.bytes(), d.reason());
        }
        if (n > 0) {
            LOG.info("retention: log now starts at index {} (position {}); {} ConsumeQueue/index file(s) deleted",
                firstKept, store.commitLog().startPosition(), derivedFiles);
        }
    }

    private static long percent(double ratio) {
        return Math.round(ratio * 100);
    }

    /** Commit log segments deleted since start. Any thread. */
    public long deletedSegments() {
        return deletedSegments.get();
    }

    /** Bytes of those segments. Any thread. */
    public long deletedBytes() {
        return deletedBytes.get();
    }

    /** Runs that decided (skipped ones not counted). Any thread. */
    public long runs() {
        return runs.get();
    }

    /** Whether the last run found the disk above diskSpaceWarningLevelRatio (writes refused). Any thread. */
    public boolean diskFull() {
        return diskFull;
    }

    /** Whether a deletion handed to the agent thread has not finished yet. Any thread. */
    public boolean deletionInFlight() {
        return inFlight.get();
    }
}
