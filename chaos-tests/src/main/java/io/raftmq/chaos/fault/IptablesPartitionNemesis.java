package io.raftmq.chaos.fault;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.fault.net.Cut;
import io.raftmq.chaos.fault.net.Firewall;
import io.raftmq.chaos.fault.net.IptablesRules;
import io.raftmq.chaos.fault.net.PartitionShape;
import io.raftmq.chaos.nemesis.Nemesis;
import io.raftmq.chaos.nemesis.Targets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * A partition of one {@link PartitionShape}, or packet loss on every member link, made with iptables rules between
 * the members' loopback addresses (root only; {@link Firewall}). Each cut {@code a -x-> b} drops every packet from
 * a's address to b's; the NameServer shape drops every packet to and from the NameServer's port (its clients and
 * the brokers' registrations leave from 127.0.0.1 alike, so it is cut off from everyone). Heal flushes the chain;
 * {@link #close} removes it (a JVM shutdown hook does too, and the next run removes what a crash left).
 *
 * <p>What it misses: connections that leave from 127.0.0.1 (a follower forwarding a send to the leader's client
 * port, clients, NameServer registrations) are not cut by member-pair rules; only raft traffic, which leaves from
 * each member's own address, is. A one-way cut drops a's packets to b, including the TCP acknowledgements of b's
 * connection to a, so b's connection stalls too: a kernel one-way cut is harsher than the proxy's.
 */
public final class IptablesPartitionNemesis implements Nemesis, AutoCloseable {
    private final PartitionShape shape;
    private final double lossProbability;
    private Firewall firewall;

    private IptablesPartitionNemesis(PartitionShape shape, double lossProbability) {
        this.shape = shape;
        this.lossProbability = lossProbability;
    }

    /** A partition of {@code shape}. */
    public static IptablesPartitionNemesis partition(PartitionShape shape) {
        return new IptablesPartitionNemesis(shape, 1.0);
    }

    /** Random loss of {@code probability} of the packets on every link between two members, both ways. */
    public static IptablesPartitionNemesis packetLoss(double probability) {
        if (!(probability > 0 && probability < 1)) {
            throw new IllegalArgumentException("loss probability must be in (0, 1): " + probability);
        }
        return new IptablesPartitionNemesis(null, probability);
    }

    @Override
    public String name() {
        return shape == null ? "packet-loss" : "partition-" + shape.label();
    }

    /** Fails early, before the cluster starts, when this JVM is not root or iptables is missing. */
    @Override
    public ClusterOptions prepare(ClusterOptions options, Path workDir) {
        if (!Firewall.isRoot()) {
            throw new IllegalStateException(name() + " needs root (iptables rules between loopback addresses)");
        }
        Firewall.binary();
        return options;
    }

    @Override
    public synchronized String inject(ProcessCluster cluster, Random random) throws IOException {
        if (firewall == null) {
            firewall = Firewall.open();
        }
        List<String> ids = Targets.ids(cluster);
        List<Cut> cuts;
        String victim = "";
        if (shape == null) {
            cuts = new ArrayList<>();
            for (String a : ids) {
                for (String b : ids) {
                    if (!a.equals(b)) {
                        cuts.add(new Cut(a, b));
                    }
                }
            }
        } else {
            ProcessCluster.Member leader = shape == PartitionShape.ISOLATED_LEADER ? Targets.leader(cluster) : null;
            ProcessCluster.Member isolated = shape != PartitionShape.ISOLATED_LEADER ? null
                : leader != null ? leader : Targets.leaderOrRandom(cluster, random);
            cuts = shape.cuts(ids, isolated == null ? null : isolated.id(), random);
            victim = isolated == null ? "" : "isolated " + Targets.label(isolated, leader) + ": ";
        }
        for (List<String> rule : rules(firewall.rules(), id -> hostOf(cluster, id), cluster.namesrvAddr(), cuts,
                lossProbability)) {
            firewall.apply(rule);
        }
        return (shape == null ? "packet loss p=" + lossProbability + " on " : "iptables " + shape.label() + " ")
            + victim + cuts;
    }

    /**
     * The rule commands for {@code cuts} (NameServer cuts collapse into its two port rules).
     *
     * @param hosts a member id to its loopback address
     * @param ns    the NameServer's {@code host:port}
     * @param p     drop probability (1: partition)
     */
    public static List<List<String>> rules(IptablesRules r, Function<String, String> hosts, String ns,
                                           List<Cut> cuts, double p) {
        Set<List<String>> out = new LinkedHashSet<>();
        for (Cut c : cuts) {
            if (c.from().equals(Cut.NAMESERVER) || c.to().equals(Cut.NAMESERVER)) {
                out.add(r.ruleCommand(IptablesRules.LOOPBACK, Targets.host(ns), Targets.port(ns), null, p));
                out.add(r.ruleCommand(Targets.host(ns), IptablesRules.LOOPBACK, null, Targets.port(ns), p));
            } else {
                out.add(r.ruleCommand(hosts.apply(c.from()), hosts.apply(c.to()), null, null, p));
            }
        }
        return new ArrayList<>(out);
    }

    private static String hostOf(ProcessCluster cluster, String id) {
        return Targets.host(Targets.member(cluster, id).raftAddr());
    }

    @Override
    public synchronized String heal(ProcessCluster cluster) throws IOException {
        if (firewall == null) {
            return "nothing to heal";
        }
        firewall.heal();
        return "iptables chain " + firewall.rules().chain() + " flushed";
    }

    /** Removes the chain and its jumps (idempotent). */
    @Override
    public synchronized void close() {
        if (firewall != null) {
            firewall.close();
            firewall = null;
        }
    }
}
