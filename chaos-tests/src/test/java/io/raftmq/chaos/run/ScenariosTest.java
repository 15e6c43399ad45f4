package io.raftmq.chaos.run;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.fault.net.Firewall;
import io.raftmq.chaos.fault.net.PartitionShape;
import io.raftmq.chaos.nemesis.Nemesis;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: every scenario of the menu can be run: its nemesis and workload exist, its partition shape fits its group
 * size, and the cluster it asks for is what its nemesis needs. Method: the menu's data and each nemesis's
 * {@link Nemesis#prepare}, without processes (the fsync shim is compiled with gcc, as the power-loss runs do).
 */
class ScenariosTest {
    @TempDir
    Path dir;

    @Test
    void everyScenarioNamesAKnownNemesisAndWorkloadAndNamesAreUnique() {
        Set<String> names = new HashSet<>();
        for (Scenario s : Scenarios.all()) {
            assertThat(names.add(s.name())).as("unique scenario name " + s.name()).isTrue();
            assertThat(Nemeses.names()).as(s.name()).contains(s.nemesis());
            assertThat(Workloads.NAMES).as(s.name()).contains(s.workload());
            assertThat(s.description()).as(s.name()).isNotBlank();
        }
        for (String n : Nemeses.names()) {
            assertThat(Nemeses.create(n).name()).isEqualTo(n);
        }
        assertThatThrownBy(() -> Nemeses.create("no-such")).hasMessageContaining("known: [");
    }

    @Test
    void theMenuCoversEveryFaultTheIssueNames() {
        List<String> nemeses = Scenarios.all().stream().map(Scenario::nemesis).toList();
        List<String> wanted = new ArrayList<>(List.of("kill-leader", "kill-random", "kill-minority", "kill-majority",
            "pause-leader", "pause-random", "transfer", "wipe-restart", "kill-restart-then-leader", "packet-loss",
            "proxy-partition-isolated-leader", "proxy-delay-leader", "power-loss", "bitflip-commitlog", "disk-full",
            "clock-skew"));
        for (PartitionShape s : PartitionShape.values()) {
            wanted.add("partition-" + s.label());
        }
        assertThat(nemeses).containsAll(wanted);
        assertThat(Scenarios.all()).filteredOn(s -> s.members() == 5).extracting(Scenario::nemesis)
            .contains("partition-halves", "partition-bridge", "partition-majorities-ring", "kill-leader");
        Scenario groups = Scenarios.named("groups-kill-leader").orElseThrow();
        assertThat(groups.groups()).isEqualTo(2);
        assertThat(groups.withSchedule(Schedule.SMOKE).groups()).isEqualTo(2);
        assertThatThrownBy(() -> new Scenario("x", 3, "queue", "kill-leader", Schedule.DEFAULT, "d", 4))
            .hasMessageContaining("groups");
    }

    @Test
    void everyPartitionScenarioHasAGroupItsShapeFits() {
        long seed = Seeds.seed("chaos.seed");
        for (Scenario s : Scenarios.all()) {
            for (PartitionShape shape : PartitionShape.values()) {
                if (s.nemesis().endsWith("partition-" + shape.label())) {
                    List<String> ids = new ArrayList<>();
                    for (int i = 0; i < s.members(); i++) {
                        ids.add("n" + i);
                    }
                    assertThat(shape.cuts(ids, "n0", new Random(seed))).as(s.name()).isNotEmpty();
                }
            }
        }
    }

    @Test
    void eachNemesisAsksForTheClusterItNeeds() throws Exception {
        ClusterOptions plain = ClusterOptions.threeMembers(dir.resolve("cluster"));
        try (Nemesis n = Nemeses.create("proxy-delay-leader")) {
            assertThat(n.prepare(plain, dir).raftProxies()).isTrue();
        }
        try (Nemesis n = Nemeses.create("kill-leader")) {
            assertThat(n.prepare(plain, dir)).isEqualTo(plain);
        }
        try (Nemesis n = Nemeses.create("power-loss")) {
            ClusterOptions o = n.prepare(plain, dir.resolve("power"));
            assertThat(o.environment().get("LD_PRELOAD")).endsWith(".so");
            assertThat(Path.of(o.environment().get("LD_PRELOAD"))).exists();
        }
        for (String rootOnly : List.of("partition-isolated-leader", "packet-loss", "disk-full")) {
            try (Nemesis n = Nemeses.create(rootOnly)) {
                if (Firewall.isRoot()) {
                    assertThat(n.prepare(plain, dir)).as(rootOnly).isEqualTo(plain);
                } else {
                    assertThatThrownBy(() -> n.prepare(plain, dir)).as(rootOnly).hasMessageContaining("needs root");
                }
            }
        }
    }
}
