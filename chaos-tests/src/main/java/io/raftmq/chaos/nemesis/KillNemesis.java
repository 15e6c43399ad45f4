package io.raftmq.chaos.nemesis;

import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * kill -9 of some members ({@link ProcessCluster#kill}: SIGKILL, then waits until the process is gone); heal
 * restarts each on its own data. Targets: the leader, one random member, a random minority ((n-1)/2 members) or a
 * random majority (n/2+1: the group cannot commit until heal). With no leader at inject time, kill-leader does
 * nothing and says so.
 */
public final class KillNemesis implements Nemesis {
    /** Whom to kill. */
    public enum Target { LEADER, RANDOM, MINORITY, MAJORITY }

    private final Target target;
    private final List<Member> killed = new ArrayList<>();

    public KillNemesis(Target target) {
        this.target = target;
    }

    @Override
    public String name() {
        return "kill-" + target.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String inject(ProcessCluster cluster, Random random) {
        Member leader = Targets.leader(cluster);
        List<Member> running = Targets.running(cluster);
        int n = cluster.members().size();
        List<Member> victims = switch (target) {
            case LEADER -> leader == null ? List.of() : List.of(leader);
            case RANDOM -> Targets.draw(running, 1, random);
            case MINORITY -> Targets.draw(running, (n - 1) / 2, random);
            case MAJORITY -> Targets.draw(running, n / 2 + 1, random);
        };
        if (victims.isEmpty()) {
            return "no " + (target == Target.LEADER ? "leader" : "running member") + ": nothing killed";
        }
        StringBuilder b = new StringBuilder("killed");
        for (Member m : victims) {
            long pid = m.pid();
            cluster.kill(m);
            killed.add(m);
            b.append(' ').append(Targets.label(m, leader)).append(" pid ").append(pid);
        }
        return b.toString();
    }

    @Override
    public String heal(ProcessCluster cluster) throws Exception {
        StringBuilder b = new StringBuilder("restarted");
        for (Member m : killed) {
            if (!m.isAlive()) {
                cluster.restart(m);
                b.append(' ').append(m.id());
            }
        }
        killed.clear();
        return b.length() == "restarted".length() ? "nothing to heal" : b.toString();
    }
}
