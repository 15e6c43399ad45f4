package io.raftmq.raft.core;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.progress.Progress;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.LogCompactedException;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.HeartbeatResponse;
import io.raftmq.raft.message.InstallSnapshot;
import io.raftmq.raft.message.TimeoutNow;
import io.raftmq.raft.statemachine.Snapshot;

import java.util.List;
import java.util.Map;

/**
 * Log replication (§5.3, §7): the leader's side (appends with pipelining and batching, heartbeats, snapshots,
 * responses, commit by counting current-term entries, leadership transfer) and the follower's side
 * (AppendEntries with fast conflict back-off, heartbeats, InstallSnapshot).
 */
final class Replication {
    private final RaftNode node;
    private final RaftConfig config;

    Replication(RaftNode node, RaftConfig config) {
        this.node = node;
        this.config = config;
    }

    // ---- leader side ----

    void broadcastAppend(LeaderState leader) {
        for (Map.Entry<Long, Progress> e : leader.followers().entrySet()) {
            sendAppend(leader, e.getKey(), e.getValue(), true);
        }
    }

    void broadcastHeartbeat(LeaderState leader) {
        long commit = node.log().committed();
        for (Map.Entry<Long, Progress> e : leader.followers().entrySet()) {
            long safeCommit = Math.min(e.getValue().match(), commit);
            node.outbox().early(new Heartbeat(node.id(), e.getKey(), node.state().term(), safeCommit, commit));
        }
    }

    /**
     * Sends the next batch to {@code to} unless its progress is paused; sends an empty append (carrying the
     * commit index) only if {@code sendIfEmpty}. Returns whether a message was sent.
     */
    boolean sendAppend(LeaderState leader, long to, Progress pr, boolean sendIfEmpty) {
        if (pr.paused()) {
            return false;
        }
        LogView log = node.log();
        long prevIndex = pr.next() - 1;
        long prevTerm = log.term(prevIndex);
        if (prevTerm == LogView.TERM_UNAVAILABLE || pr.next() < log.firstIndex()) {
            return sendSnapshot(to, pr);
        }
        List<Entry> ents = List.of();
        if (pr.next() <= log.lastIndex()) {
            long hi = Math.min(log.lastIndex() + 1, pr.next() + config.batchEntriesMax());
            try {
                ents = log.entries(pr.next(), hi, config.batchBytesMax());
            } catch (LogCompactedException e) { // the log cannot serve them (RaftLog errors): the snapshot covers them
                return sendSnapshot(to, pr);
            }
        }
        if (ents.isEmpty() && !sendIfEmpty) {
            return false;
        }
        Verify.state(ents.isEmpty() || ents.get(0).index() == pr.next(), "batch must start at next", pr.next(),
            ents.isEmpty() ? 0 : ents.get(0).index());
        node.outbox().early(new AppendEntries(node.id(), to, node.state().term(), prevIndex, prevTerm, ents,
            log.committed()));
        long last = ents.isEmpty() ? prevIndex : ents.get(ents.size() - 1).index();
        pr.sentAppend(last, !ents.isEmpty());
        return true;
    }

    private boolean sendSnapshot(long to, Progress pr) {
        Snapshot snap = node.snapshots().latestSnapshot();
        Verify.state(snap != null, "log compacted but no snapshot to send", to);
        Verify.state(snap.index() >= node.log().firstIndex() - 1, "snapshot older than the compaction point",
            snap.index(), node.log().firstIndex());
        pr.becomeSnapshot(snap.index());
        node.outbox().early(new InstallSnapshot(node.id(), to, node.state().term(), snap.index(), snap.term(),
            snap.membership(), snap.data()));
        return true;
    }

    void onAppendResponse(LeaderState leader, AppendEntriesResponse m) {
        Progress pr = leader.progress(m.from());
        if (pr == null) {
            return;
        }
        pr.recentActive(true);
        if (m.reject()) {
            onReject(leader, m, pr);
            return;
        }
        Verify.state(m.index() <= node.log().lastIndex(), "follower acknowledged past the leader's log", m.index(),
            node.log().lastIndex());
        if (!pr.maybeUpdate(m.index())) {
            return;
        }
        if (pr.state() == Progress.State.PROBE) {
            pr.becomeReplicate();
        } else if (pr.state() == Progress.State.SNAPSHOT && pr.match() >= pr.pendingSnapshot()) {
            pr.becomeProbe();
            pr.becomeReplicate();
        } else if (pr.state() == Progress.State.REPLICATE) {
            pr.inflights().freeLE(m.index());
        }
        if (maybeCommit(leader)) {
            broadcastAppend(leader);
        }
        int sentMax = config.inflightAppendsMax();
        for (int sent = 0; sent < sentMax && sendAppend(leader, m.from(), pr, false); sent++) {
            // pipeline: keep sending while the inflight window has room and entries remain
        }
        if (m.from() == leader.transferTarget && pr.match() == node.log().lastIndex()) {
            node.outbox().early(new TimeoutNow(node.id(), m.from(), node.state().term()));
        }
    }

