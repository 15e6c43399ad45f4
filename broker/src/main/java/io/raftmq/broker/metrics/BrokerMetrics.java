package io.raftmq.broker.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
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
    /** Sync durations in seconds: 50 µs (page cache, fast NVMe) to 1 s (a stalled disk). */
    private static final double[] SYNC_BUCKETS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
        0.025, 0.05, 0.1, 0.25, 0.5, 1};
    /** Propose-to-commit latencies in seconds: 100 µs (an idle leader on fast disks) to 10 s (a proposal timeout). */
    private static final double[] PROPOSAL_BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
        0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    /** Entries per AppendEntries: 0 (heartbeat-like) to the largest batches a leader sends. */
    private static final double[] BATCH_BUCKETS = {0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    /** Records per commit-log force: 0 to large catch-up writes. */
    private static final double[] FORCE_RECORD_BUCKETS = {0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final RequestMetrics requests;
    private final Counter roleTransitions;
    private final Counter leaderChanges;
    private final Histogram logSync;
    private final Histogram proposalLatency;
    private final Histogram appendBatch;
    private final Histogram forceDuration;
    private final Histogram forceRecords;
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
        logSync = Histogram.builder().name("raftmq_raft_log_sync_duration_seconds")
            .help("Duration of each raft log sync (the fsync a vote or an append acknowledgement waits for)")
            .classicOnly().classicUpperBounds(SYNC_BUCKETS).register(registry);
        proposalLatency = Histogram.builder().name("raftmq_raft_proposal_duration_seconds")
            .help("Leader only: time from each proposal to its commit callback (applied here), committed ones only")
            .classicOnly().classicUpperBounds(PROPOSAL_BUCKETS).register(registry);
        appendBatch = Histogram.builder().name("raftmq_raft_append_entries_batch_entries")
            .help("Leader only: log entries carried by each AppendEntries sent (0 for heartbeat-like ones)")
            .classicOnly().classicUpperBounds(BATCH_BUCKETS).register(registry);
        forceDuration = Histogram.builder().name("raftmq_commitlog_force_duration_seconds")
            .help("Duration of each group-commit force of the commit log (one fdatasync of the pending segments)")
            .classicOnly().classicUpperBounds(SYNC_BUCKETS).register(registry);
        forceRecords = Histogram.builder().name("raftmq_commitlog_force_records")
            .help("Commit-log records each group-commit force made durable (the group-commit batch)")
            .classicOnly().classicUpperBounds(FORCE_RECORD_BUCKETS).register(registry);
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

    /** Observes one raft log sync ({@link io.raftmq.raft.driver.RaftAgent#setSyncObserver}): one observation. */
    public void onLogSync(long nanos) {
        logSync.observe(seconds(nanos));
    }

    /**
     * Observes one committed proposal's propose-to-commit time
     * ({@link io.raftmq.raft.driver.RaftAgent#setProposalLatencyObserver}): one observation, on the applying thread.
     */
    public void onProposalCommitted(long nanos) {
        proposalLatency.observe(seconds(nanos));
    }

    /** Observes one AppendEntries sent ({@link io.raftmq.raft.driver.RaftAgent#setAppendObserver}), agent thread. */
    public void onAppendSent(long entries) {
        appendBatch.observe(entries);
    }

    /**
     * Observes one commit-log force ({@link io.raftmq.commitlog.CommitLog#setForceObserver}): two observations, on
     * the forcing thread.
     */
    public void onForce(long records, long nanos) {
        forceDuration.observe(seconds(nanos));
        forceRecords.observe(records);
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
