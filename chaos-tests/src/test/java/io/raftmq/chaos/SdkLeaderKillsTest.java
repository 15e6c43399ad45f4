package io.raftmq.chaos;

import io.raftmq.chaos.check.DeliveryChecker;
import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our SDK's producer through a series of leader kills, on real processes (docs/sdk.md "Failover"): four threads of
 * synchronous sends to a three-member group; {@code -Dchaos.kills=N} times (default 3; the measurement runs 20): after
 * a seeded number of further acknowledgements, SIGKILL of the routed leader, then the killed member restarted on its
 * data 2 s after the kill and awaited as a follower that applied what the leader had committed by then. Per kill the
 * client-visible unavailability is the longest time without an acknowledged send from 1 s before the kill until the
 * restart (the restart's own disturbance is printed apart). Reported: p50 and max over the kills, failed sends (one
 * RESULT line), and the acknowledged messages lost, read back by the official consumer. Asserted: 0 lost, no phantom,
 * every kill's gap under {@link #GAP_MAX_MS} (the target is a max of 1 s, measured on a quiet machine; the
 * bound leaves room for a loaded CI machine). Seed: {@code -Dchaos.seed=N} (printed). The measurement: {@code
 * -Dchaos.kills=20}.
 */
@ProcessTest
class SdkLeaderKillsTest {
    private static final String TOPIC = "SdkLeaderKills";
    private static final int THREADS = 4;
    /** The target is 1 s (measured on a quiet machine: docs/sdk.md); CI machines are loaded. */
    private static final long GAP_MAX_MS = 5_000;

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private Producer producer;
    private SdkLoad load;

    @AfterEach
    void tearDown() throws Exception {
        if (load != null) {
            load.stop();
        }
        if (producer != null) {
            producer.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(1800)
    void everyKillCostsLessThanTheBoundAndLosesNothing() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        int kills = Integer.getInteger("chaos.kills", 3);
        SplittableRandom random = new SplittableRandom(seed);
        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir));
        cluster.start();
        producer = new Producer(ProducerConfig.builder().namesrv(cluster.namesrvAddr()).group("SdkKillsPG").build());
        producer.start();
        History history = new History();
        load = new SdkLoad(producer, TOPIC, "k" + seed, history, THREADS).warmUpAndStart();
        long[] gaps = new long[kills];
        try {
            for (int k = 0; k < kills; k++) {
                gaps[k] = killOnce(history, 100 + random.nextInt(200), k);
            }
            load.stop();
            ChaosClients.consumeAll(cluster.namesrvAddr(), "SdkKillsCG", TOPIC, history);
            DeliveryChecker.Result result = DeliveryChecker.check(history);
            long[] sorted = gaps.clone();
            Arrays.sort(sorted);
            System.out.printf("RESULT sdk-leader-kills seed=%d kills=%d unavailable_p50_ms=%d unavailable_max_ms=%d"
                + " gaps_ms=%s failed=%d %s%n", seed, kills, sorted[(kills - 1) / 2], sorted[kills - 1],
                Arrays.toString(gaps), load.failed(), result);
            assertThat(result.lost()).as("acknowledged but never consumed").isEmpty();
            assertThat(result.phantoms()).as("consumed but never sent").isEmpty();
            assertThat(sorted[kills - 1]).as("longest client-visible gap of a kill (ms)").isLessThan(GAP_MAX_MS);
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(40));
            throw e;
        }
    }

    /**
     * Waits until {@code m} has applied everything the leader had committed when {@code m} began to follow: until then
     * the group has one healthy follower, and a leader kill in that window is a different fault (the chaos menu's
     * kill-restart-then-leader), whose election waits for a member still replaying its log.
     */
    private void awaitCaughtUp(ProcessCluster.Member m) {
        long target = Long.parseLong(cluster.runtimeInfo(cluster.routedLeader()).get("raftCommitIndex"));
        Awaits.await(m.id() + " to apply up to " + target).atMost(Duration.ofSeconds(60))
            .until(() -> Long.parseLong(cluster.runtimeInfo(m.brokerAddr()).getOrDefault("raftAppliedIndex", "-1"))
                >= target);
    }

    /** Waits for {@code acks} more acknowledgements, kills the leader, restarts it; returns the kill's gap (ms). */
    private long killOnce(History history, int acks, int k) throws Exception {
        int target = load.acked() + acks;
        Awaits.await(acks + " more acknowledged sends before kill " + k).atMost(Duration.ofSeconds(60))
            .until(() -> load.acked() >= target);
        ProcessCluster.Member leader = cluster.memberAt(cluster.routedLeader());
        long killNanos = history.info("nemesis", "kill", leader.id(), "pid " + leader.pid());
        cluster.kill(leader);
        cluster.awaitRoutedLeader(leader.brokerAddr(), 10_000);
        int afterKill = load.acked();
        Awaits.await("sends acknowledged by the new leader").atMost(Duration.ofSeconds(10))
            .until(() -> load.acked() >= afterKill + 20);
        Awaits.await("two seconds of sends after the kill").atMost(Duration.ofSeconds(10))
            .until(() -> System.nanoTime() - killNanos >= TimeUnit.SECONDS.toNanos(2));
        long restartNanos = history.info("nemesis", "restart", leader.id(), "");
        cluster.restart(leader);
        Awaits.await("the restarted " + leader.id() + " to follow").atMost(Duration.ofSeconds(60))
            .until(() -> "FOLLOWER".equals(cluster.role(leader)));
        awaitCaughtUp(leader);
        long gap = SdkLoad.longestGapMs(history, killNanos - TimeUnit.SECONDS.toNanos(1), restartNanos);
        History.Event firstOk = history.firstAfter(History.Type.OK, "send", killNanos);
        System.out.printf("kill %d of %s at %.0f ms: first ack after %.0f ms, longest gap %d ms; during its restart"
            + " (following at %.0f ms) longest gap %d ms%n", k, leader.id(), history.millis(killNanos),
            (firstOk.nanos() - killNanos) / 1e6, gap, history.millis(System.nanoTime()),
            SdkLoad.longestGapMs(history, restartNanos, System.nanoTime()));
        return gap;
    }
}
