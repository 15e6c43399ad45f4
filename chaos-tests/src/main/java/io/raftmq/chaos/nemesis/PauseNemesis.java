package io.raftmq.chaos.nemesis;

import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;

import java.util.List;
import java.util.Random;

/**
 * SIGSTOP of the leader or of one random member ({@link ProcessCluster#pause}); heal sends SIGCONT. The pause lasts
 * the scenario's fault window (its generator draws it, e.g. 1-10 s). A paused leader keeps its sockets open but
 * answers nothing: its followers elect a new leader after an election timeout, and when it wakes it must step down
 * without having acknowledged anything the new leader does not hold.
 */
public final class PauseNemesis implements Nemesis {
    private final boolean leaderOnly;
    private Member paused;

    public PauseNemesis(boolean leaderOnly) {
        this.leaderOnly = leaderOnly;
    }

    @Override
    public String name() {
        return leaderOnly ? "pause-leader" : "pause-random";
    }

    @Override
    public String inject(ProcessCluster cluster, Random random) throws Exception {
        Member leader = Targets.leader(cluster);
        List<Member> victims = leaderOnly ? (leader == null ? List.of() : List.of(leader))
            : Targets.draw(Targets.running(cluster), 1, random);
        if (victims.isEmpty()) {
            return "no " + (leaderOnly ? "leader" : "running member") + ": nothing paused";
        }
        Member m = victims.get(0);
        cluster.pause(m);
        paused = m;
        return "paused " + Targets.label(m, leader) + " pid " + m.pid();
    }

    @Override
    public String heal(ProcessCluster cluster) throws Exception {
        Member m = paused;
        paused = null;
        if (m == null || !m.isPaused()) {
            return "nothing to heal";
        }
        cluster.resume(m);
        return "resumed " + m.id();
    }
}
