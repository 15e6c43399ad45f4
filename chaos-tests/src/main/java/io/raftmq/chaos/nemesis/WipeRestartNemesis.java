package io.raftmq.chaos.nemesis;

import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;

import java.util.List;
import java.util.Random;

/**
 * Restart with a wiped data directory: kill -9 of one random member, its data directory deleted
 * ({@link ProcessCluster#wipe}: it restarts as a member of the running group that lost its data); heal restarts
 * it. The repair path (docs/raft-driver.md, "Repair") must bring it back: it votes again only once it caught up, so
 * it can never help elect a leader that lacks committed entries. It wipes only when every member runs, answers as
 * leader or follower and is not repairing: a second wipe before the first member caught up would leave a majority
 * without the data, a group that by design elects no leader again (docs/raft-driver.md, "Repair"), not the fault
 * this nemesis means to inject.
 */
public final class WipeRestartNemesis implements Nemesis {
    private Member wiped;

    @Override
    public String name() {
        return "wipe-restart";
    }

    @Override
    public String inject(ProcessCluster cluster, Random random) throws Exception {
        String unhealthy = Targets.unhealthy(cluster);
        if (!unhealthy.isEmpty()) {
            return "no wipe while a member is down or repairing:" + unhealthy;
        }
        Member leader = Targets.leader(cluster);
        List<Member> victims = Targets.draw(Targets.running(cluster), 1, random);
        Member m = victims.get(0);
        long pid = m.pid();
        cluster.kill(m);
        cluster.wipe(m);
        wiped = m;
        return "killed and wiped " + Targets.label(m, leader) + " pid " + pid;
    }

    @Override
    public String heal(ProcessCluster cluster) throws Exception {
        Member m = wiped;
        wiped = null;
        if (m == null || m.isAlive()) {
            return "nothing to heal";
        }
        cluster.restart(m);
        return "restarted " + m.id() + " on an empty data directory (repairing)";
    }
}
