package io.raftmq.commitlog;

/**
 * Counters of the log's group commit since it opened, for benchmarks and diagnostics ({@link CommitLog#forceStats()};
 * read racily, so a snapshot may mix counts of adjacent cycles). Subtract two snapshots with {@link #since}.
 *
 * @param forces       group-commit forces (one fdatasync of the pending segments each)
 * @param forceNanos   nanoseconds spent in those forces
 * @param cycles       coalesced-append cycles of the flush agent (SYNC mode)
 * @param cycleBatches coalesced batches those cycles completed
 * @param wakeNanos    nanoseconds the flush agent spent completing and waking the callers of those cycles
 */
public record ForceStats(long forces, long forceNanos, long cycles, long cycleBatches, long wakeNanos) {

    /** The counts accumulated between {@code earlier} and this snapshot. */
    public ForceStats since(ForceStats earlier) {
        return new ForceStats(forces - earlier.forces, forceNanos - earlier.forceNanos, cycles - earlier.cycles,
            cycleBatches - earlier.cycleBatches, wakeNanos - earlier.wakeNanos);
    }
}
