package io.raftmq.chaos.fault;

import io.raftmq.chaos.cluster.ProcessCluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Who a fault targets: the current leader as the process nemeses find it ({@link
 * io.raftmq.chaos.nemesis.Targets#leader}), else a seeded random running member; member ids, and hosts from
 * addresses.
 */
public final class Targets {
    private Targets() {
    }

    /** The leader as the cluster sees it now, or a random running member when none is known (never null). */
    public static ProcessCluster.Member leaderOrRandom(ProcessCluster cluster, Random random) {
        ProcessCluster.Member leader = io.raftmq.chaos.nemesis.Targets.leader(cluster);
        if (leader != null) {
            return leader;
        }
        List<ProcessCluster.Member> running = io.raftmq.chaos.nemesis.Targets.running(cluster);
        if (running.isEmpty()) {
            throw new IllegalStateException("no member is running");
        }
        return running.get(random.nextInt(running.size()));
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
