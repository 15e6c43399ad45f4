package io.raftmq.raft.message;

import io.raftmq.raft.log.Entry;

import java.util.List;

/**
 * Leader to follower (§5.3): entries following {@code (prevLogIndex, prevLogTerm)}, plus the leader's commit
 * index. An empty entry list probes the follower or carries a new commit index.
 */
public record AppendEntries(long from, long to, long term, long prevLogIndex, long prevLogTerm,
                            List<Entry> entries, long leaderCommit) implements RaftMessage {
    public AppendEntries {
        entries = List.copyOf(entries);
    }
}
