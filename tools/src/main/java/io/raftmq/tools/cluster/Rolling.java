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
 * docs/protocol.md §2.13, waits until the NameServer routes the new leader, and then waits {@code --route-wait-ms}
 * more). The script then stops the member, starts it and waits with {@code await --caught-up}.
 *
 * <p>Why the route wait: a producer (the official client included) sends to the leader address its route table
 * holds and refreshes that table from the NameServer only every {@code pollNameServerInterval} (30 s by default);
 * its retries of a failed send go to the same address. Until its next poll it keeps sending to the old leader, which
 * forwards each send to the new leader (docs/raft-driver.md, "Sends while leadership moves"). Stopping the old
 * leader before every producer polled would fail their sends. So the wait is the client's poll interval plus a
 * margin ({@link #ROUTE_WAIT_MARGIN_MS}); a cluster whose producers poll more often may pass a shorter wait.
 * Followers are never addressed by producers' sends and restart without it.
 */
final class Rolling {
    private static final long POLL_NS = 20_000_000L;
    private static final long PROGRESS_NS = 10_000_000_000L;
    /** The official client's default {@code pollNameServerInterval} (ClientConfig): how stale a route may be. */
    static final long CLIENT_ROUTE_POLL_MS_DEFAULT = 30_000;
    /**
     * Beyond a poll interval: the poll's own NameServer call (the client gives it 3 s) and a send that started on the
     * old route just before (the client's default sendMsgTimeout, 3 s).
     */
    static final long ROUTE_WAIT_MARGIN_MS = 6_000;
    /** The default of {@code handover --route-wait-ms}. */
    static final long ROUTE_WAIT_MS_DEFAULT = CLIENT_ROUTE_POLL_MS_DEFAULT + ROUTE_WAIT_MARGIN_MS;

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

    @Command(name = "handover", description = "If --from leads: move leadership away, wait until it is routed and"
        + " until producers' routes must have moved.")
    static final class Handover extends ClusterTool.Target implements Callable<Integer> {
        @Option(names = "--from", required = true, description = "the member about to stop")
        String from;
        @Option(names = "--timeout-ms", defaultValue = "15000",
            description = "give up after (default ${DEFAULT-VALUE})")
        long timeoutMs;
        @Option(names = "--route-wait-ms", defaultValue = "" + ROUTE_WAIT_MS_DEFAULT,
            description = "after the new leader is routed, wait this long before the old one may stop: the producers'"
                + " route poll interval plus a margin (default ${DEFAULT-VALUE}: the official client's 30 s + 6 s)")
        long routeWaitMs;

        @Override
        public Integer call() throws InterruptedException {
            if (routeWaitMs < 0) {
                throw new IllegalArgumentException("--route-wait-ms must be >= 0, got " + routeWaitMs);
            }
            String addr = members.get(from);
            if (addr == null) {
                throw new IllegalArgumentException("unknown member " + from + " (members: " + members.keySet() + ")");
            }
            try (ClusterProbe probe = new ClusterProbe()) {
                MemberState self = probeUntilUp(probe, addr);
                if (!self.up()) {
                    System.out.println("RESULT handover=none " + from + " does not answer (" + self.error() + ")");
                    return 0;
                }
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

        /**
         * The member's state, asked again until it answers or {@link #timeoutMs} passed: a slow first answer (a
         * loaded machine, this JVM's cold start) must not pass for a member that is down, or a leader would be
         * stopped without handing over.
         */
        private MemberState probeUntilUp(ClusterProbe probe, String addr) {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            MemberState self = probe.members(Map.of(from, addr)).get(0);
            while (!self.up() && System.nanoTime() - deadline < 0) {
                LockSupport.parkNanos(POLL_NS);
                self = probe.members(Map.of(from, addr)).get(0);
            }
            return self;
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
                + "), routed; waiting " + routeWaitMs + " ms for producers' route polls (" + from
                + " forwards their sends meanwhile)");
            long waitedMs = waitForRoutes(probe, oldAddr);
            System.out.println("RESULT handover=ok leader=" + o.leaderAddr() + " term=" + o.term() + " route_wait_ms="
                + waitedMs);
            return 0;
        }

        /**
         * Waits {@link #routeWaitMs}, printing a line every 10 s, and warns when the old member stops answering
         * meanwhile (its producers' sends then fail). Returns the time waited.
         */
        private long waitForRoutes(ClusterProbe probe, String oldAddr) {
            long start = System.nanoTime();
            long end = start + routeWaitMs * 1_000_000L;
            long nextNote = start + PROGRESS_NS;
            while (System.nanoTime() - end < 0) {
                LockSupport.parkNanos(Math.min(POLL_NS * 10, Math.max(0, end - System.nanoTime())));
                if (System.nanoTime() - nextNote >= 0) {
                    nextNote += PROGRESS_NS;
                    MemberState self = probe.members(Map.of(from, oldAddr)).get(0);
                    System.out.println("  route wait: " + (System.nanoTime() - start) / 1_000_000 + "/" + routeWaitMs
                        + " ms, " + from + (self.up() ? " forwarding as " + self.role() : " NOT ANSWERING: "
                        + self.error()));
                }
            }
            return (System.nanoTime() - start) / 1_000_000;
        }
    }
}
