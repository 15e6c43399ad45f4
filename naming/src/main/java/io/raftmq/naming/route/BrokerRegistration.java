package io.raftmq.naming.route;

import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.TopicConfig;

import java.util.List;

/**
 * One REGISTER_BROKER (103) as the route registry sees it: who registers (cluster, group, id, address), its
 * topic configuration, and the liveness parameters.
 *
 * @param clusterName  cluster of the broker group
 * @param brokerName   broker group name (a Raft group)
 * @param brokerAddr   "ip:port" clients dial
 * @param haServerAddr HA address (unused by Raft; echoed to followers as the master's)
 * @param brokerId     0 = Raft leader, {@code >= 1} = follower
 * @param topicConfigs the broker's topics; applied to routes only when {@code brokerId == 0}
 * @param dataVersion  version stamp of {@code topicConfigs} (answered to QUERY_DATA_VERSION)
 * @param expiryMs     drop the broker when it has not registered for this long
 * @param connection   identity of the connection it registered on (compared with {@code equals}); null = none
 */
public record BrokerRegistration(String clusterName, String brokerName, String brokerAddr, String haServerAddr,
                                 long brokerId, List<TopicConfig> topicConfigs, DataVersion dataVersion,
                                 long expiryMs, Object connection) {
    public BrokerRegistration {
        if (clusterName == null || clusterName.isEmpty() || brokerName == null || brokerName.isEmpty()
                || brokerAddr == null || brokerAddr.isEmpty()) {
            throw new IllegalArgumentException("clusterName, brokerName and brokerAddr are required");
        }
        if (brokerId < 0) {
            throw new IllegalArgumentException("brokerId must be >= 0: " + brokerId);
        }
        if (expiryMs <= 0) {
            throw new IllegalArgumentException("expiryMs must be > 0: " + expiryMs);
        }
        topicConfigs = List.copyOf(topicConfigs);
        dataVersion = dataVersion == null ? new DataVersion(0, 0, 0) : dataVersion;
    }

    /** The liveness key of the registering process. */
    public BrokerKey key() {
        return new BrokerKey(clusterName, brokerAddr);
    }
}
