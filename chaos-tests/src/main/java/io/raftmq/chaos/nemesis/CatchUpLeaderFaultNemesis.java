package io.raftmq.chaos.nemesis;

import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The composed fault: kill -9 of one random follower, 1-3 s down (the load goes on, so it falls behind), restart,
 * and at once kill -9 or pause (drawn) the leader while the restarted member is still catching up. With three
 * members the new leader needs the restarted one's vote, so this measures how long a group without a caught-up
 * majority stays leaderless. Heal restarts or resumes the leader.
 */
public final class CatchUpLeaderFaultNemesis implements Nemesis {
    private static final int DOWN_MS_MIN = 1000;
    private static final int DOWN_MS_SPAN = 2000;

    private Member leaderHit;
    private boolean leaderPaused;

    @Override
    public String name() {
        return "kill-restart-then-leader";
    }

    @Override
    public String inject(ProcessCluster cluster, Random random) throws Exception {
        Member leader = Targets.leader(cluster);
        if (leader == null) {
            return "no leader: nothing done";
        }
        List<Member> followers = new ArrayList<>(Targets.running(cluster));
        followers.remove(leader);
        if (followers.isEmpty()) {
            return "no running follower: nothing done";
        }
        Member f = Targets.draw(followers, 1, random).get(0);
        int downMs = DOWN_MS_MIN + random.nextInt(DOWN_MS_SPAN);
        boolean pause = random.nextBoolean();
        cluster.kill(f);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(downMs)); // the fault's own duration, not a wait
        cluster.restart(f);
        long pid = leader.pid();
        if (pause) {
            cluster.pause(leader);
        } else {
            cluster.kill(leader);
        }
        leaderHit = leader;
        leaderPaused = pause;
        return "killed " + f.id() + " for " + downMs + " ms, restarted it, then " + (pause ? "paused " : "killed ")
            + Targets.label(leader, leader) + " pid " + pid;
    }

    @Override
    public String heal(ProcessCluster cluster) throws Exception {
        Member m = leaderHit;
        leaderHit = null;
        if (m == null) {
            return "nothing to heal";
        }
        if (leaderPaused) {
            if (!m.isPaused()) {
                return "nothing to heal";
            }
            cluster.resume(m);
            return "resumed " + m.id();
        }
        if (m.isAlive()) {
            return "nothing to heal";
        }
        cluster.restart(m);
        return "restarted " + m.id();
    }
}
