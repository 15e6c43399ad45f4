package io.raftmq.raft.driver;

/**
 * What a leader knows about one follower, for services that must not delete what a live follower still needs (log
 * retention): how far its log matches the leader's and how long ago the leader last heard from it.
 *
 * @param nodeId     the follower
 * @param matchIndex highest index known to be in the follower's log (0 while unknown, e.g. just after an election)
 * @param silentMs   milliseconds since the leader last heard from it (by the agent's clock, at a granularity of one
 *                   check-quorum round); {@link Long#MAX_VALUE} if never heard from in this term
 */
public record FollowerProgress(long nodeId, long matchIndex, long silentMs) {
}
