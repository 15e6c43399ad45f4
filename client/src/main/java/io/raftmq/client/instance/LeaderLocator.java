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
 * leader, or none while an election runs). Every member address the {@link RouteCache} has seen for the group that
 * is not faulty gets one GET_BROKER_RUNTIME_INFO (28); a RaftMQ member answers its {@code raftRole} and
 * {@code raftLeaderAddr} (the leader's client-facing address, "" if it knows none). The first answer naming a leader
 * settles it: the cache records it as the group's hint. A RocketMQ broker answers without those keys and is simply
 * not counted. One probe per group at a time; callers during a probe share it.
 */
final class LeaderLocator {
    private final RemotingClient remoting;
    private final RouteCache routes;
    private final FaultTracker faults;
    private final long timeoutMs;
    private final ConcurrentHashMap<String, CompletableFuture<String>> probing = new ConcurrentHashMap<>();

    LeaderLocator(RemotingClient remoting, RouteCache routes, FaultTracker faults, long timeoutMs) {
        this.remoting = remoting;
        this.routes = routes;
        this.faults = faults;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Asks the members of {@code group} who leads. Completes (never exceptionally) with the leader's address once a
     * member names one, or with null once every member asked has answered or failed without naming one.
     */
    CompletableFuture<String> locate(String group) {
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> running = probing.putIfAbsent(group, mine);
        if (running != null) {
            return running;
        }
        mine.whenComplete((leader, e) -> probing.remove(group, mine));
        List<String> all = routes.members(group);
        List<String> ask = all.stream().filter(faults::isAvailable).toList();
        if (ask.isEmpty()) {
            ask = all;
        }
        if (ask.isEmpty()) {
            mine.complete(null);
            return mine;
        }
        AtomicInteger left = new AtomicInteger(ask.size());
        for (String addr : ask) {
            RemotingCommand req = RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO);
            remoting.invokeAsync(addr, req, timeoutMs).whenComplete((r, e) -> {
                String leader = e == null ? leaderIn(addr, r) : null;
                if (e != null) {
                    faults.markFailed(addr);
                }
                if (leader != null && !mine.isDone()) {
                    routes.hint(group, leader);
                    mine.complete(leader);
                }
                if (left.decrementAndGet() == 0) {
                    mine.complete(null);
                }
            });
        }
        return mine;
    }

    /** The leader {@code r} (from {@code addr}) names, or null; releases {@code r}. */
    static String leaderIn(String addr, RemotingCommand r) {
        try {
            if (r.code() != ResponseCode.SUCCESS || r.bodyLength() == 0) {
                return null;
            }
            Map<String, String> t = KVTable.decode(r.bodyBytes()).table();
            if ("LEADER".equals(t.get("raftRole"))) {
                String self = t.get("brokerAddr");
                return self == null || self.isEmpty() ? addr : self;
            }
            String leader = t.get("raftLeaderAddr");
            return leader == null || leader.isEmpty() ? null : leader;
        } catch (Exception unreadable) { // call boundary: an unreadable answer names no leader
            return null;
        } finally {
            r.release();
        }
    }
}
