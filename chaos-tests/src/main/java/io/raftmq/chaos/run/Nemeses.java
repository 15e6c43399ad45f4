package io.raftmq.chaos.run;

import io.raftmq.chaos.fault.DiskFullNemesis;
import io.raftmq.chaos.fault.FileDamage;
import io.raftmq.chaos.fault.FileDamageNemesis;
import io.raftmq.chaos.fault.IptablesPartitionNemesis;
import io.raftmq.chaos.fault.PowerLossNemesis;
import io.raftmq.chaos.fault.ProxyNemesis;
import io.raftmq.chaos.fault.net.PartitionShape;
import io.raftmq.chaos.nemesis.CatchUpLeaderFaultNemesis;
import io.raftmq.chaos.nemesis.ClockSkewNemesis;
import io.raftmq.chaos.nemesis.KillNemesis;
import io.raftmq.chaos.nemesis.Nemesis;
import io.raftmq.chaos.nemesis.PauseNemesis;
import io.raftmq.chaos.nemesis.TransferNemesis;
import io.raftmq.chaos.nemesis.WipeRestartNemesis;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The one menu of nemeses by name, process faults ({@code io.raftmq.chaos.nemesis}: kills, pauses, transfer,
 * wipe-and-restart, the composed kill-restart-then-leader, clock skew) and network and disk faults
 * ({@code io.raftmq.chaos.fault}: iptables partitions of every {@link PartitionShape} and packet loss, fault-proxy
 * partitions, delays and resets, power loss, damaged files, a full disk). It lives here, above both packages, so
 * neither depends on the other's classes. A nemesis is stateful (it remembers what to heal), so {@link #create}
 * makes a fresh one per run; what a nemesis needs from the cluster (proxies, the fsync shim, root) it says in
 * {@link Nemesis#prepare}, which the runner calls before it starts the cluster.
 */
public final class Nemeses {
    /** Drop probability of {@code packet-loss} on every member link. */
    static final double PACKET_LOSS = 0.2;
    /** Range of {@code proxy-delay-leader}'s seeded delay, ms (the election timeout is 300 ms). */
    static final long DELAY_MIN_MS = 50;
    static final long DELAY_MAX_MS = 400;
    /** Free bytes {@code disk-full} leaves beyond the member's data: the preallocator's zero-fill fills them. */
    static final long DISK_HEADROOM_BYTES = 4L << 20;
    /** Range of {@code clock-skew}'s seeded skew, seconds, either way. */
    static final long SKEW_MIN_S = 30;
    static final long SKEW_MAX_S = 300;
    /** Bits {@code bitflip-*} flips in the file it damages. */
    static final int FLIPS = 3;

    private static final Map<String, Supplier<Nemesis>> MENU = menu();

    private Nemeses() {
    }

    private static Map<String, Supplier<Nemesis>> menu() {
        Map<String, Supplier<Nemesis>> m = new TreeMap<>();
        for (KillNemesis.Target t : KillNemesis.Target.values()) {
            put(m, () -> new KillNemesis(t));
        }
        put(m, () -> new PauseNemesis(true));
        put(m, () -> new PauseNemesis(false));
        put(m, TransferNemesis::new);
        put(m, WipeRestartNemesis::new);
        put(m, CatchUpLeaderFaultNemesis::new);
        put(m, () -> new ClockSkewNemesis(SKEW_MIN_S, SKEW_MAX_S));
        for (PartitionShape s : PartitionShape.values()) {
            put(m, () -> IptablesPartitionNemesis.partition(s));
            if (s != PartitionShape.ISOLATED_NAMESERVER) {
                put(m, () -> ProxyNemesis.partition(s));
            }
        }
        put(m, () -> IptablesPartitionNemesis.packetLoss(PACKET_LOSS));
        put(m, () -> ProxyNemesis.leaderDelay(DELAY_MIN_MS, DELAY_MAX_MS));
        put(m, ProxyNemesis::leaderReset);
        put(m, PowerLossNemesis::new);
        for (FileDamage.Target t : FileDamage.Target.values()) {
            for (FileDamage.Kind k : FileDamage.Kind.values()) {
                put(m, () -> new FileDamageNemesis(t, k, true, FLIPS));
            }
        }
        put(m, () -> new DiskFullNemesis(DISK_HEADROOM_BYTES, false));
        put(m, () -> new DiskFullNemesis(DISK_HEADROOM_BYTES, true));
        return m;
    }

    private static void put(Map<String, Supplier<Nemesis>> m, Supplier<Nemesis> s) {
        String name = s.get().name();
        if (m.putIfAbsent(name, s) != null) {
            throw new IllegalStateException("two nemeses named " + name);
        }
    }

    /** Every nemesis name, sorted. */
    public static List<String> names() {
        return List.copyOf(MENU.keySet());
    }

    /**
     * A fresh nemesis of that name.
     *
     * @throws IllegalArgumentException no such nemesis (the message lists the names)
     */
    public static Nemesis create(String name) {
        Supplier<Nemesis> s = MENU.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no nemesis '" + name + "'; known: " + names());
        }
        return s.get();
    }
}