    private void onReject(LeaderState leader, AppendEntriesResponse m, Progress pr) {
        if (m.index() >= pr.match() && m.rejectHint() < pr.match() && pr.state() != Progress.State.SNAPSHOT) {
            // The follower's log now ends before entries it acknowledged: it lost data and restarted (repairing).
            // Forget its match and probe from its hint, or it would stay stuck behind a match it no longer has.
            pr.lostEntries(m.rejectHint());
            sendAppend(leader, m.from(), pr, true);
            return;
        }
        long nextProbe = m.rejectHint();
        if (m.hintTerm() > 0) {
            nextProbe = node.log().findConflictByTerm(m.rejectHint(), m.hintTerm());
        }
        if (pr.maybeDecreaseTo(m.index(), nextProbe)) {
            if (pr.state() == Progress.State.REPLICATE) {
                pr.becomeProbe();
            }
            sendAppend(leader, m.from(), pr, true);
        }
    }

    void onHeartbeatResponse(LeaderState leader, HeartbeatResponse m) {
        Progress pr = leader.progress(m.from());
        if (pr == null) {
            return;
        }
        boolean wasSilent = !pr.recentActive();
        pr.recentActive(true);
        pr.heartbeatAcknowledged();
        if (pr.state() == Progress.State.SNAPSHOT) {
            // The snapshot or its answer may have been lost: probe again (re-sends the snapshot if still needed).
            pr.becomeProbe();
        } else if (pr.state() == Progress.State.REPLICATE && wasSilent && pr.inflights().count() > 0) {
            // Silent for a whole check-quorum round with appends in flight: they were lost (the follower restarted,
            // or its connection dropped them). Probe from its match now, which it accepts in one round trip, rather
            // than send at the stale next index and wait for the rejection.
            pr.becomeProbe();
        }
        if (pr.match() < node.log().lastIndex() || endsBeforeMatch(m, pr)) {
            sendAppend(leader, m.from(), pr, true);
        }
    }

    /**
     * Whether the follower's log ended before the match it acknowledged when it answered: it lost data. The append
     * sent then starts at or past the old match, so the follower rejects it with a hint below that match and
     * {@link #onReject} resets the match and probes from the hint: an idle group repairs the member without a new
     * write. A reordered, older answer makes this true spuriously; that costs one empty append, which the follower
     * acknowledges.
     */
    private static boolean endsBeforeMatch(HeartbeatResponse m, Progress pr) {
        return m.lastIndex() != HeartbeatResponse.LAST_INDEX_UNKNOWN && m.lastIndex() < pr.match();
    }

    /**
     * Advances the commit index to the highest index a majority acknowledged, but only if that entry is of the
     * current term (§5.4.2); earlier entries commit with it. Returns whether the commit index moved.
     */
    boolean maybeCommit(LeaderState leader) {
        LogView log = node.log();
        long candidate = node.voters().committedIndex(leader::matchOf);
        if (candidate <= log.committed()) {
            return false;
        }
        if (log.term(candidate) != node.state().term()) {
            return false;
        }
        log.commitTo(candidate);
        return true;
    }

    // ---- follower side ----

    void onAppendEntries(AppendEntries m) {
        LogView log = node.log();
        long term = node.state().term();
        if (m.prevLogIndex() < log.committed()) {
            node.acknowledge(new AppendEntriesResponse(node.id(), m.from(), term, log.committed(), false, 0, 0));
            return;
        }
        long lastNew = log.maybeAppend(m.prevLogIndex(), m.prevLogTerm(), m.leaderCommit(), m.entries());
        if (lastNew >= 0) {
            Verify.state(lastNew <= log.lastIndex(), "matched index past the log", lastNew, log.lastIndex());
            // leaves once the log is durable through lastNew (RaftNode.persisted), never before
            node.acknowledge(new AppendEntriesResponse(node.id(), m.from(), term, lastNew, false, 0, 0));
            return;
        }
        long hintIndex = log.findConflictByTerm(Math.min(m.prevLogIndex(), log.lastIndex()), m.prevLogTerm());
        long hintTerm = Math.max(0, log.term(hintIndex));
        node.outbox().afterPersist(new AppendEntriesResponse(node.id(), m.from(), term, m.prevLogIndex(), true,
            hintIndex, hintTerm));
    }

    void onHeartbeat(Heartbeat m) {
        LogView log = node.log();
        // The leader caps the commit at what it believes this node matches; after a loss that can be past the log.
        log.commitTo(node.repairing() ? Math.min(m.commitIndex(), log.lastIndex()) : m.commitIndex());
        // The log's end lets a leader that believes this node matches more than it holds (lost data) probe at once.
        node.outbox().early(new HeartbeatResponse(node.id(), m.from(), node.state().term(), log.lastIndex()));
    }

    void onInstallSnapshot(InstallSnapshot m) {
        LogView log = node.log();
        long term = node.state().term();
        long index = m.snapshotIndex();
        if (index <= log.committed()) {
            index = log.committed();
        } else if (log.matchTerm(index, m.snapshotTerm())) {
            log.commitTo(index);
        } else {
            log.restore(m.snapshot());
        }
        node.acknowledge(new AppendEntriesResponse(node.id(), m.from(), term, index, false, 0, 0));
    }
}
