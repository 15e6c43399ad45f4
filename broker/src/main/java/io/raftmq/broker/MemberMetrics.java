package io.raftmq.broker;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.metrics.BrokerMetrics;
import io.raftmq.broker.metrics.MetricSources;
import io.raftmq.client.metrics.MetricsServer;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.raft.driver.RaftAgent;

import java.io.IOException;

/**
 * A member's {@code /metrics} endpoint and what feeds it (docs/metrics.md), or nothing at all when
 * {@code metricsPort} is 0: the {@link BrokerMetrics} registry, the remoting server's response observer, the raft
 * agent's role listener, and the HTTP server, bound right after the client port (before any file is opened), so a
 * taken port fails the start like the client port does. Start thread only, except {@link #port} (any thread).
 */
final class MemberMetrics {
    private final BrokerConfig config;
    private final BrokerMetrics metrics;
    private volatile MetricsServer http;

    MemberMetrics(BrokerConfig config, MetricSources sources) {
        this.config = config;
        this.metrics = config.metricsPort() == 0 ? null : new BrokerMetrics(config, sources);
    }

    /** Counts every response of {@code server} (call before it starts). */
    void observe(RemotingServer server) {
        if (metrics != null) {
            server.setResponseObserver(metrics.requests());
        }
    }

    /** Binds the endpoint; it closes with the member. */
    void bind(Lifecycle lifecycle) throws BrokerBindException {
        if (metrics == null) {
            return;
        }
        try {
            http = MetricsServer.start(config.metricsHost(), config.metricsPort(), metrics.registry());
        } catch (IOException e) {
            throw new BrokerBindException(config.metricsHost(), config.metricsPort(), "metrics port", e);
        }
        lifecycle.add("metrics endpoint", http::close);
    }

    /**
     * Counts the role transitions {@code agent} reports (its listener runs on the agent thread: two adders) and
     * times its log syncs (one histogram observation per sync, on the syncing thread), its committed proposals (one
     * observation per proposal, on the applying thread) and the size of its AppendEntries (one per message, on the
     * agent thread); and the store's commit-log forces (records and duration, on the forcing thread).
     */
    void watch(RaftAgent agent, MessageStore store) {
        if (metrics != null) {
            store.commitLog().setForceObserver(metrics::onForce);
            agent.addRoleListener(metrics::onStatus);
            agent.setSyncObserver(metrics::onLogSync);
            agent.setProposalLatencyObserver(metrics::onProposalCommitted);
            agent.setAppendObserver(metrics::onAppendSent);
        }
    }

    /** The endpoint's port, 0 when off or not bound. Any thread. */
    int port() {
        MetricsServer h = http;
        return h == null ? 0 : h.port();
    }
}
