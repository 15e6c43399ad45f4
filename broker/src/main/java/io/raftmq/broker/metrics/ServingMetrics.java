package io.raftmq.broker.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmq.broker.longpoll.HeldPullRequests;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.processor.send.LeaderForwarder;
import io.raftmq.broker.processor.send.SendHold;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.broker.retention.DiskUsage;
import io.raftmq.broker.retention.RetentionService;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.store.MessageStore;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

import static io.raftmq.broker.metrics.BrokerMetrics.counter;
import static io.raftmq.broker.metrics.BrokerMetrics.gauge;
import static io.raftmq.broker.metrics.BrokerMetrics.seconds;

/**
 * A member's storage and serving metrics (docs/metrics.md "Storage", "Broker"), read at scrape time from counters
 * the parts already keep for any thread: the commit log's positions and group-commit counters, the disk usage,
 * retention, the send batcher, the send hold, the leader forwarder, held pulls and the metadata tables.
 */
final class ServingMetrics {
    private ServingMetrics() {
    }

    static void register(PrometheusRegistry r, MetricSources s) {
        storage(r, s);
        sends(r, s);
        pullsAndTables(r, s);
        consumers(r, s);
    }

    /**
     * Consumer lag per group and topic: over the queues the group committed an offset for (the applied,
     * replicated offsets), the messages after it (queue max offset - committed offset). Queues without a committed
     * offset are not counted (where such a consumer starts is its own setting).
     */
    private static void consumers(PrometheusRegistry r, MetricSources s) {
        GaugeWithCallback.builder().name("raftmq_consumer_lag_messages")
            .help("Messages after each group's committed offsets, by group and topic (queues with an offset only)")
            .labelNames("group", "topic").callback(cb -> {
                TopicConfigManager topics = s.topics().get();
                ConsumerOffsetManager offsets = s.offsets().get();
                MessageStore store = s.store().get();
                if (topics == null || offsets == null || store == null) {
                    return;
                }
                for (String topic : topics.all().keySet()) {
                    for (String group : offsets.groupsOf(topic)) {
                        long lag = 0;
                        for (Map.Entry<Integer, Long> q : offsets.queueOffsets(group, topic).entrySet()) {
                            lag += Math.max(0, store.consumeQueues().maxOffset(topic, q.getKey()) - q.getValue());
                        }
                        cb.call(lag, group, topic);
                    }
                }
            }).register(r);
        counter(r, "raftmq_consumer_offset_commits_total", "Offset commits this member accepted (as leader)",
            s.offsets(), ConsumerOffsetManager::commitsAccepted);
        counter(r, "raftmq_consumer_offset_commits_refused_total",
            "Offset commits refused (not the leader, or the pending table full)", s.offsets(),
            ConsumerOffsetManager::commitsRefused);
    }

