package io.raftmq.chaos;

import io.raftmq.chaos.check.DeliveryChecker;
import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.fault.PowerLoss;
import io.raftmq.chaos.fault.PowerLossNemesis;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lost un-fsynced writes on real processes: the three brokers run with the fsync shim ({@link PowerLoss}); while
 * the official client's producer sends synchronously, every member is killed at once, each file of each member
 * is cut back to a seeded point between what its fsyncs covered and what was written, and all restart. This is
 * done twice. Then the group must elect a leader, take 100 more acknowledged sends, and every acknowledged send
 * must be consumed (0 lost: an acknowledgement waits for a quorum's fsync). Seed: {@code -Dchaos.seed=N}.
 */
@ProcessTest
class PowerLossFaultTest {
    private static final String TOPIC = "ChaosPowerLoss";
    private static final int ROUNDS = 2;

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private DefaultMQProducer producer;

    @AfterEach
    void tearDown() {
        if (producer != null) {
            producer.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(150)
    void nothingAcknowledgedIsLostWhenEveryMemberLosesItsUnsyncedWrites() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        Random random = new Random(seed);
        PowerLoss powerLoss = PowerLoss.build(dir.resolve("shim"));
        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir.resolve("cluster"))
            .withEnvironment(powerLoss.environment()));
        cluster.start();
        PowerLossNemesis nemesis = new PowerLossNemesis(powerLoss);
        History history = new History();
        producer = ChaosClients.producer("ChaosPowerPG", cluster.namesrvAddr(), "chaos-power-" + seed, 200, true);
        ChaosClients.Load load = new ChaosClients.Load(producer, TOPIC, "v-" + seed, history, 0, seed).start();
        long lostBytes = 0;
        int cutFiles = 0;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                int target = load.acked() + 50 + random.nextInt(150);
                Awaits.await(target + " acknowledged sends").atMost(Duration.ofSeconds(40))
                    .until(() -> load.acked() >= target);
                history.info("nemesis", "inject", nemesis.name(), nemesis.inject(cluster, random));
                lostBytes += nemesis.lastCuts().stream().mapToLong(PowerLoss.Cut::lostBytes).sum();
                cutFiles += nemesis.lastCuts().size();
                cluster.awaitRoutedLeader(null, 30_000);
            }
            int acked = load.acked();
            Awaits.await("100 more acknowledged sends").atMost(Duration.ofSeconds(40))
                .until(() -> load.acked() >= acked + 100);
            load.stop();

            ChaosClients.consumeAll(cluster.namesrvAddr(), "ChaosPowerCG", TOPIC, history);
            DeliveryChecker.Result result = DeliveryChecker.check(history);
            System.out.printf("RESULT power-loss seed=%d rounds=%d files_cut=%d bytes_lost=%d inodes_synced=%d %s%n",
                seed, ROUNDS, cutFiles, lostBytes, powerLoss.durable().size(), result);
            assertThat(powerLoss.durable()).as("the shim saw the brokers' fsyncs").isNotEmpty();
            assertThat(result.lost()).as("acknowledged but never consumed").isEmpty();
            assertThat(result.phantoms()).as("consumed but never sent").isEmpty();
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(60));
            throw e;
        } finally {
            load.stop();
        }
    }
}
