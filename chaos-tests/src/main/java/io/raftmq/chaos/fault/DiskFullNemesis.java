package io.raftmq.chaos.fault;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.fault.net.Firewall;
import io.raftmq.chaos.fault.os.Exec;
import io.raftmq.chaos.fault.os.SmallDisk;
import io.raftmq.chaos.nemesis.Nemesis;
import io.raftmq.chaos.nemesis.Targets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A full disk on one member (root only): the member (a seeded follower, or the leader) is killed, a tmpfs only
 * {@code headroomBytes} larger than its data is mounted over its data directory with a copy of the data
 * ({@link SmallDisk}), and it is restarted: its writes soon fail with ENOSPC (the segment preallocator's zero-fill
 * first, then appends). Heal kills it, copies the data back to disk, unmounts and restarts it. Expected: the member
 * fails its writes cleanly (the commit log surfaces ENOSPC as {@code NoSpaceException}) and the rest of the group
 * goes on; nothing acknowledged is lost, and the member catches up after heal.
 */
public final class DiskFullNemesis implements Nemesis {
    private final long headroomBytes;
    private final boolean leader;
    private ProcessCluster.Member member;
    private SmallDisk disk;

    /**
     * @param headroomBytes free space left on the small disk beyond the data's current allocated size
     * @param leader        fill the leader's disk (else a seeded random follower's)
     */
    public DiskFullNemesis(long headroomBytes, boolean leader) {
        if (headroomBytes < 0) {
            throw new IllegalArgumentException("headroomBytes must be >= 0: " + headroomBytes);
        }
        this.headroomBytes = headroomBytes;
        this.leader = leader;
    }

    @Override
    public String name() {
        return leader ? "disk-full-leader" : "disk-full";
    }

    /** Fails early, before the cluster starts, when this JVM is not root (mount needs it). */
    @Override
    public ClusterOptions prepare(ClusterOptions options, Path workDir) {
        if (!Firewall.isRoot()) {
            throw new IllegalStateException(name() + " needs root (it mounts a small tmpfs over a data directory)");
        }
        return options;
    }

    @Override
    public synchronized String inject(ProcessCluster cluster, Random random) throws IOException {
        if (disk != null) {
            return "disk already full on " + member.id();
        }
        ProcessCluster.Member l = Targets.leaderOrRandom(cluster, random);
        ProcessCluster.Member m = l;
        if (!leader) {
            List<ProcessCluster.Member> others = cluster.members().stream().filter(x -> x != l).toList();
            m = others.get(random.nextInt(others.size()));
        }
        if (m.isAlive()) {
            cluster.kill(m);
        }
        long used = allocatedBytes(m);
        long size = used + headroomBytes;
        member = m;
        disk = SmallDisk.mount(m.dataDir(), size);
        cluster.restart(m);
        return "tmpfs of " + size + " B (" + used + " B used) over " + Targets.label(m, l)
            + "'s data; restarted";
    }

    @Override
    public synchronized String heal(ProcessCluster cluster) throws IOException {
        if (disk == null) {
            return "nothing to heal";
        }
        if (member.isAlive()) {
            cluster.kill(member);
        }
        disk.unmount();
        disk = null;
        cluster.restart(member);
        return member.id() + "'s data back on disk; restarted";
    }

    /** Bytes the member's data directory occupies (allocated blocks: sparse segments count what they hold). */
    private static long allocatedBytes(ProcessCluster.Member m) throws IOException {
        String out = Exec.run(List.of("du", "-s", "-B1", m.dataDir().toString()), 60_000);
        return Long.parseLong(out.trim().split("\\s+")[0]);
    }
}
