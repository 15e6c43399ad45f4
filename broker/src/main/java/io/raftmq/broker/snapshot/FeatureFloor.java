package io.raftmq.broker.snapshot;

/**
 * A feature that still needs to read messages from the commit log (an undelivered timer, an unresolved transaction
 * half) reports the lowest physical offset it needs; snapshots past it are not used as compaction points, so
 * retention keeps those messages and a member caught up by snapshot receives them (docs/snapshots.md rule 3).
 */
@FunctionalInterface
public interface FeatureFloor {
    /** Lowest commit-log offset still needed, or {@link Long#MAX_VALUE} when none. Any thread (racy reads are fine
     * if they only err low). */
    long lowestNeededOffset();
}
