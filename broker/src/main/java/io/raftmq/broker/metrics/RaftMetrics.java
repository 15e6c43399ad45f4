package io.raftmq.broker.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.driver.FollowerProgress;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftStatus;

import java.util.function.LongFunction;
import java.util.function.Supplier;

import static io.raftmq.broker.metrics.BrokerMetrics.counter;
import static io.raftmq.broker.metrics.BrokerMetrics.gauge;
import static io.raftmq.broker.metrics.BrokerMetrics.seconds;

/**
 * The raft metrics of a member (docs/metrics.md "Raft"), all read at scrape time from what the raft agent publishes
 * for any thread: its {@link RaftStatus} (the snapshot the runtime-info table reads too), the leader's follower
 * progress (sampled once per duty cycle) and its counters. Nothing here calls into the raft core.
 */
final class RaftMetrics {
    private RaftMetrics() {
    }

    static void register(PrometheusRegistry r, MetricSources s, LongFunction<String> memberName) {
        Supplier<RaftAgent> agent = s.agent();
        Supplier<RaftStatus> status = () -> {
            RaftAgent a = agent.get();
            return a == null ? null : a.status();
        };
        GaugeWithCallback.builder().name("raftmq_raft_role")
            .help("1 for the role this member plays now, 0 for the others").labelNames("role").callback(cb -> {
                RaftStatus st = status.get();
                if (st != null) {
                    for (Role role : Role.values()) {
                        cb.call(st.role() == role ? 1 : 0, role.name());
                    }
                }
            }).register(r);
        gauge(r, "raftmq_raft_term", "Current raft term", status, RaftStatus::term);
        gauge(r, "raftmq_raft_commit_index", "Highest log index known committed", status, RaftStatus::commitIndex);
        gauge(r, "raftmq_raft_applied_index", "Last log index applied to the state machine", status,
            RaftStatus::appliedIndex);
        gauge(r, "raftmq_raft_last_index", "Last index in the log (written, maybe not yet durable)", status,
            RaftStatus::lastIndex);
        gauge(r, "raftmq_raft_leader_id", "Raft node id of the leader this member knows, 0 if none", status,
            RaftStatus::leaderId);
        gauge(r, "raftmq_raft_failed", "1 when the raft agent stopped on an error (restart the member)", status,
            st -> st.failed() ? 1 : 0);
        gauge(r, "raftmq_raft_repairing", "1 while this member repairs lost raft state (docs/raft-driver.md)",
            agent, a -> a.repairing() ? 1 : 0);
        counter(r, "raftmq_raft_pre_votes_total", "Pre-vote campaigns this member started (counted by the raft core)",
            status, st -> st.elections().preVotes());
        counter(r, "raftmq_raft_elections_started_total", "Elections this member started (term incremented to"
            + " campaign, leadership transfers included; counted by the raft core)", status,
            st -> st.elections().electionsStarted());
        counter(r, "raftmq_raft_elections_won_total", "Elections this member won (counted by the raft core)", status,
            st -> st.elections().electionsWon());
        followers(r, agent, memberName);
        agentCounters(r, agent);
    }

    /** The leader's view of each follower; no samples on a follower. */
    private static void followers(PrometheusRegistry r, Supplier<RaftAgent> agent, LongFunction<String> name) {
        GaugeWithCallback.builder().name("raftmq_raft_follower_match_index")
            .help("Leader only: the highest log index known replicated on each follower").labelNames("follower")
            .callback(cb -> {
                RaftAgent a = agent.get();
                if (a != null) {
                    for (FollowerProgress f : a.followers()) {
                        cb.call(f.matchIndex(), name.apply(f.nodeId()));
                    }
                }
            }).register(r);
        GaugeWithCallback.builder().name("raftmq_raft_follower_lag_entries")
            .help("Leader only: log entries the leader has that each follower is not known to have"
                + " (last index - match index)").labelNames("follower")
            .callback(cb -> {
                RaftAgent a = agent.get();
                if (a != null) {
                    long last = a.status().lastIndex();
                    for (FollowerProgress f : a.followers()) {
                        cb.call(Math.max(0, last - f.matchIndex()), name.apply(f.nodeId()));
                    }
                }
            }).register(r);
        GaugeWithCallback.builder().name("raftmq_raft_follower_silent_seconds")
            .help("Leader only: how long each follower has not answered").labelNames("follower")
            .callback(cb -> {
                RaftAgent a = agent.get();
                if (a != null) {
                    for (FollowerProgress f : a.followers()) {
                        cb.call(f.silentMs() / 1000.0, name.apply(f.nodeId()));
                    }
                }
            }).register(r);
    }

    /** The agent's own counters (racy reads of monotonic counts). */
    private static void agentCounters(PrometheusRegistry r, Supplier<RaftAgent> agent) {
        counter(r, "raftmq_raft_log_syncs_total", "Raft log syncs (fsyncs in quorum-fsync mode)", agent,
            a -> a.stats().logSyncs());
        counter(r, "raftmq_raft_log_sync_seconds_total", "Time spent in raft log syncs", agent,
            a -> seconds(a.stats().logSyncNanos()));
        counter(r, "raftmq_raft_append_entries_messages_total",
            "AppendEntries messages sent (empty heartbeat-like ones included)", agent, a -> a.stats().appendsSent());
        counter(r, "raftmq_raft_append_entries_entries_total", "Log entries carried by the AppendEntries sent",
            agent, a -> a.stats().appendEntriesSent());
        counter(r, "raftmq_raft_proposals_total", "Proposals the raft core accepted while this member led", agent,
            a -> a.stats().proposalsAccepted());
        counter(r, "raftmq_raft_snapshots_taken_total", "Snapshots this member took", agent,
            RaftAgent::snapshotsTaken);
        counter(r, "raftmq_raft_snapshots_installed_total", "Snapshots this member installed from a leader", agent,
            RaftAgent::snapshotsInstalled);
        counter(r, "raftmq_raft_inbox_dropped_total", "Inbound raft messages dropped because the inbox was full",
            agent, RaftAgent::inboxDropped);
    }
}
