package io.raftmq.raft.core.progress;

import io.raftmq.raft.Verify;

/**
 * The leader's view of one follower's log: how far it matches ({@code match}), what to send next ({@code next})
 * and in which mode. PROBE sends one append per heartbeat until the match point is found; REPLICATE pipelines up
 * to the inflight limit; SNAPSHOT waits for an installed snapshot. All state changes go through the methods
 * here. Invariant: 0 <= match < next.
 */
public final class Progress {
    /** Replication mode of one follower. */
    public enum State { PROBE, REPLICATE, SNAPSHOT }

    private final Inflights inflights;
    private State state = State.PROBE;
    private long match;
    private long next;
    /** PROBE only: an append was sent since the last heartbeat response, so wait. */
    private boolean probeSent;
    /** SNAPSHOT only: index of the snapshot sent. */
    private long pendingSnapshot;
    /** Heard from the follower since the last check-quorum round. */
    private boolean recentActive;

    public Progress(long next, int inflightMax) {
        Verify.argument(next >= 1, "next must be >= 1");
        this.next = next;
        this.inflights = new Inflights(inflightMax);
    }

    public State state() {
        return state;
    }

    public long match() {
        return match;
    }

    public long next() {
        return next;
    }

    public long pendingSnapshot() {
        return pendingSnapshot;
    }

    public boolean recentActive() {
        return recentActive;
    }

    public void recentActive(boolean active) {
        this.recentActive = active;
    }

    public Inflights inflights() {
        return inflights;
    }

    /** Whether the leader must hold back appends to this follower for now. */
    public boolean paused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflights.full();
            case SNAPSHOT -> true;
        };
    }

    /** Back to probing from {@code match + 1} (or just past a snapshot being installed). */
    public void becomeProbe() {
        long from = state == State.SNAPSHOT ? Math.max(match + 1, pendingSnapshot + 1) : match + 1;
        resetState(State.PROBE);
        next = from;
    }

    /** Pipelining from {@code match + 1}. */
    public void becomeReplicate() {
        resetState(State.REPLICATE);
        next = match + 1;
    }

    /** Waiting for the snapshot at {@code snapshotIndex} to be installed. */
    public void becomeSnapshot(long snapshotIndex) {
        resetState(State.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    /** Records that an append ending at {@code lastIndex} was sent (or an empty probe, lastIndex = next - 1). */
    public void sentAppend(long lastIndex, boolean hasEntries) {
        if (state == State.REPLICATE) {
            if (hasEntries) {
                Verify.state(lastIndex >= next, "replicate append must advance next", next, lastIndex);
                next = lastIndex + 1;
                inflights.add(lastIndex);
            }
        } else if (state == State.PROBE) {
            probeSent = true;
        }
    }

    /** A heartbeat response arrived: let a probe go out and make room in a full pipeline. */
    public void heartbeatAcknowledged() {
        probeSent = false;
        if (state == State.REPLICATE && inflights.full()) {
            inflights.freeFirstOne();
        }
    }

    /** An acknowledgement of {@code index}; returns whether it was news (match moved). */
    public boolean maybeUpdate(long index) {
        boolean updated = false;
        if (match < index) {
            match = index;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, index + 1);
        return updated;
    }

    /**
     * A rejection of {@code rejected} (the sent prevLogIndex) with the follower's hint; returns false when the
     * rejection is stale (answers an append older than the current probe).
     */
    public boolean maybeDecreaseTo(long rejected, long matchHint) {
        if (state == State.REPLICATE) {
            if (rejected <= match) {
                return false;
            }
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) {
            return false;
        }
        next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
        probeSent = false;
        Verify.state(next > match, "next must stay above match", match, next);
        return true;
    }

    /**
     * The follower rejected an append although it had acknowledged {@code match}: it lost entries (data loss, then
     * a restart). Its match is unknown now (0: commit counting never relies on it again until it acknowledges), and
     * probing restarts just after {@code lastIndexHint}, the end of its log as it reported.
     */
    public void lostEntries(long lastIndexHint) {
        Verify.argument(lastIndexHint >= 0, "hint must be >= 0");
        resetState(State.PROBE);
        match = 0;
        next = lastIndexHint + 1;
    }

    private void resetState(State newState) {
        state = newState;
        probeSent = false;
        pendingSnapshot = 0;
        inflights.reset();
    }

    @Override
    public String toString() {
        return state + " match=" + match + " next=" + next;
    }
}
