package io.raftmq.raft.driver;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.RaftConfig;

import java.util.Objects;

/**
 * Settings of one {@link RaftAgent}, validated once here; time in the core is counted in ticks of {@code tickMs}.
 *
 * <p><b>Default timeouts and why</b> ({@link #defaults}): tick 10 ms, heartbeat every 5 ticks (50 ms), election
 * timeout 30 ticks, i.e. a follower campaigns after a random 300..600 ms without hearing from a leader (the core
 * draws from {@code [electionTicks, 2 * electionTicks)}).
 * <ul>
 *   <li>Fast failover: after the leader dies the first follower times out 300..600 ms after the last heartbeat
 *       it got, runs pre-vote and vote (two loopback round trips plus one vote fsync, a few ms) and commits the
 *       new term's no-op (one more round trip and fsync): a new leader commits about 0.3..0.6 s after the death,
 *       inside the 1 s goal even at the far end of the range.
 *   <li>No spurious elections on a noisy 2-core machine: a follower must miss six heartbeats in a row (50 ms
 *       apart) before campaigning; loopback stalls of 5..30 ms and short GC pauses stay far below 300 ms.
 *       Check-quorum uses the same 300 ms window, and pre-vote keeps a node that was merely slow from bumping the
 *       term. A stalled agent does not replay the ticks it missed (it drains its inbox first and then ticks at
 *       most twice), so a long pause of its own does not make it campaign on waking.
 *   <li>Few terms per failover: the 300 ms spread of the random timeout is 60 times the few ms an election takes,
 *       so two followers rarely campaign together, and a follower that still hears from the leader ignores
 *       vote requests (leader lease), so a lone impatient node cannot depose a healthy leader.
 *   <li>The 10 ms tick bounds timer error to 10 ms; the agent sleeps between ticks when idle (no busy spin on a
 *       shared 2-core machine) and wakes at once when a message or proposal arrives.
 * </ul>
 *
 * @param raft                  core settings (node id, ticks, batching, limits)
 * @param tickMs                length of one core tick
 * @param durability            when entries count as persisted ({@link DurabilityMode})
 * @param inboxMax              inbound messages queued from the transport; more are dropped (lossy by contract)
 * @param proposalQueueMax      proposals queued from other threads; more fail with QUEUE_FULL
 * @param proposalsPerCycleMax  proposals taken into the log per duty cycle (they share one Ready: batching)
 * @param inboxPerCycleMax      inbound messages stepped per duty cycle
 * @param proposalTimeoutMs     a proposal not committed by then fails with {@link ProposalTimeoutException}
 * @param commitSaveIntervalMs  how often a hard state that changed only its commit index is saved (term and vote
 *                              changes are saved before any message that depends on them, always)
 * @param stopTransferTimeoutMs how long a graceful stop waits for leadership to move before exiting anyway
 * @param applySliceMs          time one duty cycle spends applying committed entries (at least one entry per
 *                              cycle), so ticks, votes and appends run between slices of a long apply backlog
 *                              (docs/raft-driver.md, "Apply slicing"); keep it below {@code tickMs}
 * @param snapshotIntervalEntries with a {@link io.raftmq.raft.statemachine.SnapshotStore}: a snapshot is taken and
 *                              offered to it every this many applied entries (docs/snapshots.md rule 2)
 */
