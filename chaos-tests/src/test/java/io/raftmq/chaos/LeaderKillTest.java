package io.raftmq.chaos;

import io.raftmq.chaos.check.DeliveryChecker;
import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acceptance point, on real processes: the official {@code rocketmq-client} 5.3.3 producer sends a stream
 * of synchronous sends to a three-member group ({@link ProcessCluster}: NameServer + three broker JVMs on 127.0.0.1-3);
 * after a seeded number of acknowledgements the LEADER PROCESS is killed with SIGKILL mid-stream. Then:
 * <ul>
 *   <li>a new leader is elected and routed as brokerId 0 by the NameServer within 2 s of the kill (asserted;
 *       measured from just before the signal to the first route query showing another id-0 address, polled every
 *       10 ms), and the producer gets its first SEND_OK from the new leader (reported, and asserted within 10 s);
 *   <li>every message the producer got SEND_OK for is consumed afterwards by an official
 *       {@link DefaultLitePullConsumer} reading every queue from offset 0: 0 lost (duplicates, e.g. from the
 *       client's own retries, are counted and allowed);
 *   <li>the killed member, restarted on its data, rejoins as a follower and the route keeps the new leader.
 * </ul>
 * The official client refreshes routes every 30 s by default; the test sets {@code pollNameServerInterval} to 200 ms
 * so the producer learns the new leader quickly. (A stale route would still work against a live follower, which
 * forwards sends to the leader, but not against the killed process.) The seed ({@code -Dchaos.seed=N}, printed)
 * fixes when the kill happens; the figures are printed in one RESULT line.
 */
@ProcessTest
class LeaderKillTest {
    private static final String TOPIC = "ChaosLeaderKill";
    private static final long ELECTION_AND_ROUTE_MAX_MS = 2000;

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
    @Timeout(120)
    void everyAcknowledgedSendSurvivesKillingTheLeaderProcess() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        SplittableRandom random = new SplittableRandom(seed);
        int acksBeforeKill = 100 + random.nextInt(200);

        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir));
        ProcessCluster.Member leader = cluster.start();
        History history = new History();
        producer = ChaosClients.producer("ChaosPG", cluster.namesrvAddr(), "chaos-p-" + seed, 200, true);
        ChaosClients.Load load = new ChaosClients.Load(producer, TOPIC, "v-" + seed, history, 0, seed).start();
        try {
            Awaits.await(acksBeforeKill + " acknowledged sends").until(() -> load.acked() >= acksBeforeKill);
            long killNanos = history.info("nemesis", "kill", leader.id(), "pid " + leader.pid());
            cluster.kill(leader);
            ProcessCluster.Member next = cluster.awaitRoutedLeader(leader.brokerAddr(), 10_000);
            long routedNanos = history.info("nemesis", "routed-leader", next.id(), next.brokerAddr());
            History.Event firstOk = awaitOkFrom(history, next, killNanos);
            int ackedAtRoute = load.acked();
            Awaits.await("100 more acknowledged sends").until(() -> load.acked() >= ackedAtRoute + 100);
            load.stop();

            ChaosClients.consumeAll(cluster.namesrvAddr(), "ChaosCG", TOPIC, history);
            DeliveryChecker.Result result = DeliveryChecker.check(history);
            double electMs = (routedNanos - killNanos) / 1e6;
            double firstOkMs = (firstOk.nanos() - killNanos) / 1e6;
            System.out.printf("RESULT leader-kill seed=%d killed=%s newLeader=%s kill_to_routed_ms=%.0f"
                + " kill_to_first_send_ok_ms=%.0f %s%n", seed, leader.id(), next.id(), electMs, firstOkMs, result);

            assertThat(result.lost()).as("acknowledged but never consumed").isEmpty();
            assertThat(result.phantoms()).as("consumed but never sent").isEmpty();
            assertThat(result.acknowledged()).isGreaterThanOrEqualTo(acksBeforeKill + 100);
            assertThat(next.id()).isNotEqualTo(leader.id());
            assertThat(electMs).as("kill -> new leader routed as brokerId 0 (ms)")
                .isLessThan(ELECTION_AND_ROUTE_MAX_MS);

            cluster.restart(leader); // same data: it rejoins as a follower of the new leader
            Awaits.await("the restarted " + leader.id() + " to follow")
                .until(() -> cluster.role(leader).equals("FOLLOWER"));
            assertThat(cluster.routedLeader()).isEqualTo(next.brokerAddr());
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(40));
            throw e;
        } finally {
            load.stop();
        }
    }

    /** The first SEND_OK after the kill that the new leader stored (its offset msgId names the store host). */
    private static History.Event awaitOkFrom(History h, ProcessCluster.Member next, long killNanos) {
        History.Event[] found = new History.Event[1];
        Awaits.await("a SEND_OK from the new leader " + next.id()).atMost(Duration.ofSeconds(10)).until(() -> {
            for (History.Event e : h.select(History.Type.OK, "send")) {
                if (e.nanos() - killNanos >= 0 && ChaosClients.storeHost(e.detail()).equals(next.brokerAddr())) {
                    found[0] = e;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }
}
