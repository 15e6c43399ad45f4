package io.raftmq.raft.driver;

import io.raftmq.raft.core.RaftNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The agent's record of its followers while it leads: each follower's match index and the last time (agent clock)
 * it was heard from, sampled once per duty cycle from the core and readable from any thread without a lock
 * ({@link RaftAgent#followers()}). The core only knows "heard since the last check-quorum round"; remembering when
 * that was last true gives "silent for how long", which retention needs to tell a live follower from a dead one.
 *
 * <p>Threads: {@link #observe} on the agent thread; {@link #snapshot} on any (each follower's two values may come from
 * two different cycles, which only matters for a moment).
 */
final class FollowerActivity {
    private static final long NEVER = Long.MIN_VALUE;
    private final long[] peers;
    /** Per peer: match index while leader, -1 otherwise. */
    private final AtomicLongArray match;
    /** Per peer: agent nanos when last seen active in this leadership, {@link #NEVER} if not yet. */
    private final AtomicLongArray lastActiveNs;

    FollowerActivity(long[] peers) {
        this.peers = peers.clone();
        this.match = new AtomicLongArray(peers.length);
        this.lastActiveNs = new AtomicLongArray(peers.length);
        for (int i = 0; i < peers.length; i++) {
            match.set(i, -1);
            lastActiveNs.set(i, NEVER);
        }
    }

    /** Samples the core once (agent thread): no allocation, a few reads per follower. */
    void observe(RaftNode node, long nowNs) {
        for (int i = 0; i < peers.length; i++) {
            long m = node.followerMatch(peers[i]);
            if (m < 0) {
                lastActiveNs.lazySet(i, NEVER); // not leader: a new leadership starts with nobody heard from
            } else if (node.followerRecentlyActive(peers[i])) {
                lastActiveNs.lazySet(i, nowNs);
            }
            match.lazySet(i, m);
        }
    }

    /** The followers as last observed; empty when this node was not the leader then. Any thread. */
    List<FollowerProgress> snapshot(long nowNs) {
        List<FollowerProgress> out = new ArrayList<>(peers.length);
        for (int i = 0; i < peers.length; i++) {
            long m = match.get(i);
            if (m < 0) {
                continue;
            }
            long last = lastActiveNs.get(i);
            long silentMs = last == NEVER ? Long.MAX_VALUE : TimeUnit.NANOSECONDS.toMillis(Math.max(0, nowNs - last));
            out.add(new FollowerProgress(peers[i], m, silentMs));
        }
        return out;
    }
}
