package io.raftmq.tools.cluster;

import io.raftmq.tools.admin.LeadershipTransfer;
import io.raftmq.tools.admin.LeadershipTransfer.Outcome;
import io.raftmq.tools.cluster.ClusterProbe.MemberState;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * The two steps of a rolling restart that {@code bin/raftmq-cluster restart} asks {@link ClusterTool} for:
 * {@link Order} (followers first, the leader last, so leadership moves once) and {@link Handover} (before a member
 * that leads is stopped, it hands leadership to the most caught-up follower through RAFT_TRANSFER_LEADERSHIP,
 * docs/protocol.md §2.13, and the NameServer routes the new leader, so producers refreshing their route never meet
 * a stopped leader). The script then stops the member, starts it and waits with {@code await --caught-up}.
 */
final class Rolling {
    private static final long POLL_NS = 20_000_000L;

    private Rolling() {
    }

    @Command(name = "order", description = "Print ORDER with the members, followers first and the leader last.")
    static final class Order extends ClusterTool.Target implements Callable<Integer> {
        @Override
        public Integer call() {
            try (ClusterProbe probe = new ClusterProbe()) {
                System.out.println("ORDER " + String.join(" ", order(probe.members(members))));
                return 0;
            }
        }
    }

    /** Member names, those that do not lead first (in the given order), then the leaders. */
    static List<String> order(List<MemberState> states) {
        List<String> out = new ArrayList<>();
        states.stream().filter(m -> !m.leader()).forEach(m -> out.add(m.name()));
        states.stream().filter(MemberState::leader).forEach(m -> out.add(m.name()));
        return out;
    }

    @Command(name = "handover", description = "If --from leads: move leadership away and wait until it is routed.")
    static final class Handover extends ClusterTool.Target implements Callable<Integer> {
        @Option(names = "--from", required = true, description = "the member about to stop")
        String from;
        @Option(names = "--timeout-ms", defaultValue = "15000",
            description = "give up after (default ${DEFAULT-VALUE})")
        long timeoutMs;

        @Override
        public Integer call() throws InterruptedException {
            String addr = members.get(from);
            if (addr == null) {
                throw new IllegalArgumentException("unknown member " + from + " (members: " + members.keySet() + ")");
            }
            try (ClusterProbe probe = new ClusterProbe()) {
                MemberState self = probe.members(Map.of(from, addr)).get(0);
                if (!self.leader()) {
                    System.out.println("RESULT handover=none " + from + " does not lead (" + self.role() + ")");
                    return 0;
                }
                Outcome o = LeadershipTransfer.transfer(probe.client(), ClusterProbe.requireLoopback(addr), null,
                    timeoutMs);
                if (o.exit() != LeadershipTransfer.OK) {
                    System.out.println("RESULT handover=failed");
                    System.err.println("handover from " + from + " failed: " + o.message());
                    return 1;
                }
                return awaitRouted(probe, addr, o);
            }
        }

        /** Waits until the NameServer routes the member that took over (the old leader's route is stale). */
        private int awaitRouted(ClusterProbe probe, String oldAddr, Outcome o) {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            String routed = probe.route(namesrv, group).leaderAddr();
            while (!(routed != null && !routed.equals(oldAddr)) && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(POLL_NS);
                routed = probe.route(namesrv, group).leaderAddr();
            }
            if (routed == null || routed.equals(oldAddr)) {
                System.out.println("RESULT handover=failed not_routed");
                System.err.println("handover from " + from + ": " + o.leaderAddr() + " leads (term " + o.term()
                    + ") but the NameServer still routes " + routed + " after " + timeoutMs + " ms");
                return 1;
            }
            System.out.println("handed leadership from " + from + " to " + o.leaderAddr() + " (term " + o.term()
                + "), routed");
            System.out.println("RESULT handover=ok leader=" + o.leaderAddr() + " term=" + o.term());
            return 0;
        }
    }
}
