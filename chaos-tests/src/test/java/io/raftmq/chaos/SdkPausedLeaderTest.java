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

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Our SDK's producer against a PAUSED leader, on real processes (docs/sdk.md "Failover"): four threads of synchronous
 * sends to a three-member group; after a seeded number of acknowledgements the leader JVM is stopped with SIGSTOP for
 * 8 s (its sockets stay open, so requests to it simply go unanswered), then continued. A send in flight to the paused
 * leader is sent again to the new leader once a slow-send probe finds it, instead of waiting for its 3 s timeout.
 * Asserted: the longest time without an acknowledged send around the pause stays under {@link #GAP_MAX_MS} (the
 * official client's in-flight sends hang until their timeout, ~3 s), no send fails, every acknowledged message is
 * consumed afterwards by the official consumer (0 lost; duplicates from resends are counted and allowed), and the
 * continued old leader ends as a follower. Seed: {@code -Dchaos.seed=N} (printed); figures in one RESULT line;
 * {@code -Dchaos.sdk.slowSendProbeMs=0} runs it with the probe off, for comparison (the gap assertion then fails).
 */
@ProcessTest
class SdkPausedLeaderTest {
    private static final String TOPIC = "SdkPausedLeader";
    private static final int THREADS = 4;
    private static final long PAUSE_NS = TimeUnit.SECONDS.toNanos(8);
    /**
     * The target is 1 s; the bound leaves room for a loaded CI machine (figures: docs/sdk.md) and still fails
     * when in-flight sends wait for their 3 s timeout (the probe off: 3.1 s measured).
     */
    private static final long GAP_MAX_MS = 2_500;

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private Producer producer;
    private ProcessCluster.Member paused;
    private SdkLoad load;

    @AfterEach
    void tearDown() throws Exception {
        if (load != null) {
            load.stop();
        }
        if (paused != null && paused.isAlive()) {
            signal("CONT", paused);
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
    void sendsInFlightToAPausedLeaderGoToTheNewLeader() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        int acksBeforePause = 150 + new SplittableRandom(seed).nextInt(150);
        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir));
        ProcessCluster.Member leader = cluster.start();
        long probeMs = Long.getLong("chaos.sdk.slowSendProbeMs", ProducerConfig.builder().namesrv("h:1").group("g")
            .build().slowSendProbeMs());
        producer = new Producer(ProducerConfig.builder().namesrv(cluster.namesrvAddr()).group("SdkPausePG")
            .slowSendProbeMs(probeMs).build());
        producer.start();
        History history = new History();
        load = new SdkLoad(producer, TOPIC, "s" + seed, history, THREADS).warmUpAndStart();
        try {
            Awaits.await(acksBeforePause + " acknowledged sends").until(() -> load.acked() >= acksBeforePause);
            long pauseNanos = history.info("nemesis", "pause", leader.id(), "pid " + leader.pid());
            paused = leader;
            signal("STOP", leader);
            Awaits.await("the 8 s pause").atMost(Duration.ofSeconds(30))
                .until(() -> System.nanoTime() - pauseNanos >= PAUSE_NS);
            signal("CONT", leader);
            history.info("nemesis", "resume", leader.id(), "");
            int ackedAtResume = load.acked();
            Awaits.await("100 more acknowledged sends").until(() -> load.acked() >= ackedAtResume + 100);
            load.stop();
            ChaosClients.consumeAll(cluster.namesrvAddr(), "SdkPauseCG", TOPIC, history);
            DeliveryChecker.Result result = DeliveryChecker.check(history);
            long gapMs = SdkLoad.longestGapMs(history, pauseNanos - TimeUnit.SECONDS.toNanos(1), System.nanoTime());
            System.out.printf("RESULT sdk-paused-leader seed=%d probe_ms=%d paused=%s longest_gap_ms=%d"
                + " acked_during_pause=%d failed=%d %s%n", seed, probeMs, leader.id(), gapMs,
                ackedAtResume - acksBeforePause, load.failed(), result);

            assertThat(result.lost()).as("acknowledged but never consumed").isEmpty();
            assertThat(result.phantoms()).as("consumed but never sent").isEmpty();
            assertThat(load.failures()).as("sends that failed").isEmpty();
            assertThat(gapMs).as("longest time without an acknowledged send around the pause (ms)")
                .isLessThan(GAP_MAX_MS);
            Awaits.await("the continued " + leader.id() + " to follow")
                .until(() -> cluster.role(leader).equals("FOLLOWER"));
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(40));
            throw e;
        }
    }

    /** {@code kill -SIG pid} of a member this test started. */
    private static void signal(String sig, ProcessCluster.Member m) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(m.pid())).inheritIO().start();
        assertThat(p.waitFor()).as("kill -" + sig + " " + m.pid()).isZero();
    }
}
