package io.raftmq.chaos.fault;

import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.nemesis.Nemesis;
import io.raftmq.chaos.nemesis.Targets;

import java.io.IOException;
import java.util.List;
import java.util.Random;

/**
 * Damaged files on one stopped member: the leader (or a seeded member) is killed with SIGKILL, one seeded file of
 * a {@link FileDamage.Target} gets bit flips or a truncation ({@link FileDamage}), and the member is restarted on
 * what is left. The member must either come back (repairing from its peers: docs/raft-driver.md "Repair") or refuse
 * to start with a message naming the damage; what was acknowledged must not be lost either way. Heal restarts the
 * member if it is down (a member that refuses to start stays down: heal says so).
 */
public final class FileDamageNemesis implements Nemesis {
    private final FileDamage.Target target;
    private final FileDamage.Kind kind;
    private final boolean leader;
    private final int flips;
    private ProcessCluster.Member damaged;
    private FileDamage.Damage last;

    /**
     * @param target what kind of file
     * @param kind   bit flips or truncation
     * @param leader damage the leader (else a seeded random member)
     * @param flips  bits flipped per injection (bit flips only)
     */
    public FileDamageNemesis(FileDamage.Target target, FileDamage.Kind kind, boolean leader, int flips) {
        if (flips < 1) {
            throw new IllegalArgumentException("flips must be >= 1: " + flips);
        }
        this.target = target;
        this.kind = kind;
        this.leader = leader;
        this.flips = flips;
    }

    @Override
    public String name() {
        return (kind == FileDamage.Kind.BIT_FLIP ? "bitflip-" : "truncate-") + target.label();
    }

    /** The member damaged last, or null. */
    public synchronized ProcessCluster.Member damaged() {
        return damaged;
    }

    /** The last damage done, or null. */
    public synchronized FileDamage.Damage lastDamage() {
        return last;
    }

    @Override
    public synchronized String inject(ProcessCluster cluster, Random random) throws IOException {
        ProcessCluster.Member m;
        ProcessCluster.Member actual = Targets.leader(cluster);
        if (leader) {
            m = actual != null ? actual : Targets.leaderOrRandom(cluster, random);
        } else {
            List<ProcessCluster.Member> all = cluster.members();
            m = all.get(random.nextInt(all.size()));
        }
        if (m.isAlive()) {
            cluster.kill(m);
        }
        damaged = m;
        last = FileDamage.damage(m.dataDir(), target, kind, flips, random);
        cluster.restart(m);
        return Targets.label(m, actual) + ": " + last + "; restarted";
    }

    @Override
    public synchronized String heal(ProcessCluster cluster) throws IOException {
        if (damaged == null || damaged.isAlive()) {
            return "nothing to heal";
        }
        cluster.restart(damaged);
        return "restarted " + damaged.id() + " (it had stopped)";
    }
}
