package io.raftmq.client.instance;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.route.FaultTracker;
import io.raftmq.client.route.RouteCache;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds who leads a broker group by asking its members, for when the NameServer is behind (it may still list a dead
 * leader, or none while an election runs). Every member address the {@link RouteCache} has seen for the group gets
 * one GET_BROKER_RUNTIME_INFO (28); a RaftMQ member answers its {@code raftRole} and {@code raftLeaderAddr} (the
 * leader's client-facing address, "" if it knows none).
 *
 * <p>The answer is settled as follows: a member that says it is the LEADER settles it at once; otherwise, once every
 * member has answered or failed, a leader named by a follower counts only if that address did not itself fail in
 * this round and is not marked faulty (followers keep naming a dead leader until their election timeout). The
 * leader found becomes the group's hint in the cache. A RocketMQ broker answers without the raft keys, which the
 * result reports ({@link LeaderProbe#raftAware()} false), so callers fall back to plain retries. One probe per
 * group at a time; callers during a probe share it.
 */
final class LeaderLocator {
    private final RemotingClient remoting;
    private final RouteCache routes;
    private final FaultTracker faults;
    private final ConcurrentHashMap<String, CompletableFuture<LeaderProbe>> probing = new ConcurrentHashMap<>();

    /** One member's answer: its role, the leader it names ("" none), or unreachable. */
    private record Answer(String addr, boolean reached, boolean raft, boolean isLeader, String named) {
    }

    LeaderLocator(RemotingClient remoting, RouteCache routes, FaultTracker faults) {
        this.remoting = remoting;
        this.routes = routes;
        this.faults = faults;
    }

    /**
     * Asks the members of {@code group} who leads, each within {@code timeoutMs}; completes (never exceptionally) as
     * the class comment says.
     */
    CompletableFuture<LeaderProbe> locate(String group, long timeoutMs) {
        CompletableFuture<LeaderProbe> mine = new CompletableFuture<>();
        CompletableFuture<LeaderProbe> running = probing.putIfAbsent(group, mine);
        if (running != null) {
            return running;
        }
        mine.whenComplete((p, e) -> probing.remove(group, mine));
        List<String> ask = routes.members(group);
        if (ask.isEmpty()) {
            mine.complete(new LeaderProbe(null, false));
            return mine;
        }
        Answer[] answers = new Answer[ask.size()];
        AtomicInteger left = new AtomicInteger(ask.size());
        for (int i = 0; i < ask.size(); i++) {
            int slot = i;
            String addr = ask.get(i);
            RemotingCommand req = RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO);
            remoting.invokeAsync(addr, req, timeoutMs).whenComplete((r, e) -> {
                Answer a = e == null ? answerOf(addr, r) : new Answer(addr, false, false, false, null);
                if (!a.reached) {
                    faults.markFailed(addr);
                }
                if (a.isLeader) { // alive and leading: whatever failed there before (it died, restarted) is over
                    faults.markOk(addr);
                    faults.markOk(a.addr);
                }
                if (a.isLeader && !mine.isDone()) {
                    routes.hint(group, a.addr);
                    mine.complete(new LeaderProbe(a.addr, true));
                }
                synchronized (answers) {
                    answers[slot] = a;
                }
                if (left.decrementAndGet() == 0 && !mine.isDone()) {
                    LeaderProbe p;
                    synchronized (answers) {
                        p = settle(answers);
                    }
                    if (p.leader() != null) {
                        routes.hint(group, p.leader());
                    }
                    mine.complete(p);
                }
            });
        }
        return mine;
    }

    /** The leader a full round of answers names (see the class comment). */
    private LeaderProbe settle(Answer[] answers) {
        boolean raft = false;
        for (Answer a : answers) {
            raft |= a.raft;
        }
        for (Answer a : answers) {
            if (a.named == null || a.named.isEmpty() || !faults.isAvailable(a.named)) {
                continue;
            }
            boolean failedNow = false;
            for (Answer b : answers) {
                failedNow |= !b.reached && b.addr.equals(a.named);
            }
            if (!failedNow) {
                return new LeaderProbe(a.named, raft);
            }
        }
        return new LeaderProbe(null, raft);
    }

    /** Reads one member's runtime info; releases {@code r}. */
    private static Answer answerOf(String addr, RemotingCommand r) {
        try {
            if (r.code() != ResponseCode.SUCCESS || r.bodyLength() == 0) {
                return new Answer(addr, true, false, false, null);
            }
            Map<String, String> t = KVTable.decode(r.bodyBytes()).table();
            String role = t.get("raftRole");
            if (role == null) {
                return new Answer(addr, true, false, false, null);
            }
            String self = t.getOrDefault("brokerAddr", "");
            return new Answer(self.isEmpty() ? addr : self, true, true, "LEADER".equals(role),
                    t.getOrDefault("raftLeaderAddr", ""));
        } catch (Exception unreadable) { // call boundary: an unreadable answer names no leader
            return new Answer(addr, true, false, false, null);
        } finally {
            r.release();
        }
    }
}
