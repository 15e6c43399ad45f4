package io.raftmq.chaos.fault;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.fault.net.Cut;
import io.raftmq.chaos.fault.net.PartitionShape;
import io.raftmq.chaos.fault.proxy.LinkProxies;
import io.raftmq.chaos.fault.proxy.LinkProxy;
import io.raftmq.chaos.nemesis.Nemesis;
import io.raftmq.chaos.nemesis.Targets;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Faults on the raft links through the cluster's fault proxies ({@code ClusterOptions.withRaftProxies()}; no root
 * needed): a partition of a {@link PartitionShape} (each cut {@code a -x-> b} holds the bytes of a's connection to
 * b, in both directions of that connection; the NameServer shape is not possible, its links are not proxied), a
 * delay of a seeded {@code [minMs, maxMs]} on every link to and from the leader, or a reset of every connection of
 * the leader's links. Heal puts every link back to pass with no delay (held bytes then flow, as after a network
 * partition heals).
 *
 * <p>Only raft traffic is proxied: client, forwarding and NameServer connections are not affected.
 */
public final class ProxyNemesis implements Nemesis {
    private enum Kind { PARTITION, DELAY, RESET }

    private final Kind kind;
    private final PartitionShape shape;
    private final long minMs;
    private final long maxMs;

    private ProxyNemesis(Kind kind, PartitionShape shape, long minMs, long maxMs) {
        this.kind = kind;
        this.shape = shape;
        this.minMs = minMs;
        this.maxMs = maxMs;
    }

    /** A partition of {@code shape} on the proxies (not {@code ISOLATED_NAMESERVER}). */
    public static ProxyNemesis partition(PartitionShape shape) {
        if (shape == PartitionShape.ISOLATED_NAMESERVER) {
            throw new IllegalArgumentException("the NameServer's links are not proxied: use the iptables nemesis");
        }
        return new ProxyNemesis(Kind.PARTITION, shape, 0, 0);
    }

    /** Every link to and from the leader delayed by a seeded value in {@code [minMs, maxMs]}. */
    public static ProxyNemesis leaderDelay(long minMs, long maxMs) {
        if (minMs < 0 || maxMs < minMs) {
            throw new IllegalArgumentException("delay range must be 0 <= min <= max: " + minMs + ", " + maxMs);
        }
        return new ProxyNemesis(Kind.DELAY, null, minMs, maxMs);
    }

    /** Every connection to and from the leader closed at once (they reconnect). */
    public static ProxyNemesis leaderReset() {
        return new ProxyNemesis(Kind.RESET, null, 0, 0);
    }

    @Override
    public String name() {
        return switch (kind) {
            case PARTITION -> "proxy-partition-" + shape.label();
            case DELAY -> "proxy-delay-leader";
            case RESET -> "proxy-reset-leader";
        };
    }

    /** Starts the cluster with every raft link through a fault proxy ({@link ClusterOptions#withRaftProxies()}). */
    @Override
    public ClusterOptions prepare(ClusterOptions options, Path workDir) {
        return options.withRaftProxies();
    }

    @Override
    public String inject(ProcessCluster cluster, Random random) {
        LinkProxies proxies = proxies(cluster);
        List<String> ids = Targets.ids(cluster);
        ProcessCluster.Member actual = Targets.leader(cluster);
        if (kind == Kind.PARTITION) {
            ProcessCluster.Member isolated = shape != PartitionShape.ISOLATED_LEADER ? null
                : actual != null ? actual : Targets.leaderOrRandom(cluster, random);
            List<Cut> cuts = shape.cuts(ids, isolated == null ? null : isolated.id(), random);
            for (Cut c : cuts) {
                proxies.link(c.from(), c.to()).drop();
            }
            return "proxy " + shape.label() + " "
                + (isolated == null ? "" : "isolated " + Targets.label(isolated, actual) + ": ") + cuts;
        }
        ProcessCluster.Member target = actual != null ? actual : Targets.leaderOrRandom(cluster, random);
        String leader = target.id();
        List<LinkProxy> links = new ArrayList<>();
        for (String other : ids) {
            if (!other.equals(leader)) {
                links.add(proxies.link(leader, other));
                links.add(proxies.link(other, leader));
            }
        }
        if (kind == Kind.RESET) {
            links.forEach(LinkProxy::reset);
            return "reset every connection of " + Targets.label(target, actual) + "'s raft links";
        }
        long ms = minMs + (maxMs == minMs ? 0 : random.nextInt((int) (maxMs - minMs + 1)));
        links.forEach(l -> l.delay(ms));
        return "delay " + ms + " ms on " + Targets.label(target, actual) + "'s raft links (both ways)";
    }

    @Override
    public String heal(ProcessCluster cluster) {
        proxies(cluster).healAll();
        return "every raft link passes with no delay";
    }

    private static LinkProxies proxies(ProcessCluster cluster) {
        LinkProxies p = cluster.proxies();
        if (p == null) {
            throw new IllegalStateException("the cluster has no raft proxies: start it with "
                + "ClusterOptions.withRaftProxies()");
        }
        return p;
    }
}
