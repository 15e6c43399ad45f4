package io.raftmq.chaos;

import io.raftmq.chaos.check.DeliveryChecker;
import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.fault.FileDamage;
import io.raftmq.chaos.fault.FileDamageNemesis;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Damaged files on a stopped member, on real processes, while the official client's producer sends. One round per
 * kind of file, each on the current leader (killed, damaged, restarted): bit flips in the commit log, a
 * ConsumeQueue and the key index; a truncated commit-log segment; bit flips in the commit log's raft index, the
 * checkpoints and, last, the raft state. After each round the damaged member must either be back (FOLLOWER or
 * LEADER, not repairing) or have refused to start with a message naming the damaged file, and the group must take
 * 30 more acknowledged sends. At the end every acknowledged send must be consumed (0 lost). A member that refused
 * to start ends the rounds (a second one down would stop the group). Seed: {@code -Dchaos.seed=N}, printed with
 * each round's damage.
 */
@ProcessTest
class FileDamageFaultTest {
    private static final String TOPIC = "ChaosFileDamage";

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
    @Timeout(180)
    void aDamagedMemberRepairsOrRefusesToStartAndNothingAcknowledgedIsLost() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        Random random = new Random(seed);
        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir));
        cluster.start();
        History history = new History();
        producer = ChaosClients.producer("ChaosDamagePG", cluster.namesrvAddr(), "chaos-damage-" + seed, 200, true);
        ChaosClients.Load load = new ChaosClients.Load(producer, TOPIC, "v-" + seed, history, 0, seed).start();
        List<String> outcomes = new ArrayList<>();
        try {
            Awaits.await("100 acknowledged sends").until(() -> load.acked() >= 100);
            for (FileDamageNemesis n : rounds()) {
                String what = n.inject(cluster, random);
                history.info("nemesis", "inject", n.name(), what);
                String outcome = awaitOutcome(n);
                outcomes.add(n.name() + " -> " + outcome);
                System.out.println("ROUND seed=" + seed + " " + what + " => " + outcome);
                int acked = load.acked();
                Awaits.await("30 more acknowledged sends after " + n.name()).atMost(Duration.ofSeconds(30))
                    .until(() -> load.acked() >= acked + 30);
                if (outcome.startsWith("refused")) {
                    break;
                }
            }
            load.stop();
            ChaosClients.consumeAll(cluster.namesrvAddr(), "ChaosDamageCG", TOPIC, history);
            DeliveryChecker.Result result = DeliveryChecker.check(history);
            System.out.printf("RESULT file-damage seed=%d rounds=%s %s%n", seed, outcomes, result);
            assertThat(result.lost()).as("acknowledged but never consumed").isEmpty();
            assertThat(result.phantoms()).as("consumed but never sent").isEmpty();
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(60));
            throw e;
        } finally {
            load.stop();
        }
    }

    private static List<FileDamageNemesis> rounds() {
        List<FileDamageNemesis> out = new ArrayList<>();
        for (FileDamage.Target t : List.of(FileDamage.Target.COMMITLOG, FileDamage.Target.CONSUME_QUEUE,
                FileDamage.Target.KEY_INDEX)) {
            out.add(new FileDamageNemesis(t, FileDamage.Kind.BIT_FLIP, true, 3));
        }
        out.add(new FileDamageNemesis(FileDamage.Target.COMMITLOG, FileDamage.Kind.TRUNCATE, true, 1));
        for (FileDamage.Target t : List.of(FileDamage.Target.COMMITLOG_INDEX, FileDamage.Target.CHECKPOINTS,
                FileDamage.Target.RAFT_STATE)) { // raft state last: a damaged hard state stops the member
            out.add(new FileDamageNemesis(t, FileDamage.Kind.BIT_FLIP, true, 3));
        }
        return out;
    }

    /**
     * "back" once the damaged member serves as FOLLOWER or LEADER and is not repairing; "refused: ..." once its
     * process exited, and then its log must name the damage.
     */
    private String awaitOutcome(FileDamageNemesis n) {
        ProcessCluster.Member m = n.damaged();
        String[] outcome = new String[1];
        Awaits.await(m.id() + " back or stopped").atMost(Duration.ofSeconds(40)).until(() -> {
            if (!m.isAlive()) {
                outcome[0] = "refused";
                return true;
            }
            Map<String, String> info = cluster.runtimeInfo(m.brokerAddr());
            String role = info == null ? "DOWN" : info.getOrDefault("raftRole", "UNKNOWN");
            if ((role.equals("FOLLOWER") || role.equals("LEADER"))
                    && !"true".equals(info.get("raftRepairing"))) {
                outcome[0] = "back as " + role;
                return true;
            }
            return false;
        });
        if (outcome[0].equals("refused")) {
            String tail = cluster.logTails(30);
            String file = n.lastDamage().file().getFileName().toString();
            assertThat(tail).as(m.id() + " stopped: its log must name the damaged file " + file).contains(file);
            return "refused to start (log names " + file + ")";
        }
        return outcome[0];
    }
}
