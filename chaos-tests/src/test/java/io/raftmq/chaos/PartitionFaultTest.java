package io.raftmq.chaos;

import io.raftmq.chaos.check.DeliveryChecker;
import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.fault.IptablesPartitionNemesis;
import io.raftmq.chaos.fault.ProxyNemesis;
import io.raftmq.chaos.fault.net.Firewall;
import io.raftmq.chaos.fault.net.PartitionShape;
import io.raftmq.chaos.nemesis.Nemesis;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An isolated leader on real processes, two ways: iptables rules between loopback addresses (root only: skipped
 * with a reason when not root, an error when root lacks iptables) and the raft-link fault proxies (no root). The
 * official client's producer sends synchronously throughout; after a seeded number of acknowledgements the leader is
 * cut off from both followers. Then: the majority side elects a new leader (time from the cut to a follower
 * reporting LEADER, printed; asserted under 5 s), the old leader steps down (check-quorum) within 5 s, the
 * producer gets 100 more acknowledgements, the partition heals, the old leader follows again, and every
 * acknowledged send is consumed afterwards (0 lost, 0 phantoms). Seed: {@code -Dchaos.seed=N}, printed.
 */
@ProcessTest
class PartitionFaultTest {
    private static final String TOPIC = "ChaosPartition";
    private static final long NEW_LEADER_MAX_MS = 5000;

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private DefaultMQProducer producer;
    private IptablesPartitionNemesis iptables;

    @AfterEach
    void tearDown() {
        if (iptables != null) {
            iptables.close();
        }
        if (producer != null) {
            producer.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(120)
    void isolatedLeaderWithIptables() throws Exception {
        Assumptions.assumeTrue(Firewall.isRoot(), "iptables partitions need root (the proxy variant runs without)");
        Firewall.binary(); // as root a missing binary is an error, not a skip
        iptables = IptablesPartitionNemesis.partition(PartitionShape.ISOLATED_LEADER);
        run(ClusterOptions.threeMembers(dir), iptables);
    }

    @Test
    @Timeout(120)
    void isolatedLeaderWithProxies() throws Exception {
        run(ClusterOptions.threeMembers(dir).withRaftProxies(), ProxyNemesis.partition(PartitionShape.ISOLATED_LEADER));
    }

    private void run(ClusterOptions options, Nemesis nemesis) throws Exception {
        long seed = Seeds.seed("chaos.seed");
        Random random = new Random(seed);
        int acksBefore = 50 + random.nextInt(100);
        cluster = new ProcessCluster(options);
        cluster.start();
        History history = new History();
        producer = ChaosClients.producer("ChaosPartPG", cluster.namesrvAddr(), "chaos-part-" + seed, 200, true);
        ChaosClients.Load load = new ChaosClients.Load(producer, TOPIC, "v-" + seed, history, 0, seed).start();
        try {
            Awaits.await(acksBefore + " acknowledged sends").until(() -> load.acked() >= acksBefore);
            long cutNanos = System.nanoTime();
            String what = nemesis.inject(cluster, random);
            history.info("nemesis", "inject", nemesis.name(), what);
            ProcessCluster.Member old = leaderNamedIn(what);
            ProcessCluster.Member next = awaitLeaderOtherThan(old);
            double electMs = (System.nanoTime() - cutNanos) / 1e6;
            Awaits.await("the isolated " + old.id() + " to step down").atMost(Duration.ofSeconds(5))
                .until(() -> !cluster.role(old).equals("LEADER"));
            int acked = load.acked();
            Awaits.await("100 more acknowledged sends").atMost(Duration.ofSeconds(30))
                .until(() -> load.acked() >= acked + 100);
            history.info("nemesis", "heal", nemesis.name(), nemesis.heal(cluster));
            Awaits.await("the healed " + old.id() + " to follow").atMost(Duration.ofSeconds(15))
                .until(() -> cluster.role(old).equals("FOLLOWER"));
            load.stop();

            ChaosClients.consumeAll(cluster.namesrvAddr(), "ChaosPartCG", TOPIC, history);
            DeliveryChecker.Result result = DeliveryChecker.check(history);
            System.out.printf("RESULT %s seed=%d isolated=%s newLeader=%s cut_to_new_leader_ms=%.0f %s%n",
                nemesis.name(), seed, old.id(), next.id(), electMs, result);
            assertThat(result.lost()).as("acknowledged but never consumed").isEmpty();
            assertThat(result.phantoms()).as("consumed but never sent").isEmpty();
            assertThat(electMs).as("cut -> new leader on the majority side (ms)").isLessThan(NEW_LEADER_MAX_MS);
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(40));
            throw e;
        } finally {
            load.stop();
            nemesis.heal(cluster);
        }
    }

    /** The member a nemesis description names as the isolated one (the cuts start with it). */
    private ProcessCluster.Member leaderNamedIn(String what) {
        for (ProcessCluster.Member m : cluster.members()) {
            if (what.contains("[" + m.id() + "-x->")) {
                return m;
            }
        }
        throw new AssertionError("no isolated member in: " + what);
    }

    private ProcessCluster.Member awaitLeaderOtherThan(ProcessCluster.Member old) {
        ProcessCluster.Member[] found = new ProcessCluster.Member[1];
        Awaits.await("a leader other than " + old.id()).atMost(Duration.ofMillis(NEW_LEADER_MAX_MS * 2))
            .pollInterval(Duration.ofMillis(10)).until(() -> {
                for (ProcessCluster.Member m : cluster.members()) {
                    if (m != old && cluster.role(m).equals("LEADER")) {
                        found[0] = m;
                        return true;
                    }
                }
                return false;
            });
        return found[0];
    }
}