    private static void storage(PrometheusRegistry r, MetricSources s) {
        Supplier<CommitLog> log = () -> {
            MessageStore st = s.store().get();
            return st == null ? null : st.commitLog();
        };
        gauge(r, "raftmq_commitlog_start_offset_bytes", "Byte position of the first retained commit-log record", log,
            CommitLog::startPosition);
        gauge(r, "raftmq_commitlog_end_offset_bytes", "Byte position after the last readable record (bytes written"
            + " since the group's log began)", log, CommitLog::endPosition);
        gauge(r, "raftmq_commitlog_durable_offset_bytes", "Everything before this byte position is durable", log,
            CommitLog::durablePosition);
        gauge(r, "raftmq_commitlog_retained_bytes", "Bytes of retained commit log (end - start)", log,
            c -> c.endPosition() - c.startPosition());
        gauge(r, "raftmq_commitlog_segments", "Commit-log segment files (retained ones and the one written)", log,
            CommitLog::segmentCount);
        counter(r, "raftmq_commitlog_forces_total", "Group-commit forces (one fdatasync each)", log,
            c -> c.forceStats().forces());
        counter(r, "raftmq_commitlog_force_seconds_total", "Time spent in group-commit forces", log,
            c -> seconds(c.forceStats().forceNanos()));
        counter(r, "raftmq_commitlog_group_commit_cycles_total", "Coalesced-append cycles of the flush agent", log,
            c -> c.forceStats().cycles());
        counter(r, "raftmq_commitlog_group_commit_batches_total", "Append batches those cycles completed (batches"
            + " per cycle = group-commit batch size)", log, c -> c.forceStats().cycleBatches());
        GaugeWithCallback.builder().name("raftmq_store_recovery_seconds")
            .help("Time the member took at start to open its store and raft: recovery, snapshot restore, log replay")
            .callback(cb -> {
                long nanos = s.recoveryNanos().getAsLong();
                if (nanos >= 0) {
                    cb.call(seconds(nanos));
                }
            }).register(r);
        DiskUsage disk = s.disk();
        GaugeWithCallback.builder().name("raftmq_store_disk_used_ratio")
            .help("Used fraction of the file system holding the store, as df reports it").callback(cb -> {
                try {
                    cb.call(disk.usedRatio());
                } catch (IOException e) {
                    // no sample when the file system cannot be asked
                }
            }).register(r);
        Supplier<RetentionService> ret = s.retention();
        counter(r, "raftmq_retention_deleted_segments_total", "Commit-log segments retention deleted", ret,
            RetentionService::deletedSegments);
        counter(r, "raftmq_retention_deleted_bytes_total", "Commit-log bytes retention deleted", ret,
            RetentionService::deletedBytes);
        counter(r, "raftmq_retention_runs_total", "Retention runs", ret, RetentionService::runs);
        gauge(r, "raftmq_retention_disk_full", "1 when the last retention run found the disk above"
            + " diskSpaceWarningLevelRatio (sends are refused)", ret, x -> x.diskFull() ? 1 : 0);
    }

    private static void sends(PrometheusRegistry r, MetricSources s) {
        Supplier<SendBatcher> b = s.batcher();
        counter(r, "raftmq_send_entries_proposed_total", "Raft entries the leader's send batcher proposed", b,
            x -> x.stats().entriesProposed());
        counter(r, "raftmq_send_committed_total", "Sends answered after their entry committed", b,
            x -> x.stats().sendsCommitted());
        counter(r, "raftmq_send_failed_total", "Sends whose entry failed (not committed in time, leadership lost)", b,
            x -> x.stats().sendsFailed());
        Supplier<SendHold> h = s.hold();
        counter(r, "raftmq_send_held_total", "Sends held while no leader was known", h, x -> x.stats().holds());
        counter(r, "raftmq_send_hold_expired_total", "Held sends answered 14 because no leader came in time", h,
            x -> x.stats().expired());
        Supplier<LeaderForwarder> f = s.forwarder();
        counter(r, "raftmq_send_forwarded_total", "Sends a follower forwarded to the leader", f,
            x -> x.stats().forwarded());
        counter(r, "raftmq_send_forward_failed_total", "Forwarded sends that failed", f, x -> x.stats().failed());
    }

    private static void pullsAndTables(PrometheusRegistry r, MetricSources s) {
        Supplier<HeldPullRequests> p = s.heldPulls();
        gauge(r, "raftmq_pull_held", "Pull requests held now (long polling)", p, HeldPullRequests::heldCount);
        counter(r, "raftmq_pull_woken_by_data_total", "Held pulls woken because messages arrived", p,
            HeldPullRequests::wokenByDataCount);
        counter(r, "raftmq_pull_woken_by_timeout_total", "Held pulls answered at their deadline", p,
            HeldPullRequests::wokenByTimeoutCount);
        gauge(r, "raftmq_topics", "Topics in this member's replicated topic table", s.topics(),
            t -> t.all().size());
        gauge(r, "raftmq_queues", "Write queues of all topics", s.topics(), t -> {
            long n = 0;
            for (TopicConfig c : t.all().values()) {
                n += c.writeQueueNums();
            }
            return n;
        });
        gauge(r, "raftmq_subscription_groups", "Subscription groups in this member's replicated table", s.groups(),
            g -> g.all().size());
    }
}
