package io.raftmq.raft.driver;

/**
 * Counters of one {@link RaftAgent} since it was built (diagnostics, benchmarks): log syncs done by its log syncer
 * and the time spent in them, AppendEntries sent and the entries they carried ({@link #entriesPerAppend()}).
 *
 * @param logSyncs          log syncs (quorum-fsync mode; 0 in quorum-memory mode)
 * @param logSyncNanos      nanoseconds spent in those syncs
 * @param appendsSent       AppendEntries messages handed to the transport (heartbeat-like empty ones included)
 * @param appendEntriesSent entries those messages carried
 * @param proposalsAccepted proposals the core accepted as leader (committed later, or failed if overwritten, timed
 *                          out or stopped)
 */
public record AgentStats(long logSyncs, long logSyncNanos, long appendsSent, long appendEntriesSent,
                         long proposalsAccepted) {
    /** Mean entries per AppendEntries, 0 when none was sent. */
    public double entriesPerAppend() {
        return appendsSent == 0 ? 0 : (double) appendEntriesSent / appendsSent;
    }
}
