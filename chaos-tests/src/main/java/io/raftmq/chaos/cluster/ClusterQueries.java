package io.raftmq.chaos.cluster;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.remoting.RemotingException;

import java.util.Map;

/**
 * The remoting queries a chaos run makes against a {@link ProcessCluster}, over our own remoting client: the
 * NameServer's route (which address is brokerId 0 of the group), a member's runtime info (raft role, term, commit
 * index; GET_BROKER_RUNTIME_INFO) and a leadership transfer (RAFT_TRANSFER_LEADERSHIP, the request behind
 * {@code bin/raftmq-admin raft transfer}; docs/protocol.md). Every query is bounded by a short timeout and answers
 * null (or a failure text) instead of throwing when a process is down, paused or starting. Thread-safe.
 */
public final class ClusterQueries implements AutoCloseable {
    /** Request extField of RAFT_TRANSFER_LEADERSHIP: the target's broker address. */
    static final String TRANSFER_TO = "to";
    /** Response extField of RAFT_TRANSFER_LEADERSHIP: the leader's broker address. */
    static final String TRANSFER_LEADER_ADDR = "leaderAddr";
    private static final long QUERY_TIMEOUT_MS = 1000;
    private static final int TRANSFER_HOPS_MAX = 3;

    private final RemotingClient client = new RemotingClient(RemotingClientConfig.defaults());
    private final String brokerName;
    private volatile String namesrvAddr;

    ClusterQueries(String brokerName) {
        this.brokerName = brokerName;
    }

    void start(String namesrv) {
        this.namesrvAddr = namesrv;
        client.start();
    }

    /** The address the NameServer routes as brokerId 0 of the group (from TBW102's route), or null. */
    public String routedLeader() {
        RemotingCommand r;
        try {
            r = client.invokeSync(namesrvAddr, RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC,
                new GetRouteInfoRequestHeader("TBW102", null)), QUERY_TIMEOUT_MS);
        } catch (RemotingException e) {
            return null; // not reachable yet: "not routed"
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                return null;
            }
            for (BrokerData bd : TopicRouteData.decode(r.bodyBytes()).brokerDatas()) {
                if (bd.brokerName().equals(brokerName)) {
                    return bd.brokerAddrs().get(BrokerData.MASTER_ID);
                }
            }
            return null;
        } catch (RemotingCommandException e) {
            throw new IllegalStateException("undecodable route from the NameServer", e);
        } finally {
            r.release();
        }
    }

    /**
     * The GET_BROKER_RUNTIME_INFO table of the member at client address {@code brokerAddr} (keys raftRole,
     * raftTerm, raftCommitIndex, raftLeaderAddr, raftRepairing among the rest), or null when it does not answer
     * (down, paused, starting) or answers an error.
     */
    public Map<String, String> runtimeInfo(String brokerAddr) {
        try {
            RemotingCommand r = client.invokeSync(brokerAddr, RemotingCommand.createRequest(
                RequestCode.GET_BROKER_RUNTIME_INFO), QUERY_TIMEOUT_MS);
            try {
                return r.code() == ResponseCode.SUCCESS ? KVTable.decode(r.bodyBytes()).table() : null;
            } finally {
                r.release();
            }
        } catch (RemotingException | RemotingCommandException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The raft role ("LEADER", "FOLLOWER", ...) of the member at {@code brokerAddr}, or "DOWN". */
    public String role(String brokerAddr) {
        Map<String, String> t = runtimeInfo(brokerAddr);
        return t == null ? "DOWN" : t.getOrDefault("raftRole", "UNKNOWN");
    }

    /**
     * Asks the member at {@code askAddr} to hand leadership to the member at {@code toAddr} (null: the most
     * caught-up follower), following the answer's leader address when the asked member does not lead, and waits
     * until the target leads (the broker answers then, at most a few election timeouts later).
     *
     * @return null when done, else why not (unreachable, no leader, the target did not take over)
     */
    public String transferLeadership(String askAddr, String toAddr, long timeoutMs) throws InterruptedException {
        String addr = askAddr;
        for (int hop = 0; hop < TRANSFER_HOPS_MAX; hop++) {
            RemotingCommand req = RemotingCommand.createRequest(RequestCode.RAFT_TRANSFER_LEADERSHIP);
            if (toAddr != null) {
                req.addExtField(TRANSFER_TO, toAddr);
            }
            RemotingCommand r;
            try {
                r = client.invokeSync(addr, req, timeoutMs);
            } catch (RemotingException e) {
                return "cannot reach " + addr + ": " + e.getMessage();
            }
            try {
                if (r.code() == ResponseCode.SUCCESS) {
                    return null;
                }
                String leader = r.extFields() == null ? null : r.extFields().get(TRANSFER_LEADER_ADDR);
                if (r.code() != ResponseCode.SERVICE_NOT_AVAILABLE || leader == null || leader.isEmpty()
                    || leader.equals(addr)) {
                    return addr + " answered " + r.code() + ": " + r.remark();
                }
                addr = leader;
            } finally {
                r.release();
            }
        }
        return "the leader kept moving";
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
