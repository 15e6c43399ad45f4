package io.raftmq.broker.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.RaftPeer;
import io.raftmq.client.metrics.RequestMetrics;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.driver.RaftStatus;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A member's Prometheus metrics (docs/metrics.md), in one registry per member: raft ({@link RaftMetrics}), storage
 * and the broker's own ({@link ServingMetrics}), requests per code ({@link RequestMetrics}, fed by the remoting
 * server), and the role transitions the raft agent reports ({@link #onStatus}). Figures that already exist are read
 * at scrape time through callbacks on {@link MetricSources}; the only counting this class adds is per answered
 * request (two adders) and per reported role change.
 */
public final class BrokerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final RequestMetrics requests;
    private final Counter roleTransitions;
    private final Counter leaderChanges;
    /** The last status {@link #onStatus} saw (agent thread only). */
    private RaftStatus last;

    /** Registers every metric of the member configured by {@code config}, reading {@code sources} at scrape time. */
    public BrokerMetrics(BrokerConfig config, MetricSources sources) {
        requests = new RequestMetrics(registry, "raftmq");
        roleTransitions = Counter.builder().name("raftmq_raft_role_transitions_total")
            .help("Role changes this member's published raft status showed, by the role entered (a role held for"
                + " less than one duty cycle of the agent is not seen)")
            .labelNames("role").register(registry);
        leaderChanges = Counter.builder().name("raftmq_raft_leader_changes_total")
            .help("Changes of the leader this member knows (to another node or to none)").register(registry);
        for (Role r : Role.values()) {
            roleTransitions.labelValues(r.name()).inc(0); // every role has a series from the start
        }
        Map<Long, String> names = new HashMap<>();
        for (RaftPeer p : config.raftPeers()) {
            names.put(p.nodeId(), p.id());
        }
        RaftMetrics.register(registry, sources, id -> names.getOrDefault(id, Long.toString(id)));
        ServingMetrics.register(registry, sources);
    }

    /** The registry the metrics endpoint serves. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The remoting server's response observer: requests and their latency per request and response code. */
    public RequestMetrics requests() {
        return requests;
    }

    /**
     * A raft role listener: counts the roles entered and the leader changes. On the raft agent thread, after a duty
     * cycle that changed the role, term, leader or failure: two comparisons and at most two adder increments.
     */
    public void onStatus(RaftStatus s) {
        RaftStatus before = last;
        last = s;
        if (before == null || before.role() != s.role()) {
            roleTransitions.labelValues(s.role().name()).inc();
        }
        if (before != null && before.leaderId() != s.leaderId()) {
            leaderChanges.inc();
        }
    }

    /** A gauge read through {@code read} when {@code part} exists; no sample while it does not. */
    static <T> void gauge(PrometheusRegistry registry, String name, String help,
                          Supplier<T> part, ToDoubleFunction<T> read) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            T p = part.get();
            if (p != null) {
                cb.call(read.applyAsDouble(p));
            }
        }).register(registry);
    }

    /** A counter (name ends in _total) read through {@code read} when {@code part} exists. */
    static <T> void counter(PrometheusRegistry registry, String name, String help,
                            Supplier<T> part, ToDoubleFunction<T> read) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> {
            T p = part.get();
            if (p != null) {
                cb.call(read.applyAsDouble(p));
            }
        }).register(registry);
    }

    /** Seconds from nanoseconds. */
    static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
