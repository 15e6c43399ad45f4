package io.raftmq.broker.sim;

import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.raft.core.ProposeResult;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.membership.MembershipChange;
import io.raftmq.raft.log.Entry;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Membership changes in {@link BrokerSimulation} (docs/simulation.md "Membership changes"): for a share of seeds a
 * fourth member ({@link #JOINING}) starts empty as a joining node (not in the initial voters) at a drawn time of the
 * fault phase; the current leader, when idle, is then asked to add it as a learner, to promote it once caught up,
 * and later to remove one voter (the new member again, one of the initial ones, or itself). A removed member stops
 * for good once its removal committed (an operator decommissions it), so the group ends with three voters. Draws
 * from a stream of its own, and only when on: a seed without it keeps its history. Also its invariants: never two
 * uncommitted CONFIG entries in a leader's log, the removed member never leads after its removal committed, and
 * every final member's configuration holds every change the group committed.
 */
final class SimMembership {
    /** The id of the member that joins. */
    static final int JOINING = BrokerSimulation.MEMBERS + 1;
    /** A learner is promoted only when its match is within this many entries of the leader's last index. */
    static final long PROMOTE_LAG_MAX = 16;

    private final BrokerSimulation sim;
    private final SplittableRandom random;
    private final SimClock clock;
    private final boolean enabled;
    private final long joinAtMs;
    /** How long after the promotion committed the removal is first proposed. */
    private final long removeAfterMs;
    private boolean joined;
    private long promotedAtMs = -1;
    /** The voter to remove (drawn when first proposed), else 0. */
    private int removeTarget;
    /** The removed member, once its removal committed and it was stopped for good, else 0. */
    private int decommissioned;
    private int proposed;
    private int accepted;
    private int refusals;
    private final List<String> history = new ArrayList<>();
    /** Per member: the highest commit index of it as leader already checked against its configuration's quorum. */
    private final long[] quorumChecked = new long[JOINING + 1];

    /** @param forced on whatever the draw (a membership regression seed keeps the history it had at a 1/4 share) */
    SimMembership(BrokerSimulation sim, SplittableRandom random, SimClock clock, boolean allowed, boolean forced) {
        this.sim = sim;
        this.random = random;
        this.clock = clock;
        this.enabled = (random.nextInt(8) == 0 || forced) && allowed;
        this.joinAtMs = enabled ? 100 + random.nextInt(1500) : 0;
        this.removeAfterMs = enabled ? random.nextInt(1200) : 0;
    }

    boolean enabled() {
        return enabled;
    }

    /** The members of the run: 4 with membership changes, else 3. */
    int members() {
        return enabled ? JOINING : BrokerSimulation.MEMBERS;
    }

    void start() {
        if (enabled) {
            sim.schedule(joinAtMs, Kind.JOIN, JOINING, null);
            sim.schedule(joinAtMs + 20 + random.nextInt(100), Kind.MEMBERSHIP, 0, null);
        }
    }

    /** The member may run: the joining one once it joined, none once decommissioned. */
    boolean mayRun(SimMember m) {
        return m.id != decommissioned && (m.id != JOINING || joined);
    }

    /** The joining member starts, empty, with the initial configuration (it is not in it). */
    void onJoin(SimMember m) {
        if (!joined) {
            joined = true;
            history.add(clock.nowMs() + " join");
            sim.driver().start(m);
        }
    }

    /** Healing: a run whose fault phase ended before the join (a shorter one) starts the joining member now. */
    void beforeHeal() {
        if (enabled && !joined) {
            onJoin(sim.member(JOINING));
        }
    }

    /** The sequence is over: the removal committed and the removed member is stopped (or the run has none). */
    boolean done() {
        return !enabled || decommissioned != 0;
    }

    int removed() {
        return decommissioned;
    }

    /** One step of the operator's sequence on the current leader, if it is idle. */
    void onStep() {
        if (done()) {
            return;
        }
        sim.schedule(clock.nowMs() + 30 + random.nextInt(150), Kind.MEMBERSHIP, 0, null);
        int leader = sim.currentLeader();
        if (!joined || leader == 0 || !sim.member(leader).idle()) {
            return;
        }
        SimMember l = sim.member(leader);
        Membership m = l.raft.membership();
        boolean committed = l.raft.membershipIndex() <= l.raft.commitIndex();
        if (removeTarget != 0 && !m.contains(removeTarget)) {
            if (committed) {
                decommission(sim.member(removeTarget));
            }
            return;
        }
        MembershipChange change = next(m, leader, committed);
        if (change != null) {
            propose(l, change);
        }
    }

    private MembershipChange next(Membership m, int leader, boolean committed) {
        if (!m.contains(JOINING)) {
            return new MembershipChange.AddLearner(new Member(JOINING, "sim:" + JOINING));
        }
        if (m.isLearner(JOINING)) {
            return new MembershipChange.Promote(JOINING, PROMOTE_LAG_MAX);
        }
        if (!committed) {
            return null;
        }
        if (promotedAtMs < 0) {
            promotedAtMs = clock.nowMs();
        }
        if (clock.nowMs() < promotedAtMs + removeAfterMs && !sim.healed()) {
            return null;
        }
        if (removeTarget == 0) {
            int draw = random.nextInt(3);
            removeTarget = draw == 0 ? JOINING : draw == 1 ? leader : 1 + random.nextInt(BrokerSimulation.MEMBERS);
        }
        return new MembershipChange.Remove(removeTarget);
    }

    private void propose(SimMember l, MembershipChange change) {
        proposed++;
        sim.driver().guard(l, () -> {
            ProposeResult r = l.raft.proposeMembership(change);
            if (r instanceof ProposeResult.Accepted a) {
                accepted++;
                history.add(clock.nowMs() + " n" + l.id + " " + change + " at " + a.index());
            } else if (r instanceof ProposeResult.Rejected rej) {
                refusals++;
                check(rej.reason() != ProposeResult.Reason.INVALID_MEMBERSHIP_CHANGE, "leader n" + l.id
                    + " refused " + change + " as invalid in " + l.raft.membership());
            }
            sim.driver().drain(l);
        });
    }

    /** The removal committed: an operator stops the removed member for good (what it applied was checked). */
    private void decommission(SimMember m) {
        decommissioned = m.id;
        history.add(clock.nowMs() + " decommission n" + m.id);
        if (m.up) {
            sim.checker().beforeFailure(m);
            m.fail();
        }
    }

    /**
     * After every event: a leader's commit is held by a majority of the voters of its configuration in effect;
     * with membership changes also one uncommitted CONFIG entry at most, and the removed member never leads once
     * decommissioned.
     */
    void afterEvent(SimMember[] members, long committed) {
        for (int i = 1; i < members.length; i++) {
            SimMember m = members[i];
            if (!m.up || m.raft.role() != Role.LEADER) {
                continue;
            }
            checkQuorum(members, m);
            if (!enabled) {
                continue;
            }
            check(m.id != decommissioned, "removed member n" + m.id + " leads after its removal committed");
            if (m.raft.membershipIndex() > committed && m.log.lastIndex() > committed + 1) {
                int configs = 0;
                for (Entry e : m.log.entries(committed + 1, m.log.lastIndex() + 1, Long.MAX_VALUE)) {
                    configs += e.type() == Entry.TYPE_CONFIG ? 1 : 0;
                }
                check(configs <= 1, "leader n" + m.id + " holds " + configs + " uncommitted CONFIG entries after "
                    + committed);
            }
        }
    }

    /**
     * A leader's commit index moved: the entry there must be in the logs of a majority of the voters of the
     * configuration in force (the leader's, docs/raft-driver.md "Membership"). A voter that is down or repairing
     * counts (its durable log cannot be read now); one that is up must hold the entry with the leader's term.
     */
    private void checkQuorum(SimMember[] members, SimMember leader) {
        long c = leader.raft.commitIndex();
        if (c <= quorumChecked[leader.id] || c < leader.log.firstIndex() || c > leader.log.lastIndex()) {
            return;
        }
        quorumChecked[leader.id] = c;
        long term = leader.log.term(c);
        List<Member> voters = leader.raft.membership().voters();
        int holding = 0;
        for (Member v : voters) {
            SimMember o = v.id() < members.length ? members[(int) v.id()] : null;
            boolean holds = o == null || !o.up || o.raft.repairing() || c < o.log.firstIndex()
                || c <= o.log.lastIndex() && o.log.term(c) == term;
            holding += holds ? 1 : 0;
        }
        check(2 * holding > voters.size(), "leader n" + leader.id + " committed " + c + " (term " + term + ") held by "
            + holding + " of the voters " + voters + " only");
    }

    /** The end: every final member is in, and has, the final configuration: the initial voters, plus n4, minus one. */
    void checkFinal(SimMember[] members) {
        if (!enabled) {
            return;
        }
        TreeSet<Long> expected = new TreeSet<>();
        for (long id = 1; id <= JOINING; id++) {
            if (id != decommissioned) {
                expected.add(id);
            }
        }
        for (int i = 1; i < members.length; i++) {
            Membership m = members[i].raft.membership();
            TreeSet<Long> voters = new TreeSet<>();
            m.voters().forEach(v -> voters.add(v.id()));
            check(voters.equals(expected) && m.learners().isEmpty(), "member n" + members[i].id + " ends with "
                + m + ", the committed changes make voters " + expected);
            check(members[i].id != decommissioned, "removed member n" + decommissioned + " among the final ones");
        }
    }

    String describe() {
        return enabled ? "proposed=" + proposed + "/accepted=" + accepted + "/refused=" + refusals + "/removed=n"
            + decommissioned : "";
    }

    String history() {
        return enabled ? "membership " + describe() + " " + history : "membership off";
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
