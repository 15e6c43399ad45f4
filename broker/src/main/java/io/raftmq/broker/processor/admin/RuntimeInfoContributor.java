package io.raftmq.broker.processor.admin;

import java.util.Map;

/**
 * Hook: adds or overrides GET_BROKER_RUNTIME_INFO (28) keys. The replication layer contributes {@code raftRole},
 * {@code raftTerm}, {@code raftCommitIndex}, {@code raftLeaderId}; {@link BrokerStatsContributor} the traffic and
 * store figures (putTps, getTransferredTps, the day totals, earliestMessageTimeStamp, commitLogDiskRatio).
 * docs/protocol.md §4.8: malformed numbers make mqadmin throw, so values must keep the formats of the defaults.
 * Called on a processor thread; must be quick and thread-safe.
 */
@FunctionalInterface
public interface RuntimeInfoContributor {
    void contribute(Map<String, String> table);
}
