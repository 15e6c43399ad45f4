package io.raftmq.naming.route;

/**
 * Identifies one live broker process to the NameServer: its cluster and the address clients dial. A broker keeps
 * its key when its id changes (a Raft leader change turns id 0 into a follower id and back), so liveness follows
 * the process, not its role.
 */
public record BrokerKey(String clusterName, String brokerAddr) {
    public BrokerKey {
        if (clusterName == null || brokerAddr == null) {
            throw new IllegalArgumentException("clusterName and brokerAddr are required");
        }
    }
}
