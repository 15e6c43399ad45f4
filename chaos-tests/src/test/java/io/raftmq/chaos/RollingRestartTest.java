package io.raftmq.chaos;

import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling restart of a three-member group on real processes ({@link ProcessCluster}) while the official
 * {@code rocketmq-client} 5.3.3 producer sends synchronously throughout with its DEFAULT retries (2) and send
 * timeout (3 s), with zero failed sends: a send counts as failed when it throws or returns a status other than
 * SEND_OK. Each member in turn, followers first and the leader last (the order of {@code bin/raftmq-cluster
 * restart}): when it leads, the operator's tool ({@code ClusterTool handover}, run as a process as the script runs
 * it) moves leadership to the most caught-up follower, waits until the NameServer routes it and then waits the
 * route wait, during which the old leader forwards the producer's sends; then the member gets SIGTERM (a graceful
 * stop), starts again on its data, and the next member waits until it follows and has applied what the leader had
 * committed.
 *
 * <p>To keep CI fast the producer polls routes every {@value #ROUTE_POLL_MS} ms instead of the client's default 30 s,
 * and the tool gets the matching route wait ({@value #ROUTE_POLL_MS} ms + the tool's 6 s margin) instead of its
 * default 36 s; the mechanism is the same. Sends the transfer itself refuses are held by the old leader and
 * forwarded (docs/raft-driver.md, "Sends while leadership moves"), so the client's two immediate retries are never
 * needed for them. The seed ({@code -Dchaos.seed=N}, printed) sets how many acknowledgements separate the steps.
 */
@ProcessTest
class RollingRestartTest {
    private static final String TOPIC = "ChaosRollingRestart";
    /** The producer's pollNameServerInterval (the client's default is 30 s). */
    private static final long ROUTE_POLL_MS = 200;
    /** The handover's route wait: the poll interval plus the tool's margin (Rolling.ROUTE_WAIT_MARGIN_MS, 6 s). */
    private static final long ROUTE_WAIT_MS = ROUTE_POLL_MS + 6_000;
    private static final long TOOL_TIMEOUT_MS = 60_000;

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
    @Timeout(240)
    void aRollingRestartFailsNoSend() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        SplittableRandom random = new SplittableRandom(seed);
        ClusterOptions options = ClusterOptions.threeMembers(dir);
        cluster = new ProcessCluster(options);
        ProcessCluster.Member first = cluster.start();
        // the client's default retries and send timeout (see the class comment); routes polled every ROUTE_POLL_MS
        producer = ChaosClients.producer("ChaosRollingPG", cluster.namesrvAddr(), "chaos-rolling-" + seed,
            (int) ROUTE_POLL_MS, false);
        ChaosClients.Load load = new ChaosClients.Load(producer, TOPIC, "r-" + seed, new History(), 0, seed).start();
        List<String> restarted = new ArrayList<>();
        try {
            awaitAcks(load, 50 + random.nextInt(100));
            List<ProcessCluster.Member> order = new ArrayList<>();
            cluster.members().stream().filter(m -> m != first).forEach(order::add);
            order.add(first);
            for (ProcessCluster.Member m : order) {
                if (m.brokerAddr().equals(cluster.routedLeader())) {
                    handOver(m, options);
                }
                stopGracefully(m);
                cluster.restart(m);
                awaitCaughtUp(m);
                restarted.add(m.id());
                awaitAcks(load, load.acked() + 20 + random.nextInt(80));
            }
            load.stop();
            List<String> failures = load.failures();
            long held = 0;
            for (ProcessCluster.Member m : cluster.members()) {
                Map<String, String> info = cluster.runtimeInfo(m.brokerAddr());
                held += info == null ? 0 : Long.parseLong(info.getOrDefault("sendHeld", "0"));
            }
            System.out.printf("RESULT rolling-restart seed=%d restarted=%s acknowledged=%d failed=%d leader=%s"
                + " held_since_last_restarts=%d%n", seed, restarted, load.acked(), failures.size(),
                cluster.routedLeader(), held);
            assertThat(failures).as("failed sends during the rolling restart").isEmpty();
            assertThat(restarted).hasSize(3);
            assertThat(cluster.routedLeader()).isNotEqualTo(first.brokerAddr());
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(40));
            throw e;
        } finally {
            load.stop();
        }
    }

    private static void awaitAcks(ChaosClients.Load load, int atLeast) {
        Awaits.await(atLeast + " acknowledged sends").atMost(Duration.ofSeconds(60))
            .until(() -> load.acked() >= atLeast);
    }

    /**
     * {@code ClusterTool handover} as {@code bin/raftmq-cluster restart} runs it (a JVM on the test class path, with
     * the route wait matching the producer's poll), then: the NameServer routes another member and the producer
     * already resolves the group to it (the route wait covered its poll).
     */
    private void handOver(ProcessCluster.Member leader, ClusterOptions options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(ClusterOptions.SMALL_JVM);
        cmd.addAll(List.of("io.raftmq.tools.cluster.ClusterTool", "handover", "--from", leader.id(), "--namesrv",
            cluster.namesrvAddr(), "--group", options.brokerName(), "--timeout-ms", "15000", "--route-wait-ms",
            Long.toString(ROUTE_WAIT_MS)));
        for (ProcessCluster.Member m : cluster.members()) {
            cmd.addAll(List.of("--member", m.id() + "=" + m.brokerAddr()));
        }
        Path out = dir.resolve("handover-" + leader.id() + ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("CLASSPATH", options.classpath());
        Process tool = pb.start();
        boolean exited = tool.waitFor(TOOL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (!exited) {
            tool.destroyForcibly();
        }
        String output = Files.readString(out);
        System.out.print(output);
        assertThat(exited).as("handover finished within " + TOOL_TIMEOUT_MS + " ms").isTrue();
        assertThat(tool.exitValue()).as(output).isZero();
        assertThat(output).contains("RESULT handover=ok");
        String next = cluster.routedLeader();
        assertThat(next).isNotNull().isNotEqualTo(leader.brokerAddr());
        assertThat(producer.getDefaultMQProducerImpl().getMqClientFactory()
            .findBrokerAddressInPublish(options.brokerName())).as("the producer's route after the route wait")
            .isEqualTo(next);
    }

    /** SIGTERM to the member's process (by its pid: a process this test started), then its exit awaited. */
    private static void stopGracefully(ProcessCluster.Member m) {
        Optional<ProcessHandle> h = ProcessHandle.of(m.pid());
        assertThat(h).as(m.id() + " running").isPresent();
        assertThat(h.get().destroy()).isTrue();
        assertThat(h.get().onExit().orTimeout(30, TimeUnit.SECONDS).handle((x, e) -> e == null).join())
            .as(m.id() + " exits within 30 s of SIGTERM").isTrue();
    }

    /** Until the member follows and has applied at least the leader's commit index as of its first answer. */
    private void awaitCaughtUp(ProcessCluster.Member m) {
        long[] target = {-1};
        Awaits.await(m.id() + " to follow and catch up").atMost(Duration.ofSeconds(60)).until(() -> {
            Map<String, String> self = cluster.runtimeInfo(m.brokerAddr());
            if (self == null || !"FOLLOWER".equals(self.get("raftRole")) || self.get("raftLeaderAddr").isEmpty()) {
                return false;
            }
            if (target[0] < 0) {
                Map<String, String> leader = cluster.runtimeInfo(self.get("raftLeaderAddr"));
                if (leader == null || !"LEADER".equals(leader.get("raftRole"))) {
                    return false;
                }
                target[0] = Long.parseLong(leader.get("raftCommitIndex"));
            }
            return Long.parseLong(self.get("raftAppliedIndex")) >= target[0];
        });
    }
}
