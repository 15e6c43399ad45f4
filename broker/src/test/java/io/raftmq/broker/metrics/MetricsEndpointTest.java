package io.raftmq.broker.metrics;

import io.raftmq.broker.BrokerBindException;
import io.raftmq.broker.BrokerController;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.BrokerConfigException;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.naming.NameServer;
import io.raftmq.naming.NamingConfig;
import io.raftmq.raft.driver.RaftStatus;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: every member and the NameServer serve Prometheus metrics that are well-formed and true (docs/metrics.md).
 * Method: a real three-member group with metrics on free ports; N sends (N drawn from a printed seed) to the
 * leader; each member's scrape is parsed strictly ({@link Exposition}) and checked against the member's own
 * {@link RaftStatus} and the sends made. Also: the off switch, bad ports in the config, a taken metrics port.
 */
@SocketTest
class MetricsEndpointTest {
    private static final String TOPIC = "MetricsTopic";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void membersServeTrueWellFormedMetrics(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("metrics.seed", System.nanoTime());
        System.out.println("MetricsEndpointTest seed " + seed + " (-Dmetrics.seed=" + seed + " replays it)");
        int n = 5 + new SplittableRandom(seed).nextInt(20);
        try (TestCluster c = withMetrics(new TestCluster(dir, 3)).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            for (int i = 0; i < n; i++) {
                send(c, leader, "m" + i);
            }
            leader.offsets().commit("MetricsGroup", TOPIC, 0, 2).get(10, TimeUnit.SECONDS); // applied on return
            RaftStatus ls = leader.raftStatus();
            TestCluster.await(10_000, "every follower's lag 0 in the leader's scrape", () -> lagsZero(leader));
            TestCluster.await(10_000, "each accepted proposal committed and timed", () -> proposalsTimed(leader));
            Exposition e = Exposition.parse(scrape(leader.metricsPort()));
            assertThat(e.value("raftmq_raft_role", "role", "LEADER")).isEqualTo(1.0);
            assertThat(e.value("raftmq_raft_role", "role", "FOLLOWER")).isEqualTo(0.0);
            assertThat(e.value("raftmq_raft_term")).isEqualTo((double) ls.term());
            assertThat(e.value("raftmq_raft_commit_index")).isGreaterThanOrEqualTo(n);
            assertThat(e.all("raftmq_raft_follower_lag_entries")).hasSize(2);
            String send = Integer.toString(RequestCode.SEND_MESSAGE_V2);
            double ok = e.value("raftmq_requests_total", "request_code", send, "response_code", "0");
            assertThat(ok).isGreaterThanOrEqualTo(n);
            assertThat(e.value("raftmq_request_duration_seconds_count", "request_code", send, "response_code", "0"))
                .isEqualTo(ok);
            assertThat(e.value("raftmq_request_duration_seconds_bucket", "request_code", send, "response_code", "0",
                "le", "+Inf")).isEqualTo(ok);
            assertThat(e.value("raftmq_send_committed_total")).isGreaterThanOrEqualTo(n);
            assertThat(e.value("raftmq_topics")).isEqualTo((double) leader.topics().all().size());
            assertThat(e.value("raftmq_consumer_lag_messages", "group", "MetricsGroup", "topic", TOPIC))
                .isEqualTo(n - 2);
            assertThat(e.value("raftmq_consumer_offset_commits_total")).isEqualTo(1.0);
            assertThat(e.value("raftmq_commitlog_end_offset_bytes")).isPositive();
            assertThat(e.value("raftmq_store_recovery_seconds")).isPositive();
            assertThat(e.type("jvm_memory_used_bytes")).isEqualTo("gauge");
            assertThat(e.type("raftmq_request_duration_seconds")).isEqualTo("histogram");
            double syncs = e.value("raftmq_raft_log_sync_duration_seconds_count"); // collected before the counter
            assertThat(syncs).as("one observation per log sync (quorum-fsync)").isPositive()
                .isLessThanOrEqualTo(e.value("raftmq_raft_log_syncs_total"));
            proposalBatchAndForceMetrics(e, n);
            double won = e.value("raftmq_raft_elections_won_total");
            assertThat(won).as("the leader won at least its election").isGreaterThanOrEqualTo(1);
            assertThat(e.value("raftmq_raft_elections_started_total")).isGreaterThanOrEqualTo(won);
            double preVotes = e.value("raftmq_raft_pre_votes_total");
            for (BrokerController b : c.brokers) {
                if (b != leader) {
                    Exposition f = Exposition.parse(scrape(b.metricsPort()));
                    assertThat(f.value("raftmq_raft_role", "role", "FOLLOWER")).isEqualTo(1.0);
                    assertThat(f.value("raftmq_raft_term")).isEqualTo((double) b.raftStatus().term());
                    assertThat(f.value("raftmq_raft_applied_index")).isGreaterThanOrEqualTo(n);
                    assertThat(f.all("raftmq_raft_follower_lag_entries")).isEmpty();
                    preVotes += f.value("raftmq_raft_pre_votes_total");
                }
            }
            assertThat(preVotes).as("the first leader's election began with a pre-vote (on by default)")
                .isGreaterThanOrEqualTo(1);
            assertThat(c.nameServer.metricsPort()).as("the NameServer's default: no endpoint").isZero();
        }
    }

