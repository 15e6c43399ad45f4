package io.raftmq.raft.driver;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The agent's record of its followers while it leads: each follower's match index and the last time (agent clock)
 * it was heard from, sampled once per duty cycle from the core and readable from any thread without a lock
 * ({@link RaftAgent#followers()}). The core only knows "heard since the last check-quorum round"; remembering when
 * that was last true gives "silent for how long", which retention needs to tell a live follower from a dead one.
 *
 * <p>The followers are the other members (voters and learners) of the configuration in effect
 * ({@link RaftNode#membership()}): when it changes, a new member is tracked from then on (not heard from yet) and a
 * removed one is no longer reported; members in both keep their values.
 *
 * <p>Threads: {@link #observe} on the agent thread; {@link #snapshot} on any (each follower's two values may come from
 * two different cycles, which only matters for a moment; a table is replaced whole, never changed in size).
 */
final class FollowerActivity {
    private static final long NEVER = Long.MIN_VALUE;
    /** The followers tracked now; replaced (agent thread) when the configuration in effect changes. */
    private volatile Table table;
    /** The configuration {@link #table} was built for (agent thread only); null before the first observe. */
    private Membership tracked;

    /** Per follower: id, match index while leader (-1 otherwise), agent nanos when last active ({@link #NEVER}). */
    private record Table(long[] peers, AtomicLongArray match, AtomicLongArray lastActiveNs) {
        static Table of(long[] peers) {
            Table t = new Table(peers.clone(), new AtomicLongArray(peers.length), new AtomicLongArray(peers.length));
            for (int i = 0; i < peers.length; i++) {
                t.match.set(i, -1);
                t.lastActiveNs.set(i, NEVER);
            }
            return t;
        }

        int indexOf(long id) {
            for (int i = 0; i < peers.length; i++) {
                if (peers[i] == id) {
                    return i;
                }
            }
            return -1;
        }
    }

    FollowerActivity(long[] peers) {
        this.table = Table.of(peers);
    }

    /** Samples the core once (agent thread): no allocation unless the configuration changed, a few reads each. */
    void observe(RaftNode node, long nowNs) {
        Membership m = node.membership();
        if (m != tracked) {
            follow(m, node.id());
        }
        Table t = table;
        long[] peers = t.peers;
        for (int i = 0; i < peers.length; i++) {
            long match = node.followerMatch(peers[i]);
            if (match < 0) {
                t.lastActiveNs.lazySet(i, NEVER); // not leader: a new leadership starts with nobody heard from
            } else if (node.followerRecentlyActive(peers[i])) {
                t.lastActiveNs.lazySet(i, nowNs);
            }
            t.match.lazySet(i, match);
        }
    }

    /** Tracks the members of {@code m} but {@code self}, keeping the values of those tracked already. */
    private void follow(Membership m, long self) {
        tracked = m;
        List<Member> members = m.members();
        long[] ids = new long[members.size()];
        int n = 0;
        for (Member member : members) {
            if (member.id() != self) {
                ids[n++] = member.id();
            }
        }
        long[] peers = Arrays.copyOf(ids, n);
        Table old = table;
        if (Arrays.equals(peers, old.peers)) {
            return;
        }
        Table next = Table.of(peers);
        for (int i = 0; i < peers.length; i++) {
            int j = old.indexOf(peers[i]);
            if (j >= 0) {
                next.match.set(i, old.match.get(j));
                next.lastActiveNs.set(i, old.lastActiveNs.get(j));
            }
        }
        Verify.state(next.peers.length == n, "follower table size", next.peers.length, n);
        table = next;
    }

    /** The followers as last observed; empty when this node was not the leader then. Any thread. */
    List<FollowerProgress> snapshot(long nowNs) {
        Table t = table;
        List<FollowerProgress> out = new ArrayList<>(t.peers.length);
        for (int i = 0; i < t.peers.length; i++) {
            long m = t.match.get(i);
            if (m < 0) {
                continue;
            }
            long last = t.lastActiveNs.get(i);
            long silentMs = last == NEVER ? Long.MAX_VALUE : TimeUnit.NANOSECONDS.toMillis(Math.max(0, nowNs - last));
            out.add(new FollowerProgress(t.peers[i], m, silentMs));
        }
        return out;
    }
}
