package io.raftmq.client.admin;

import java.util.List;

/**
 * The broker groups a NameServer knows (GET_BROKER_CLUSTER_INFO 106) and what each registered member says of itself
 * (GET_BROKER_RUNTIME_INFO 28, with RaftMQ's raft keys: docs/protocol.md §4.8, docs/sdk.md "Admin").
 *
 * @param groups every broker group, sorted by name
 */
public record ClusterStatus(List<Group> groups) {
    public ClusterStatus {
        groups = List.copyOf(groups);
    }

    /** The group named {@code name}, or null. */
    public Group group(String name) {
        for (Group g : groups) {
            if (g.name.equals(name)) {
                return g;
            }
        }
        return null;
    }

    /**
     * One broker group (a Raft group in RaftMQ).
     *
     * @param cluster the cluster it registered in
     * @param name    the broker name (group)
     * @param leader  the client-facing address of the member that says it leads (the highest term if several do),
     *                else the one registered as brokerId 0, else null
     * @param members every registered member, sorted by address
     */
    public record Group(String cluster, String name, String leader, List<Member> members) {
        public Group {
            members = List.copyOf(members);
        }

        /**
         * How many log entries {@code m} lags behind the leader: the leader's last index minus {@code m}'s (0 for
         * the leader itself); -1 when either did not answer or no member leads.
         */
        public long lagOf(Member m) {
            Member l = null;
            for (Member x : members) {
                if (x.address.equals(leader)) {
                    l = x;
                }
            }
            if (l == null || !l.reachable || !m.reachable || l.lastIndex < 0 || m.lastIndex < 0) {
                return -1;
            }
            return Math.max(0, l.lastIndex - m.lastIndex);
        }

        /** Members that answered with role LEADER. */
        public List<Member> leaders() {
            return members.stream().filter(m -> "LEADER".equals(m.role)).toList();
        }
    }

    /**
     * One member as it describes itself; the raft fields are -1 / null for a broker that is not RaftMQ.
     *
     * @param address      client-facing address
     * @param brokerId     the id it registered with (0 = the leader as the NameServer sees it)
     * @param reachable    whether it answered
     * @param role         LEADER, FOLLOWER, CANDIDATE, ... (null if unknown)
     * @param selfId       its Raft node id (n0, n1, ...)
     * @param term         its current term
     * @param commitIndex  its commit index
     * @param appliedIndex its applied index
     * @param lastIndex    its last log index
     * @param leaderAddr   the leader it knows ("" none)
     * @param error        why it did not answer (null when it did)
     */
    public record Member(String address, long brokerId, boolean reachable, String role, String selfId, long term,
                         long commitIndex, long appliedIndex, long lastIndex, String leaderAddr, String error) {
    }
}
