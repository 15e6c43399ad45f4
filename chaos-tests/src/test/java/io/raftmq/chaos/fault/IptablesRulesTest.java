package io.raftmq.chaos.fault;

import io.raftmq.chaos.fault.net.Cut;
import io.raftmq.chaos.fault.net.IptablesRules;
import io.raftmq.chaos.fault.net.PartitionShape;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The exact iptables commands of every partition shape (no root needed: nothing runs): the chain and its
 * loopback-only jumps, one DROP per directed address pair, the NameServer's port rules, the packet-loss rule,
 * heal and removal, and the stale-chain parser. Shapes are drawn from a seeded {@link Random} (seed printed).
 */
class IptablesRulesTest {
    private static final IptablesRules RULES = new IptablesRules("iptables", IptablesRules.chainName(4242, 1));
    private static final Map<String, String> HOSTS = Map.of("n0", "127.0.0.1", "n1", "127.0.0.2", "n2", "127.0.0.3",
        "n3", "127.0.0.4", "n4", "127.0.0.5");
    private static final List<String> THREE = List.of("n0", "n1", "n2");
    private static final List<String> FIVE = List.of("n0", "n1", "n2", "n3", "n4");

    private static List<List<String>> rules(List<Cut> cuts, double p) {
        return IptablesPartitionNemesis.rules(RULES, HOSTS::get, "127.0.0.1:9876", cuts, p);
    }

    private static List<String> drop(String src, String dst) {
        return List.of("iptables", "-w", "-A", "RAFTMQ-CHAOS-4242-1", "-s", src + "/32", "-d", dst + "/32", "-j",
            "DROP");
    }

    @Test
    void chainJumpsHealAndRemovalAreExact() {
        assertThat(RULES.createCommands()).containsExactly(
            List.of("iptables", "-w", "-N", "RAFTMQ-CHAOS-4242-1"),
            List.of("iptables", "-w", "-I", "INPUT", "-s", "127.0.0.0/8", "-d", "127.0.0.0/8", "-j",
                "RAFTMQ-CHAOS-4242-1"),
            List.of("iptables", "-w", "-I", "OUTPUT", "-s", "127.0.0.0/8", "-d", "127.0.0.0/8", "-j",
                "RAFTMQ-CHAOS-4242-1"));
        assertThat(RULES.healCommand()).containsExactly("iptables", "-w", "-F", "RAFTMQ-CHAOS-4242-1");
        assertThat(RULES.removeCommands()).containsExactly(
            List.of("iptables", "-w", "-D", "INPUT", "-s", "127.0.0.0/8", "-d", "127.0.0.0/8", "-j",
                "RAFTMQ-CHAOS-4242-1"),
            List.of("iptables", "-w", "-D", "OUTPUT", "-s", "127.0.0.0/8", "-d", "127.0.0.0/8", "-j",
                "RAFTMQ-CHAOS-4242-1"),
            List.of("iptables", "-w", "-F", "RAFTMQ-CHAOS-4242-1"),
            List.of("iptables", "-w", "-X", "RAFTMQ-CHAOS-4242-1"));
    }

    @Test
    void isolatedLeaderDropsBothWaysBetweenTheLeaderAndEachFollower() {
        List<Cut> cuts = PartitionShape.ISOLATED_LEADER.cuts(THREE, "n1", new Random(1));
        assertThat(rules(cuts, 1.0)).containsExactly(
            drop("127.0.0.2", "127.0.0.1"), drop("127.0.0.1", "127.0.0.2"),
            drop("127.0.0.2", "127.0.0.3"), drop("127.0.0.3", "127.0.0.2"));
    }

    @Test
    void oneWayDropsOneDirectionOfOnePair() {
        long seed = Seeds.seed("chaos.seed");
        List<Cut> cuts = PartitionShape.ONE_WAY.cuts(THREE, "n0", new Random(seed));
        assertThat(cuts).hasSize(1);
        Cut c = cuts.get(0);
        assertThat(rules(cuts, 1.0)).containsExactly(drop(HOSTS.get(c.from()), HOSTS.get(c.to())));
    }