    @Test
    void theNameServerCountsBrokersTopicsAndRouteQueries() throws Exception {
        Map<String, String> s = new TreeMap<>();
        s.put(NamingConfig.LISTEN, "127.0.0.1:0");
        s.put(NamingConfig.METRICS_PORT, Integer.toString(freePort()));
        NameServer ns = new NameServer(NamingConfig.fromSettings(s));
        ns.start();
        RemotingClient client = new RemotingClient(RemotingClientConfig.defaults());
        client.start();
        try {
            int queries = 3;
            for (int i = 0; i < queries; i++) {
                RemotingCommand r = client.invokeSync("127.0.0.1:" + ns.port(), RemotingCommand.createRequest(
                    RequestCode.GET_ROUTEINFO_BY_TOPIC, new GetRouteInfoRequestHeader("NoSuchTopic", null)), 5000);
                assertThat(r.code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
                r.release();
            }
            Exposition e = Exposition.parse(scrape(ns.metricsPort()));
            assertThat(e.value("raftmq_naming_brokers")).isZero();
            assertThat(e.value("raftmq_naming_topics")).isZero();
            String route = Integer.toString(RequestCode.GET_ROUTEINFO_BY_TOPIC);
            String notExist = Integer.toString(ResponseCode.TOPIC_NOT_EXIST);
            assertThat(e.value("raftmq_naming_requests_total", "request_code", route, "response_code", notExist))
                .isEqualTo(queries);
            assertThat(e.value("raftmq_naming_request_duration_seconds_count", "request_code", route,
                "response_code", notExist)).isEqualTo(queries);
            assertThat(e.type("jvm_threads_current")).isEqualTo("gauge");
        } finally {
            client.shutdown();
            ns.shutdown();
        }
    }

    @Test
    void badPortsAreRefusedWithAClearMessage(@TempDir Path dir) throws Exception {
        TestCluster c = new TestCluster(dir, 1);
        try {
            BrokerConfig base = c.configs.get(0);
            assertThat(BrokerConfig.DEFAULTS.get("metricsPort")).isEqualTo("0");
            assertThat(base.metricsPort()).isZero();
            assertThatThrownBy(() -> with(base, "metricsPort", "70000")).isInstanceOf(BrokerConfigException.class)
                .hasMessageContaining("metricsPort").hasMessageContaining("[0, 65535]");
            assertThatThrownBy(() -> with(base, "metricsPort", Integer.toString(base.listenPort())))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("clashes with listenPort");
            try (ServerSocket taken = new ServerSocket()) {
                taken.bind(new InetSocketAddress("127.0.0.1", 0));
                BrokerController b = new BrokerController(with(base, "metricsPort",
                    Integer.toString(taken.getLocalPort())));
                assertThatThrownBy(b::start).isInstanceOf(BrokerBindException.class)
                    .hasMessageContaining("metrics port").hasMessageContaining(":" + taken.getLocalPort());
                assertThat(b.isStarted()).isFalse();
            }
        } finally {
            c.close();
        }
    }

    /** Metrics on a free port for every member of {@code c} (its configs replaced before start). */
    static TestCluster withMetrics(TestCluster c) throws Exception {
        for (int i = 0; i < c.configs.size(); i++) {
            c.configs.set(i, with(c.configs.get(i), "metricsPort", Integer.toString(freePort())));
        }
        return c;
    }

    static BrokerConfig with(BrokerConfig c, String key, String value) throws BrokerConfigException {
        Map<String, String> m = new TreeMap<>(c.toProperties());
        m.put(key, value);
        return BrokerConfig.fromProperties(m, "test");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** GET /metrics in the text format 0.0.4; fails on any status but 200. */
    static String scrape(int port) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
            .header("Accept", "text/plain; version=0.0.4").timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        return r.body();
    }

    private static boolean lagsZero(BrokerController leader) {
        try {
            Exposition e = Exposition.parse(scrape(leader.metricsPort()));
            return e.all("raftmq_raft_follower_lag_entries").size() == 2
                && e.all("raftmq_raft_follower_lag_entries").stream().allMatch(s -> s.value() == 0);
        } catch (IOException | InterruptedException ex) {
            return false;
        }
    }

    /** The leader's proposal, AppendEntries batch and commit-log force metrics after n sends. */
    private static void proposalBatchAndForceMetrics(Exposition e, int n) {
        double proposals = e.value("raftmq_raft_proposals_total");
        assertThat(proposals).as("each send and the offset commit were proposed").isGreaterThanOrEqualTo(1);
        assertThat(e.value("raftmq_raft_proposal_duration_seconds_count")).as("collected before the counter")
            .isPositive().isLessThanOrEqualTo(proposals);
        assertThat(e.type("raftmq_raft_append_entries_batch_entries")).isEqualTo("histogram");
        assertThat(e.value("raftmq_raft_append_entries_batch_entries_count")).isPositive();
        assertThat(e.value("raftmq_raft_append_entries_batch_entries_sum")).as("the sends' entries went out")
            .isGreaterThanOrEqualTo(n);
        assertThat(e.value("raftmq_commitlog_segments")).isGreaterThanOrEqualTo(1);
        double forces = e.value("raftmq_commitlog_force_duration_seconds_count"); // collected before the counter
        assertThat(forces).isPositive().isLessThanOrEqualTo(e.value("raftmq_commitlog_forces_total"));
        assertThat(e.value("raftmq_commitlog_force_records_count")).as("collected after the durations")
            .isGreaterThanOrEqualTo(forces);
        assertThat(e.value("raftmq_commitlog_force_records_sum")).as("each send's entry made durable here")
            .isGreaterThanOrEqualTo(n);
    }

    /** The leader's scrape shows as many timed proposals as accepted ones (none in flight), at least one. */
    private static boolean proposalsTimed(BrokerController leader) {
        try {
            Exposition e = Exposition.parse(scrape(leader.metricsPort()));
            double accepted = e.value("raftmq_raft_proposals_total");
            return accepted >= 1 && e.value("raftmq_raft_proposal_duration_seconds_count") == accepted;
        } catch (IOException | InterruptedException ex) {
            return false;
        }
    }

    private static void send(TestCluster c, BrokerController leader, String body) throws Exception {
        RemotingCommand r = c.client.invokeSync(leader.config().brokerAddr(),
            TestCluster.sendRequest(TOPIC, 0, body, "UNIQ-" + body), 5000);
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
        } finally {
            r.release();
        }
    }
}
