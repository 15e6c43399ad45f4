package io.raftmq.broker.processor.admin;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.RaftPeer;
import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.broker.replication.MemberAddresses;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.raft.core.TransferResult;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * RAFT_TRANSFER_LEADERSHIP (9001), a RaftMQ extension (docs/protocol.md §2.13): the leader hands leadership to the
 * member named by its client-facing broker address (extField {@code to}: one of {@link MemberAddresses#members()},
 * {@code brokerPeers} plus the addresses replicated with added members), or, without {@code to}, to the most
 * caught-up voter (the highest last log index among the followers that answer GET_BROKER_RUNTIME_INFO in the
 * leader's term; ties go to the lower node id). It answers once
 * the target leads, as this member's Raft status shows it (at most {@link #waitMs} later):
 * <pre>
 *  0  SUCCESS                 done (or the target already led); extFields leaderAddr, term
 *  14 SERVICE_NOT_AVAILABLE   this member does not lead; extField leaderAddr = the leader's address ("" unknown)
 *  29 INVALID_PARAMETER       {@code to} is not a member of the group, or the group has no other member
 *  1  SYSTEM_ERROR            no follower answered, or the target did not take over in time (remark: why)
 * </pre>
 * The wait blocks one control-plane thread for at most a few election timeouts.
 */
public final class LeadershipTransferProcessor implements RequestProcessor {
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.RAFT_TRANSFER_LEADERSHIP};
    /** Request extField: the target's broker address host:port (absent or empty: the most caught-up follower). */
    public static final String TO = "to";
    /** Response extField: the leader's broker address. */
    public static final String LEADER_ADDR = "leaderAddr";
    /** Response extField (success): the new leader's term as this member knows it. */
    public static final String TERM = "term";
    private static final Logger LOG = LoggerFactory.getLogger(LeadershipTransferProcessor.class);
    private static final long PROBE_TIMEOUT_MS = 1000;
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(5);
    /** Election timeouts the transfer may take: the core gives up after one, randomization can double it. */
    private static final int WAIT_ELECTION_TIMEOUTS = 4;

    private final BrokerConfig config;
    private final Supplier<RaftAgent> agent;
    private final RemotingClient client;
    private final Clock clock;
    private final MemberAddresses addresses;
    private final long waitMs;

    /**
     * @param agent  this member's raft agent (read at each request)
     * @param client dials the followers' runtime info when no target is named
     */
    public LeadershipTransferProcessor(BrokerConfig config, Supplier<RaftAgent> agent, RemotingClient client,
                                       Clock clock) {
        this.config = config;
        this.agent = agent;
        this.client = client;
        this.clock = clock;
        this.addresses = new MemberAddresses(config, agent);
        this.waitMs = WAIT_ELECTION_TIMEOUTS * config.raftElectionTimeoutMs();
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) {
        RaftAgent a = agent.get();
        RaftStatus s = a.status();
        if (!s.isLeader()) {
            return notLeader(s);
        }
        String to = request.extFields() == null ? null : request.extFields().get(TO);
        RaftPeer target;
        if (to == null || to.isBlank()) {
            if (otherMembers().isEmpty()) {
                return Replies.error(ResponseCode.INVALID_PARAMETER, "the group has no other member");
            }
            target = mostCaughtUp(s.term());
            if (target == null) {
                return Replies.error(ResponseCode.SYSTEM_ERROR, "no follower of term " + s.term()
                    + " answered within " + PROBE_TIMEOUT_MS + " ms");
            }
        } else {
            target = memberAt(to.trim());
            if (target == null) {
                return Replies.error(ResponseCode.INVALID_PARAMETER, to.trim() + " is not a member of broker group "
                    + config.brokerName() + " (members: " + memberList() + ")");
            }
        }
        if (target.id().equals(config.raftSelfId())) {
            return success(target.address(), s.term());
        }
        return transfer(a, target);
    }

    /** Starts the transfer and waits until this member sees the target lead. */
    private RemotingCommand transfer(RaftAgent a, RaftPeer target) {
        TransferResult r;
        try {
            r = a.transferLeadership(target.nodeId()).get(waitMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Replies.error(ResponseCode.SYSTEM_ERROR, "interrupted");
        } catch (ExecutionException | TimeoutException e) {
            return Replies.error(ResponseCode.SYSTEM_ERROR, "the raft agent did not take the transfer: " + e);
        }
        if (r == TransferResult.NOT_LEADER) {
            return notLeader(a.status());
        }
        if (r == TransferResult.UNKNOWN_TARGET) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, target.address() + " is not a voter");
        }
        LOG.info("member {}: leadership transfer to {} ({}): {}", config.raftSelfId(), target.id(),
            target.address(), r);
        long deadline = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        RaftStatus s = a.status();
        while (!(s.leaderId() == target.nodeId() && !s.isLeader()) && clock.nanoTime() - deadline < 0) {
            LockSupport.parkNanos(POLL_NS);
            s = a.status();
        }
        if (s.leaderId() == target.nodeId() && !s.isLeader()) {
            return success(target.address(), s.term());
        }
        String now = s.isLeader() ? "this member still leads" : "the leader is now "
            + (s.leaderId() > 0 ? addresses.brokerAddrOf(s.leaderId()) : "unknown");
        return Replies.error(ResponseCode.SYSTEM_ERROR, "transfer to " + target.address() + " did not complete within "
            + waitMs + " ms (" + now + ", term " + s.term() + ")");
    }

    private RemotingCommand success(String leaderAddr, long term) {
        RemotingCommand ok = Replies.ok();
        ok.extFields().put(LEADER_ADDR, leaderAddr).put(TERM, term);
        return ok;
    }

    private RemotingCommand notLeader(RaftStatus s) {
        String leader = s.leaderId() > 0 ? addresses.brokerAddrOf(s.leaderId()) : null;
        RemotingCommand r = Replies.error(ResponseCode.SERVICE_NOT_AVAILABLE, "[NOT_LEADER] " + config.brokerAddr()
            + " does not lead broker group " + config.brokerName() + "; the leader is "
            + (leader == null ? "unknown" : leader));
        r.extFields().put(LEADER_ADDR, leader == null ? "" : leader);
        return r;
    }

    /** The member whose broker address is {@code addr}, or null. */
    private RaftPeer memberAt(String addr) {
        for (RaftPeer p : addresses.members()) {
            if (p.address().equals(addr)) {
                return p;
            }
        }
        return null;
    }

    /** The voters but this member: learners cannot take leadership. */
    private List<RaftPeer> otherMembers() {
        List<RaftPeer> l = new ArrayList<>();
        for (RaftPeer p : addresses.voters()) {
            if (!p.id().equals(config.raftSelfId())) {
                l.add(p);
            }
        }
        return l;
    }

    private String memberList() {
        List<String> l = new ArrayList<>();
        addresses.members().forEach(p -> l.add(p.address()));
        return l.isEmpty() ? "no broker address known" : String.join(", ", l);
    }

    /** The follower with the highest last log index in {@code term} among those that answer, or null. */
    private RaftPeer mostCaughtUp(long term) {
        Map<RaftPeer, CompletableFuture<RemotingCommand>> calls = new LinkedHashMap<>();
        for (RaftPeer p : otherMembers()) {
            calls.put(p, client.invokeAsync(p.address(), RemotingCommand.createRequest(
                RequestCode.GET_BROKER_RUNTIME_INFO), PROBE_TIMEOUT_MS));
        }
        RaftPeer best = null;
        long bestIndex = -1;
        for (Map.Entry<RaftPeer, CompletableFuture<RemotingCommand>> e : calls.entrySet()) {
            long last = lastIndexInTerm(e.getValue(), term);
            if (last > bestIndex) {
                best = e.getKey();
                bestIndex = last;
            }
        }
        return best;
    }

    /** The follower's raftLastIndex if it answered as a follower of {@code term}, else -1. */
    private long lastIndexInTerm(CompletableFuture<RemotingCommand> call, long term) {
        RemotingCommand r;
        try {
            r = call.get(PROBE_TIMEOUT_MS + 200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (ExecutionException | TimeoutException e) {
            call.thenAccept(RemotingCommand::release);
            return -1; // down or slow: not a candidate
        }
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                return -1;
            }
            Map<String, String> t = KVTable.decode(r.bodyBytes()).table();
            if (!"FOLLOWER".equals(t.get("raftRole")) || !Long.toString(term).equals(t.get("raftTerm"))) {
                return -1;
            }
            return Long.parseLong(t.getOrDefault("raftLastIndex", "-1"));
        } catch (Exception e) { // request boundary: an unreadable answer rules that follower out
            LOG.warn("unreadable runtime info while choosing a transfer target: {}", e.toString());
            return -1;
        } finally {
            r.release();
        }
    }
}
