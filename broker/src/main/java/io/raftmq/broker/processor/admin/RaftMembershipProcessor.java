package io.raftmq.broker.processor.admin;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.broker.replication.MemberAddresses;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.MembershipChange;
import io.raftmq.raft.driver.NotLeaderException;
import io.raftmq.raft.driver.ProposalRejectedException;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * RAFT_ADD_MEMBER (9002), RAFT_PROMOTE_MEMBER (9003) and RAFT_REMOVE_MEMBER (9004), RaftMQ extensions
 * (docs/protocol.md §2.13): one single-server membership change of the broker group's Raft configuration
 * (docs/raft-driver.md, "Membership"), proposed by the leader and answered once its CONFIG entry is applied here.
 * extFields: {@code nodeId} (the Raft node id, always), {@code raftAddr} (host:port of the new member's Raft port,
 * 9002 only), {@code brokerAddr} (9002, optional but wanted: host:port of the new member's client-facing port; it is
 * replicated with the member, so every member can forward sends to it and name it, {@link MemberAddresses}),
 * {@code lagEntriesMax} (9003, optional: how far behind the leader's log the learner may be, default
 * {@link #PROMOTE_LAG_DEFAULT}).
 * <pre>
 *  0  SUCCESS                 committed; extFields index (of the CONFIG entry), membership (its text form)
 *  14 SERVICE_NOT_AVAILABLE   this member does not lead; extField leaderAddr ("" unknown)
 *  29 INVALID_PARAMETER       missing or bad extFields, or the change does not apply (remark: why)
 *  1  SYSTEM_ERROR            refused for now (a change pending, the learner behind, a new leader not settled)
 *                             or not committed within the wait (remark: why; retry)
 * </pre>
 */
public final class RaftMembershipProcessor implements RequestProcessor {
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.RAFT_ADD_MEMBER, RequestCode.RAFT_PROMOTE_MEMBER,
        RequestCode.RAFT_REMOVE_MEMBER};
    public static final String NODE_ID = "nodeId";
    public static final String RAFT_ADDR = "raftAddr";
    public static final String BROKER_ADDR = "brokerAddr";
    public static final String LAG_ENTRIES_MAX = "lagEntriesMax";
    /** Response extFields. */
    public static final String INDEX = "index";
    public static final String MEMBERSHIP = "membership";
    public static final String LEADER_ADDR = "leaderAddr";
    /** Default promotion gap: a learner within this many entries of the leader's last index. */
    public static final long PROMOTE_LAG_DEFAULT = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(RaftMembershipProcessor.class);

    private final BrokerConfig config;
    private final Supplier<RaftAgent> agent;
    private final MemberAddresses addresses;
    private final long waitMs;

    /** @param waitMs how long to wait for the change to commit before answering SYSTEM_ERROR */
    public RaftMembershipProcessor(BrokerConfig config, Supplier<RaftAgent> agent, long waitMs) {
        this.config = config;
        this.agent = agent;
        this.addresses = new MemberAddresses(config, agent);
        this.waitMs = waitMs;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) {
        RaftAgent a = agent.get();
        RaftStatus s = a.status();
        if (!s.isLeader()) {
            return notLeader(s.leaderId());
        }
        MembershipChange change;
        try {
            change = parse(request.code(), request.extFields() == null ? k -> null : request.extFields()::get);
        } catch (IllegalArgumentException e) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, e.getMessage());
        }
        String why = s.membership() == null ? null : s.membership().refusal(change);
        if (why != null) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, why + " (membership " + s.membership() + ")");
        }
        return await(a, change);
    }

    private RemotingCommand await(RaftAgent a, MembershipChange change) {
        long index;
        try {
            index = a.proposeMembership(change).get(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Replies.error(ResponseCode.SYSTEM_ERROR, "interrupted");
        } catch (TimeoutException e) {
            return Replies.error(ResponseCode.SYSTEM_ERROR, "not committed within " + waitMs + " ms; retry");
        } catch (ExecutionException e) {
            return refused(e.getCause());
        }
        LOG.info("member {}: membership change {} committed at {}: {}", config.raftSelfId(), change, index,
            a.status().membership());
        RemotingCommand ok = Replies.ok();
        ok.extFields().put(INDEX, index).put(MEMBERSHIP, String.valueOf(a.status().membership()));
        return ok;
    }

    private RemotingCommand refused(Throwable cause) {
        if (cause instanceof NotLeaderException nl) {
            return notLeader(nl.leaderHint());
        }
        if (cause instanceof ProposalRejectedException r
            && r.reason() == ProposalRejectedException.Reason.INVALID_MEMBERSHIP_CHANGE) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "the change does not apply: " + r.getMessage());
        }
        return Replies.error(ResponseCode.SYSTEM_ERROR, "membership change refused: " + cause.getMessage());
    }

    /** The change a request asks for. */
    static MembershipChange parse(int code, Function<String, String> f) {
        long id = longField(f, NODE_ID, true, 0);
        if (id <= 0) {
            throw new IllegalArgumentException(NODE_ID + " must be a positive raft node id");
        }
        if (code == RequestCode.RAFT_ADD_MEMBER) {
            String addr = hostPort(f, RAFT_ADDR, true);
            String brokerAddr = hostPort(f, BROKER_ADDR, false);
            return new MembershipChange.AddLearner(new Member(id, addr, brokerAddr == null ? "" : brokerAddr));
        }
        if (code == RequestCode.RAFT_PROMOTE_MEMBER) {
            long lag = longField(f, LAG_ENTRIES_MAX, false, PROMOTE_LAG_DEFAULT);
            if (lag < 0) {
                throw new IllegalArgumentException(LAG_ENTRIES_MAX + " must be >= 0");
            }
            return new MembershipChange.Promote(id, lag);
        }
        return new MembershipChange.Remove(id);
    }

    /** A {@code host:port} extField, trimmed; null when absent and not required. */
    private static String hostPort(Function<String, String> f, String name, boolean required) {
        String v = f.apply(name);
        if (v == null || v.isBlank()) {
            if (required) {
                throw new IllegalArgumentException(name + " must be host:port, got " + v);
            }
            return null;
        }
        if (!v.trim().matches("[^:\\s]+:[0-9]{1,5}")) {
            throw new IllegalArgumentException(name + " must be host:port, got " + v);
        }
        return v.trim();
    }

    private static long longField(Function<String, String> f, String name, boolean required, long dflt) {
        String v = f.apply(name);
        if (v == null || v.isBlank()) {
            if (required) {
                throw new IllegalArgumentException("missing extField " + name);
            }
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number, got " + v);
        }
    }

    private RemotingCommand notLeader(long leaderId) {
        String leader = leaderId > 0 ? addresses.brokerAddrOf(leaderId) : null;
        RemotingCommand r = Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER] " + config.brokerAddr()
            + " does not lead broker group " + config.brokerName() + "; the leader is "
            + (leader == null ? "unknown" : leader));
        r.extFields().put(LEADER_ADDR, leader == null ? "" : leader);
        return r;
    }
}