    @Test
    void halvesBridgeAndRingOfFiveLeaveTheRightLinks() {
        long seed = Seeds.seed("chaos.seed");
        Random random = new Random(seed);
        List<Cut> halves = PartitionShape.HALVES.cuts(FIVE, "n0", random);
        assertThat(halves).hasSize(2 * 2 * 3); // a minority of 2 and a majority of 3, both ways
        assertThat(reach(FIVE, halves, "n0")).satisfiesAnyOf(r -> assertThat(r).hasSize(2),
            r -> assertThat(r).hasSize(3));

        List<Cut> bridge = PartitionShape.BRIDGE.cuts(FIVE, "n0", random);
        assertThat(bridge).hasSize(2 * 2 * 2);
        long bridges = FIVE.stream().filter(m -> reach(FIVE, bridge, m).size() == 5).count();
        assertThat(bridges).as("exactly one member reaches everyone").isEqualTo(1);
        assertThat(FIVE.stream().filter(m -> reach(FIVE, bridge, m).size() == 3).count()).isEqualTo(4);

        List<Cut> ring = PartitionShape.MAJORITIES_RING.cuts(FIVE, "n0", random);
        assertThat(ring).hasSize(5 * 2);
        Set<Set<String>> views = new HashSet<>();
        for (String m : FIVE) {
            assertThat(reach(FIVE, ring, m)).as(m + " sees a majority (itself and two)").hasSize(3);
            views.add(reach(FIVE, ring, m));
        }
        assertThat(views).as("no two members see the same majority").hasSize(5);
        assertThat(rules(ring, 1.0)).hasSize(10).allSatisfy(r -> assertThat(r).endsWith("-j", "DROP"));
    }

    @Test
    void isolatedNameServerDropsItsPortBothWaysForEveryone() {
        List<Cut> cuts = PartitionShape.ISOLATED_NAMESERVER.cuts(THREE, "n0", new Random(1));
        assertThat(rules(cuts, 1.0)).containsExactly(
            List.of("iptables", "-w", "-A", "RAFTMQ-CHAOS-4242-1", "-s", "127.0.0.0/8", "-d", "127.0.0.1/32",
                "-p", "tcp", "--dport", "9876", "-j", "DROP"),
            List.of("iptables", "-w", "-A", "RAFTMQ-CHAOS-4242-1", "-s", "127.0.0.1/32", "-d", "127.0.0.0/8",
                "-p", "tcp", "--sport", "9876", "-j", "DROP"));
    }

    @Test
    void packetLossUsesTheStatisticMatch() {
        assertThat(rules(List.of(new Cut("n0", "n1")), 0.2)).containsExactly(List.of("iptables", "-w", "-A",
            "RAFTMQ-CHAOS-4242-1", "-s", "127.0.0.1/32", "-d", "127.0.0.2/32", "-m", "statistic", "--mode", "random",
            "--probability", "0.2", "-j", "DROP"));
    }

    @Test
    void onlyLoopbackAddressesAndOwnChainsAreAccepted() {
        assertThatThrownBy(() -> RULES.dropCommand("10.0.0.1", "127.0.0.2"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("127.0.0.0/8");
        assertThatThrownBy(() -> new IptablesRules("iptables", "INPUT")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PartitionShape.MAJORITIES_RING.cuts(THREE, "n0", new Random(1)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("n >= 5");
    }

    @Test
    void staleChainsAreThoseOfDeadPids() {
        String listing = String.join("\n", "-P INPUT ACCEPT", "-N RAFTMQ-CHAOS-100-1", "-N RAFTMQ-CHAOS-200-3",
            "-N OTHER-CHAIN", "-A INPUT -s 127.0.0.0/8 -d 127.0.0.0/8 -j RAFTMQ-CHAOS-100-1");
        assertThat(IptablesRules.staleChains(listing, pid -> pid == 200)).containsExactly("RAFTMQ-CHAOS-100-1");
    }

    /** The members {@code from} can send to (itself included) under {@code cuts}, both directions open. */
    private static Set<String> reach(List<String> members, List<Cut> cuts, String from) {
        Set<String> out = new HashSet<>();
        for (String to : members) {
            if (to.equals(from) || (!cuts.contains(new Cut(from, to)) && !cuts.contains(new Cut(to, from)))) {
                out.add(to);
            }
        }
        return out;
    }
}