public record RaftAgentConfig(RaftConfig raft, long tickMs, DurabilityMode durability, int inboxMax,
                              int proposalQueueMax, int proposalsPerCycleMax, int inboxPerCycleMax,
                              long proposalTimeoutMs, long commitSaveIntervalMs, long stopTransferTimeoutMs,
                              long applySliceMs, long snapshotIntervalEntries) {
    /** Default apply slice: half of the default 10 ms tick, so a cycle that applies still ticks on time. */
    public static final long APPLY_SLICE_MS_DEFAULT = 5;
    /** Default snapshot interval in applied entries. */
    public static final long SNAPSHOT_INTERVAL_ENTRIES_DEFAULT = 100_000;

    /** As the canonical constructor with the apply slice {@code min(APPLY_SLICE_MS_DEFAULT, tickMs / 2)}. */
    public RaftAgentConfig(RaftConfig raft, long tickMs, DurabilityMode durability, int inboxMax,
                           int proposalQueueMax, int proposalsPerCycleMax, int inboxPerCycleMax,
                           long proposalTimeoutMs, long commitSaveIntervalMs, long stopTransferTimeoutMs) {
        this(raft, tickMs, durability, inboxMax, proposalQueueMax, proposalsPerCycleMax, inboxPerCycleMax,
            proposalTimeoutMs, commitSaveIntervalMs, stopTransferTimeoutMs,
            Math.max(1, Math.min(APPLY_SLICE_MS_DEFAULT, tickMs / 2)), SNAPSHOT_INTERVAL_ENTRIES_DEFAULT);
    }

    /** As the canonical constructor with the default snapshot interval. */
    public RaftAgentConfig(RaftConfig raft, long tickMs, DurabilityMode durability, int inboxMax,
                           int proposalQueueMax, int proposalsPerCycleMax, int inboxPerCycleMax,
                           long proposalTimeoutMs, long commitSaveIntervalMs, long stopTransferTimeoutMs,
                           long applySliceMs) {
        this(raft, tickMs, durability, inboxMax, proposalQueueMax, proposalsPerCycleMax, inboxPerCycleMax,
            proposalTimeoutMs, commitSaveIntervalMs, stopTransferTimeoutMs, applySliceMs,
            SNAPSHOT_INTERVAL_ENTRIES_DEFAULT);
    }

    public RaftAgentConfig {
        Objects.requireNonNull(raft, "raft");
        Objects.requireNonNull(durability, "durability");
        Verify.argument(tickMs >= 1, "tickMs must be >= 1");
        Verify.argument(inboxMax >= 16, "inboxMax must be >= 16");
        Verify.argument(proposalQueueMax >= 1, "proposalQueueMax must be >= 1");
        Verify.argument(proposalsPerCycleMax >= 1, "proposalsPerCycleMax must be >= 1");
        Verify.argument(inboxPerCycleMax >= 1, "inboxPerCycleMax must be >= 1");
        Verify.argument(proposalTimeoutMs >= tickMs, "proposalTimeoutMs must be >= tickMs");
        Verify.argument(commitSaveIntervalMs >= 1, "commitSaveIntervalMs must be >= 1");
        Verify.argument(stopTransferTimeoutMs >= 0, "stopTransferTimeoutMs must be >= 0");
        Verify.argument(applySliceMs >= 1, "applySliceMs must be >= 1");
        Verify.argument(snapshotIntervalEntries >= 1, "snapshotIntervalEntries must be >= 1");
    }

    /** Election timeout (lower end of its random range) in ms. */
    public long electionTimeoutMsMin() {
        return raft.electionTicks() * tickMs;
    }

    /** Defaults for node {@code nodeId}; see the class javadoc for the timeouts. */
    public static RaftAgentConfig defaults(long nodeId) {
        RaftConfig core = new RaftConfig(nodeId, 30, 5, 64, 4 << 20, 1024, 65_536, true, true);
        return new RaftAgentConfig(core, 10, DurabilityMode.QUORUM_FSYNC, 8192, 65_536, 8192, 4096, 5_000,
            1_000, 2_000);
    }

    /** A copy with another durability mode. */
    public RaftAgentConfig withDurability(DurabilityMode mode) {
        return new RaftAgentConfig(raft, tickMs, mode, inboxMax, proposalQueueMax, proposalsPerCycleMax,
            inboxPerCycleMax, proposalTimeoutMs, commitSaveIntervalMs, stopTransferTimeoutMs, applySliceMs,
            snapshotIntervalEntries);
    }

    /** A copy with another apply slice. */
    public RaftAgentConfig withApplySliceMs(long sliceMs) {
        return new RaftAgentConfig(raft, tickMs, durability, inboxMax, proposalQueueMax, proposalsPerCycleMax,
            inboxPerCycleMax, proposalTimeoutMs, commitSaveIntervalMs, stopTransferTimeoutMs, sliceMs,
            snapshotIntervalEntries);
    }

    /** A copy with another snapshot interval. */
    public RaftAgentConfig withSnapshotIntervalEntries(long entries) {
        return new RaftAgentConfig(raft, tickMs, durability, inboxMax, proposalQueueMax, proposalsPerCycleMax,
            inboxPerCycleMax, proposalTimeoutMs, commitSaveIntervalMs, stopTransferTimeoutMs, applySliceMs, entries);
    }
}
