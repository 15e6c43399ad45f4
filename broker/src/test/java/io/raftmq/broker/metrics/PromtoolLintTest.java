package io.raftmq.broker.metrics;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.naming.NameServer;
import io.raftmq.naming.NamingConfig;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a member's and a NameServer's scrapes pass Prometheus' own linter, {@code promtool check metrics} (Debian
 * package prometheus; .ci/run installs it). Without promtool on the PATH the test is reported as aborted, with a
 * banner on stderr, never as passed.
 */
@SocketTest
class PromtoolLintTest {
    @Test
    void scrapesPassPromtool(@TempDir Path dir) throws Exception {
        Path promtool = onPath("promtool");
        if (promtool == null) {
            System.err.println("*** PromtoolLintTest: promtool NOT FOUND on PATH: the lint was NOT run"
                + " (apt-get install prometheus) ***");
        }
        Assumptions.assumeTrue(promtool != null, "promtool not found on PATH: lint not run (apt-get install"
            + " prometheus)");
        try (TestCluster c = MetricsEndpointTest.withMetrics(new TestCluster(dir, 1)).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            lint(promtool, MetricsEndpointTest.scrape(leader.metricsPort()), "broker");
        }
        NameServer ns = new NameServer(NamingConfig.fromSettings(Map.of(NamingConfig.LISTEN, "127.0.0.1:0",
            NamingConfig.METRICS_PORT, Integer.toString(MetricsEndpointTest.freePort()))));
        ns.start();
        try {
            lint(promtool, MetricsEndpointTest.scrape(ns.metricsPort()), "NameServer");
        } finally {
            ns.shutdown();
        }
    }

    private static void lint(Path promtool, String scrape, String what) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(scrape.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
        System.out.println("promtool check metrics (" + what + "): exit " + p.exitValue() + " " + out.strip());
        assertThat(p.exitValue()).as("promtool check metrics on the " + what + "'s scrape: " + out).isZero();
    }

    private static Path onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
