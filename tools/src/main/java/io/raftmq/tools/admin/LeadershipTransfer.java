package io.raftmq.tools.admin;

import io.raftmq.broker.processor.admin.LeadershipTransferProcessor;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.ClusterInfo;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The client side of RAFT_TRANSFER_LEADERSHIP (9001, docs/protocol.md §2.13), shared by {@code bin/raftmq-admin}
 * and the rolling restart of {@code bin/raftmq-cluster}: asks a broker to hand leadership over, following the
 * "ask the leader" answer (14 with extField {@code leaderAddr}) a few times, and turns the answer into an
 * {@link Outcome} with the exit status scripts rely on: {@link #OK} 0, {@link #FAILED} 1, {@link #BAD_USAGE} 2
 * (the target is not a member of the group). {@link #entryBroker} finds a member of a group through the NameServer.
 */
public final class LeadershipTransfer {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_USAGE = 2;
    /** A member that is not the leader names the leader; a change of leader meanwhile may need another hop. */
    private static final int REDIRECTS_MAX = 3;

    /** What happened: the exit status, the leader's address afterwards (null if unknown), its term, a message. */
    public record Outcome(int exit, String leaderAddr, long term, String message) {
    }

    private LeadershipTransfer() {
    }

    /**
     * Asks {@code brokerAddr} (any member) to transfer leadership to {@code to} (a member's broker address, or
     * null: the most caught-up follower) and waits for the answer, which comes once the target leads.
     *
     * @param callTimeoutMs the deadline of one request (the broker waits a few election timeouts)
     */
    public static Outcome transfer(RemotingClient client, String brokerAddr, String to, long callTimeoutMs)
        throws InterruptedException {
        String addr = brokerAddr;
        for (int hop = 0; hop <= REDIRECTS_MAX; hop++) {
            RemotingCommand req = RemotingCommand.createRequest(RequestCode.RAFT_TRANSFER_LEADERSHIP);
            if (to != null) {
                req.addExtField(LeadershipTransferProcessor.TO, to);
            }
            RemotingCommand r;
            try {
                r = client.invokeSync(addr, req, callTimeoutMs);
            } catch (RemotingException e) {
                return new Outcome(FAILED, null, -1, "cannot reach " + addr + ": " + e.getMessage());
            }
            try {
                String leader = field(r, LeadershipTransferProcessor.LEADER_ADDR);
                switch (r.code()) {
                    case ResponseCode.SUCCESS:
                        return new Outcome(OK, leader, term(r), "leadership is with " + leader + " (term " + term(r)
                            + ")");
                    case ResponseCode.SERVICE_NOT_AVAILABLE:
                        if (leader == null || leader.isEmpty() || leader.equals(addr)) {
                            return new Outcome(FAILED, null, -1, addr + ": " + r.remark());
                        }
                        addr = leader; // ask the leader
                        break;
                    case ResponseCode.INVALID_PARAMETER:
                        return new Outcome(BAD_USAGE, null, -1, addr + ": " + r.remark());
                    default:
                        return new Outcome(FAILED, null, -1, addr + " answered " + r.code() + ": " + r.remark());
                }
            } finally {
                r.release();
            }
        }
        return new Outcome(FAILED, null, -1, "the leader kept moving (" + (REDIRECTS_MAX + 1) + " redirects)");
    }

    private static long term(RemotingCommand r) {
        String t = field(r, LeadershipTransferProcessor.TERM);
        return t == null ? -1 : Long.parseLong(t);
    }

    private static String field(RemotingCommand r, String key) {
        return r.extFields() == null ? null : r.extFields().get(key);
    }

    /**
     * A member of the broker group to ask, from the NameServer's cluster info: the group holding {@code to} (when
     * given) or named {@code group} (when given) or the only group; its brokerId 0 (the leader) when routed, else
     * any registered member.
     *
     * @throws IllegalArgumentException no such group, or several groups and neither {@code to} nor {@code group}
     * @throws IllegalStateException    the NameServer cannot be asked or knows no member of the group
     */
    public static String entryBroker(RemotingClient client, String namesrv, String to, String group,
                                     long callTimeoutMs) throws InterruptedException {
        ClusterInfo info = clusterInfo(client, namesrv, callTimeoutMs);
        List<BrokerData> candidates = new ArrayList<>();
        for (BrokerData bd : info.brokerAddrTable().values()) {
            boolean holdsTo = to != null && bd.brokerAddrs().containsValue(to);
            boolean named = group != null && group.equals(bd.brokerName());
            if (holdsTo || named || (to == null && group == null)) {
                candidates.add(bd);
            }
        }
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException(to != null ? to + " is not a registered member of any broker group"
                : group != null ? "no broker group " + group + " is registered" : "no broker group is registered");
        }
        if (candidates.size() > 1) {
            throw new IllegalArgumentException("several broker groups are registered (" + candidates.stream()
                .map(BrokerData::brokerName).toList() + "): name one with --group or a member with --to");
        }
        Map<Long, String> addrs = candidates.get(0).brokerAddrs();
        String leader = addrs.get(BrokerData.MASTER_ID);
        if (leader != null) {
            return leader;
        }
        if (addrs.isEmpty()) {
            throw new IllegalStateException("the NameServer knows no member of " + candidates.get(0).brokerName());
        }
        return addrs.values().iterator().next();
    }

    private static ClusterInfo clusterInfo(RemotingClient client, String namesrv, long callTimeoutMs)
        throws InterruptedException {
        RemotingCommand r;
        try {
            r = client.invokeSync(namesrv, RemotingCommand.createRequest(RequestCode.GET_BROKER_CLUSTER_INFO),
                callTimeoutMs);
        } catch (RemotingException e) {
            throw new IllegalStateException("cannot reach the NameServer " + namesrv + ": " + e.getMessage(), e);
        }
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                throw new IllegalStateException("the NameServer answered " + r.code() + ": " + r.remark());
            }
            return ClusterInfo.decode(r.bodyBytes());
        } catch (RemotingCommandException e) {
            throw new IllegalStateException("unreadable cluster info from " + namesrv, e);
        } finally {
            r.release();
        }
    }
}
