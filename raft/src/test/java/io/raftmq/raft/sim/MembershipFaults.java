package io.raftmq.raft.sim;

import io.raftmq.raft.core.membership.ConfigHistory;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.membership.MembershipChange;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.statemachine.Snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The membership part of the simulator's fault menu: which single-server change a leader is asked to make next
 * (add a fresh node as learner, promote a learner, remove a learner or a voter, the leader itself included), and how
 * a simulated driver recovers a node's memberships at restart (the durable snapshot's, then the CONFIG entries of
 * the durable log after it: what a real driver's membership file and log reconcile to). Ids of removed nodes are
 * never reused; at least {@link #VOTERS_MIN} voters stay.
 */
final class MembershipFaults {
    /** A learner is promoted only when its match is within this many entries of the leader's last index. */
    static final long PROMOTE_LAG_MAX = 4;
    /** Nodes that can join a run, beyond the initial ones. */
    static final int SPARE_NODES = 3;
    private static final int VOTERS_MIN = 3;

    private final Membership initial;
    private final int firstSpare;
    private int nextSpare;
    private int proposed;
    private int accepted;

    MembershipFaults(Membership initial, int initialNodes) {
        this.initial = initial;
        this.firstSpare = initialNodes + 1;
        this.nextSpare = firstSpare;
    }

    Membership initial() {
        return initial;
    }

    /** Id of the node to start when {@code change} adds it, or 0. */
    static long joining(MembershipChange change) {
        return change instanceof MembershipChange.AddLearner a ? a.member().id() : 0;
    }

    /** The next change for a leader whose configuration is {@code m}, or null when none fits. */
    MembershipChange choose(Membership m, long leader, SplittableRandom r) {
        proposed++;
        List<Member> learners = m.learners();
        if (!learners.isEmpty()) {
            long id = learners.get(r.nextInt(learners.size())).id();
            return r.nextInt(5) == 0 ? new MembershipChange.Remove(id)
                : new MembershipChange.Promote(id, PROMOTE_LAG_MAX);
        }
        if (m.voters().size() > VOTERS_MIN && r.nextBoolean()) {
            long id = r.nextInt(3) == 0 ? leader : m.voters().get(r.nextInt(m.voters().size())).id();
            return new MembershipChange.Remove(id);
        }
        if (nextSpare < firstSpare + SPARE_NODES) {
            return new MembershipChange.AddLearner(new Member(nextSpare, "sim:" + nextSpare));
        }
        return m.voters().size() > VOTERS_MIN ? new MembershipChange.Remove(m.voters().get(0).id()) : null;
    }

    /** The leader accepted {@code change}. */
    void accepted(MembershipChange change) {
        accepted++;
        if (joining(change) == nextSpare) {
            nextSpare++;
        }
    }

    String summary() {
        return "membership changes proposed=" + proposed + " accepted=" + accepted;
    }

    int acceptedCount() {
        return accepted;
    }

    /** The memberships of a restarting node: its durable snapshot's (or the initial one), then its log's. */
    ConfigHistory recover(MemoryRaftLog log, Snapshot durable) {
        ConfigHistory.Record base = durable == null ? new ConfigHistory.Record(0, initial)
            : new ConfigHistory.Record(durable.index(), Membership.decode(durable.membership(), initial));
        List<ConfigHistory.Record> records = new ArrayList<>();
        long from = Math.max(base.index() + 1, log.firstIndex());
        if (from <= log.lastIndex()) {
            for (Entry e : log.entries(from, log.lastIndex() + 1, Long.MAX_VALUE)) {
                if (e.type() == Entry.TYPE_CONFIG) {
                    records.add(new ConfigHistory.Record(e.index(), Membership.decode(e.payload())));
                }
            }
        }
        return ConfigHistory.recovered(initial, base, records);
    }
}
