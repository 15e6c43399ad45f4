package io.raftmq.tools.dashboard;

import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.admin.ClusterStatus;
import io.raftmq.client.instance.ClientConfig;
import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.tls.ClientTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One running dashboard: an admin client on the NameServer(s), a poll of the cluster's status every
 * {@code pollMs} ({@link AdminClient#clusterStatus}: GET_BROKER_CLUSTER_INFO, then every member's runtime info) into
 * a {@link ClusterPoller}, and the {@link DashboardServer} that serves it with the on-demand answers of
 * {@link DashboardQueries} (topics, groups, message lookup). A poll that fails leaves the last status
 * on the page marked stale; a member that does not answer shows as UNREACHABLE. Polls run on one thread, one at a
 * time (a slow poll delays the next, never overlaps it).
 */
public final class Dashboard implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);
    /** Per call: a dead member must not hold the poll for long. */
    static final long CALL_TIMEOUT_MS = 800;
    static final long POLL_TIMEOUT_MS = 2_000;
    /** Ten minutes of one-second samples per group. */
    static final int SAMPLES_MAX = 600;
    static final int CHANGES_MAX = 100;

    private final ClientInstance instance;
    private final AdminClient admin;
    private final ClusterPoller poller;
    private final ScheduledExecutorService polls;
    private final DashboardServer server;

    /** Starts polling {@code namesrv} every {@code pollMs} and serving on {@code host:port} (0: any free port). */
    public Dashboard(String namesrv, String host, int port, long pollMs) throws IOException {
        this(namesrv, host, port, pollMs, null);
    }

    /** As {@link #Dashboard(String, String, int, long)}, speaking TLS to the cluster with {@code tls} (null: not). */
    public Dashboard(String namesrv, String host, int port, long pollMs, ClientTls tls) throws IOException {
        if (pollMs < 100) {
            throw new IllegalArgumentException("pollMs must be >= 100, got " + pollMs);
        }
        instance = new ClientInstance(ClientConfig.defaults(ClientConfig.parseNamesrv(namesrv)).withTls(tls));
        instance.start();
        admin = new AdminClient(instance, CALL_TIMEOUT_MS, POLL_TIMEOUT_MS);
        admin.start();
        poller = new ClusterPoller(SAMPLES_MAX, CHANGES_MAX, System::currentTimeMillis);
        polls = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dashboard-poll");
            t.setDaemon(true);
            return t;
        });
        try {
            DashboardQueries queries = new DashboardQueries(admin, System::currentTimeMillis);
            server = new DashboardServer(host, port, Map.of(
                "/api/state", q -> DashboardJson.render(poller.view()),
                "/api/topics", q -> queries.topics(),
                "/api/groups", q -> queries.groups(),
                "/api/message", queries::message));
        } catch (IOException e) {
            closeClients();
            throw e;
        }
        polls.scheduleWithFixedDelay(this::pollOnce, 0, pollMs, TimeUnit.MILLISECONDS);
    }

    public String url() {
        return server.url();
    }

    private void pollOnce() {
        try {
            ClusterStatus s = admin.clusterStatus();
            poller.record(s);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.debug("dashboard poll failed", e);
            poller.failed(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private void closeClients() {
        admin.close();
        instance.shutdown();
    }

    @Override
    public void close() {
        polls.shutdownNow();
        server.close();
        closeClients();
    }
}
