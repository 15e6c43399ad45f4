package io.raftmq.broker.retention;

import io.raftmq.broker.snapshot.SnapshotInfo;
import io.raftmq.commitlog.retention.SegmentSpan;
import io.raftmq.raft.driver.FollowerProgress;

import java.util.List;

/**
 * Everything one retention decision reads, gathered on the broker's scheduler thread (racy reads are fine: the
 * agent-thread step clamps again to the applied and dispatched index before it deletes anything).
 *
 * @param nowMs           the broker's wall clock
 * @param usedRatio       used fraction of the store's file system
 * @param segments        the commit log's sealed segments, oldest first
 * @param compactionPoint the snapshot the log may be compacted to, null if none qualifies (nothing may go)
 * @param appliedIndex    last index the state machine applied
 * @param dispatchedIndex last index in the derived files (ConsumeQueues, key index), -1 while unknown
 * @param leader          whether this member leads (only a leader waits for followers)
 * @param followers       a leader's followers (empty on a follower)
 */
public record RetentionInputs(long nowMs, double usedRatio, List<SegmentSpan> segments, SnapshotInfo compactionPoint,
                              long appliedIndex, long dispatchedIndex, boolean leader,
                              List<FollowerProgress> followers) {
    public RetentionInputs {
        segments = List.copyOf(segments);
        followers = List.copyOf(followers);
    }
}
