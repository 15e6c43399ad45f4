package io.raftmq.chaos.fault;

import io.raftmq.chaos.cluster.ProcessCluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Who a fault targets: the current leader (the NameServer's brokerId 0, else the member whose runtime info says
 * LEADER, else a seeded random running member), member ids, and hosts from addresses.
 */
public final class Targets {
    private Targets() {
    }

    /** The leader as the cluster sees it now, or a random running member when none is known (never null). */
    public static ProcessCluster.Member leaderOrRandom(ProcessCluster cluster, Random random) {
        String routed = cluster.routedLeader();
        ProcessCluster.Member m = routed == null ? null : cluster.memberAt(routed);
        if (m != null && m.isAlive()) {
            return m;
        }
        List<ProcessCluster.Member> alive = new ArrayList<>();
        for (ProcessCluster.Member x : cluster.members()) {
            if (x.isAlive() && "LEADER".equals(cluster.role(x))) {
                return x;
            }
            if (x.isAlive()) {
                alive.add(x);
            }
        }
        if (alive.isEmpty()) {
            throw new IllegalStateException("no member is running");
        }
        return alive.get(random.nextInt(alive.size()));
    }

    /** The member ids in order. */
    public static List<String> ids(ProcessCluster cluster) {
        List<String> ids = new ArrayList<>();
        cluster.members().forEach(m -> ids.add(m.id()));
        return ids;
    }

    /** The member with id {@code id}. */
    public static ProcessCluster.Member member(ProcessCluster cluster, String id) {
        for (ProcessCluster.Member m : cluster.members()) {
            if (m.id().equals(id)) {
                return m;
            }
        }
        throw new IllegalArgumentException("no member " + id);
    }

    /** The host of {@code host:port}. */
    public static String host(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':'));
    }

    /** The port of {@code host:port}. */
    public static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }
}
