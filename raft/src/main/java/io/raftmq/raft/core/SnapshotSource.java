package io.raftmq.raft.core;

import io.raftmq.raft.statemachine.Snapshot;

/**
 * Port: where a leader finds the snapshot it sends to a follower that needs entries below the log's first
 * retained index. The driver answers with the latest snapshot its {@link io.raftmq.raft.statemachine.StateMachine}
 * took; whoever compacts the log must have taken a snapshot at or past the compaction point first.
 * Called on the raft thread; the returned data is shared and never mutated.
 */
@FunctionalInterface
public interface SnapshotSource {
    /** The latest snapshot, or null if none was ever taken. */
    Snapshot latestSnapshot();
}
