package io.raftmq.chaos.nemesis;

import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How every nemesis (process and fault nemeses alike) picks its victims: the current leader (the running member that
 * reports itself LEADER in the highest term, from each member's runtime info, so a stale NameServer route does not
 * mislead it), the running members, and seeded draws among them; member ids, and hosts and ports from addresses.
 * Members are always listed in index order before a draw, so the same seed makes the same choices whenever the
 * cluster is in the same state.
 */
public final class Targets {
    private Targets() {
    }

    /** Running members that are not paused, in index order. */
    public static List<Member> running(ProcessCluster cluster) {
        List<Member> out = new ArrayList<>();
        for (Member m : cluster.members()) {
            if (m.isAlive() && !m.isPaused()) {
                out.add(m);
            }
        }
        return out;
    }

    /** The running member that leads in the highest term, or null when none does now. */
    public static Member leader(ProcessCluster cluster) {
        Member best = null;
        long bestTerm = -1;
        for (Member m : running(cluster)) {
            Map<String, String> info = cluster.queries().runtimeInfo(m.brokerAddr());
            if (info != null && "LEADER".equals(info.get("raftRole"))) {
                long term = Long.parseLong(info.getOrDefault("raftTerm", "0"));
                if (term > bestTerm) {
                    best = m;
                    bestTerm = term;
                }
            }
        }
        return best;
    }

    /**
     * The members that are not running, paused, do not answer as leader or follower, or repair (runtime info
     * {@code raftRepairing=true}), each as {@code " n1=why"}; empty when every member is healthy.
     */
    static String unhealthy(ProcessCluster cluster) {
        StringBuilder b = new StringBuilder();
        for (Member m : cluster.members()) {
            Map<String, String> info = m.isAlive() && !m.isPaused() ? cluster.queries().runtimeInfo(m.brokerAddr())
                : null;
            String role = info == null ? "down" : info.getOrDefault("raftRole", "unknown");
            if (info == null || !(role.equals("LEADER") || role.equals("FOLLOWER"))) {
                b.append(' ').append(m.id()).append('=').append(role);
            } else if (!"false".equals(info.get("raftRepairing"))) {
                b.append(' ').append(m.id()).append("=repairing");
            }
        }
        return b.toString();
    }

    /** {@code count} distinct members drawn from {@code from} (fewer if it holds fewer), in draw order. */
    static List<Member> draw(List<Member> from, int count, Random random) {
        List<Member> pool = new ArrayList<>(from);
        List<Member> out = new ArrayList<>();
        while (out.size() < count && !pool.isEmpty()) {
            out.add(pool.remove(random.nextInt(pool.size())));
        }
        return out;
    }

    /** {@code "n1 (leader)"} when {@code m} is {@code leader}, else {@code "n1"}: the runner's leader-fault mark. */
    public static String label(Member m, Member leader) {
        return m == leader ? m.id() + " " + Nemesis.LEADER_MARK : m.id();
    }

    /** The leader as the cluster sees it now, or a random running member when none is known (never null). */
    public static Member leaderOrRandom(ProcessCluster cluster, Random random) {
        Member leader = leader(cluster);
        if (leader != null) {
            return leader;
        }
        List<Member> running = running(cluster);
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
    public static Member member(ProcessCluster cluster, String id) {
        for (Member m : cluster.members()) {
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
