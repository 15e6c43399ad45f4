package io.raftmq.raft.core;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.membership.ConfigHistory;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.membership.MembershipChange;
import io.raftmq.raft.core.progress.Progress;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.core.quorum.VoteResult;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.HeartbeatResponse;
import io.raftmq.raft.message.InstallSnapshot;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.message.TimeoutNow;
import io.raftmq.raft.message.VoteResponse;
import io.raftmq.raft.state.HardState;

import java.util.ArrayList;
import java.util.List;

/**
 * One Raft node as a deterministic state machine: no threads, clocks, randomness of its own, sockets or files.
 * The driver feeds it time ({@link #tick()}), peer messages ({@link #step(RaftMessage)}) and proposals, and
 * collects its output as {@link Ready} batches whose processing order is the durability contract (see
 * {@link Ready}); {@link #advance(Ready)} closes each batch. Implements Raft (§5) with pre-vote, check-quorum,
 * leadership transfer, pipelined and batched replication, fast conflict back-off, a no-op entry opening each
 * leader term and snapshots for followers behind the first retained index, and single-server membership change
 * with learners (thesis §4; see {@link #proposeMembership}).
 *
 * <p>Threading: not thread-safe; one thread drives it. Between {@link #ready()} and {@link #advance(Ready)}
 * only the read-only status methods may be called.
 */
public final class RaftNode {
    private final RaftConfig config;
    private final ConfigHistory configs;
    private final RaftState state;
    private final LogView log;
    private final Outbox outbox = new Outbox();
    private final SnapshotSource snapshots;
    private final Election election;
    private final Replication replication;
    private final Repair repair = new Repair();
    /** Append acknowledgements waiting for the entries they claim to be durable. */
    private final DurableAcks acks;
    /** Hard state the driver last made durable. */
    private HardState persisted;
    private boolean readyOutstanding;
    /** Leader appended entries since the last Ready: replicate them when the batch is cut (batching). */
    private boolean broadcastPending;
    /** The driver's wall clock as last observed: the timestamp of the entries this node creates as leader. */
    private long wallClockMs;

    /**
     * Starts (or restarts) a node from durable state.
     *
     * @param config       validated settings, including this node's id
     * @param voters       the voting configuration
     * @param raftLog      the stable log as the driver recovered it; the core only reads it
     * @param hardState    the saved hard state ({@link HardState#EMPTY} for a new node)
     * @param appliedIndex last index the state machine already reflects (its snapshot index after a restart)
     * @param random       the only randomness used (election jitter)
     * @param snapshots    where a leader gets a snapshot for lagging followers
     */
    public RaftNode(RaftConfig config, MajorityConfig voters, RaftLog raftLog, HardState hardState,
                    long appliedIndex, RandomSource random, SnapshotSource snapshots) {
        this(config, ConfigHistory.initial(Membership.ofVoters(voters)), raftLog, hardState, appliedIndex, random,
            snapshots);
    }

    /**
     * As the constructor above, with the memberships the log defines: {@code configs} holds the base (snapshot or
     * initial) membership at or below {@code appliedIndex} and one record per CONFIG entry of {@code raftLog}
     * after it (the driver recovers them, see docs/raft-driver.md "Membership"). The node owns it afterwards.
     */
    public RaftNode(RaftConfig config, ConfigHistory configs, RaftLog raftLog, HardState hardState,
                    long appliedIndex, RandomSource random, SnapshotSource snapshots) {
        this.config = config;
        this.configs = configs;
        this.snapshots = snapshots;
        this.state = new RaftState(config.nodeId(), config.electionTicks(), random, hardState);
        long commit = Math.max(hardState.commitIndex(), appliedIndex);
        Verify.state(configs.currentIndex() <= raftLog.lastIndex(), "membership record past the log's last index",
            configs.currentIndex(), raftLog.lastIndex());
        Verify.state(configs.records().get(0).index() <= appliedIndex, "membership base past the applied index",
            configs.records().get(0).index(), appliedIndex);
        this.log = new LogView(raftLog, commit, appliedIndex, configs);
        this.acks = new DurableAcks(4 * config.inflightAppendsMax() + 16);
        this.persisted = hardState;
        this.election = new Election(this);
        this.replication = new Replication(this, config);
        Verify.state(log.lastTerm() <= hardState.term() || hardState.term() == 0 && log.lastIndex() == 0,
            "log holds a term newer than the saved term", log.lastTerm(), hardState.term());
    }

    // ---- inputs ----

    /**
     * The driver's wall clock, observed before proposals: entries this node creates as leader carry it, and every
     * member stores it with the entry. An input like any other, so the core stays deterministic.
     */
    public void observeWallClock(long ms) {
        Verify.argument(ms >= 0, "wall clock must be >= 0");
        wallClockMs = ms;
    }

    /** Advances logical time by one tick: election timeouts, heartbeats, check-quorum, transfer timeout. */
    public void tick() {
        requireNoReady();
        RoleState role = state.role();
        role.electionElapsed++;
        if (role instanceof LeaderState leader) {
            tickLeader(leader);
            return;
        }
        if (role.electionElapsed >= role.electionTimeoutTicks()) {
            role.electionElapsed = 0;
            if (repair.learningTerm()) {
                probeTerms();
            } else if (!repair.active()) { // a repairing node never campaigns
                election.campaign(config.preVote() ? Election.Kind.PRE_VOTE : Election.Kind.ELECTION);
            }
        }
    }

    /**
     * The driver saw nothing listening at {@code peerId}'s address (a refused connection: the process is gone, not
     * slow). When that peer is this follower's leader, the follower forgets it (so it grants pre-votes at once and
     * stops naming a dead leader) and campaigns soon instead of after a whole randomized timeout: a crashed leader is
     * replaced in tens of milliseconds. The survivors stagger: by its rank among the other voters (ids ascending,
     * the dead leader left out) a follower waits rank x a sixth of the election timeout, plus a jitter of up to two
     * ticks, so that two followers told at the same moment do not split the vote (each would vote for itself). A
     * follower whose log is behind fails its pre-vote and the next one wins a slot later. Only with pre-vote, so a
     * false hint costs nothing: the pre-vote fails while the others still hear the leader, whose next heartbeat makes
     * it this node's leader again. Ignored in every other case.
     */
    public void peerUnreachable(long peerId) {
        requireNoReady();
        RoleState role = state.role();
        if (!(role instanceof FollowerState) || peerId == 0 || state.leaderId() != peerId || !config.preVote()
            || repair.active() || repair.learningTerm()) {
            return;
        }
        state.leaderId(0);
        campaignByRank(role, peerId);
    }

    /**
     * The driver just started this node (a process start). A follower that knows no leader campaigns after its rank
     * among the voters (ids ascending) times a sixth of the election timeout plus a jitter of up to two ticks,
     * instead of after a whole randomized timeout: a fresh group elects its first leader as soon as a majority is
     * up, and a group whose members all restarted does not wait 1-2 timeouts. Safe for the same reason as
     * {@link #peerUnreachable}: only with pre-vote and check-quorum, so a member that restarts into a group with a
     * live leader merely fails its pre-vote (the others hear the leader: check-quorum's lease makes them ignore it)
     * without raising the term, and follows the leader's next heartbeat; without the lease an up-to-date member's
     * pre-vote would be granted and depose the leader. Ignored for a member repairing its log, or one that is not a
     * voter.
     */
    public void campaignSoon() {
        requireNoReady();
        RoleState role = state.role();
        if (!(role instanceof FollowerState) || state.leaderId() != 0 || !config.preVote() || !config.checkQuorum()
            || repair.active() || repair.learningTerm() || !voters().contains(config.nodeId())) {
            return;
        }
        campaignByRank(role, 0);
    }

    /** Brings {@code role}'s election timer within rank x electionTicks/6 + jitter(2) ticks of firing. */
    private void campaignByRank(RoleState role, long leftOut) {
        int rank = 0;
        for (long id : voters().voters()) {
            if (id != leftOut && id < config.nodeId()) {
                rank++;
            }
        }
        int wait = rank * Math.max(1, config.electionTicks() / 6) + state.jitter(2);
        role.electionElapsed = Math.max(role.electionElapsed, role.electionTimeoutTicks() - 1 - wait);
    }

    private void tickLeader(LeaderState leader) {
        if (removedAndCommitted()) {
            stepDownRemoved(leader);
            return;
        }
        leader.heartbeatElapsed++;
        if (leader.electionElapsed >= config.electionTicks()) {
            leader.electionElapsed = 0;
            if (config.checkQuorum() && !quorumActive(leader)) {
                becomeFollower(state.term(), 0);
                return;
            }
            leader.transferTarget = 0;
        }
        if (leader.heartbeatElapsed >= config.heartbeatTicks()) {
            leader.heartbeatElapsed = 0;
            replication.broadcastHeartbeat(leader);
        }
    }

    /** A leader that removed itself leads until that change commits, then steps down (thesis §4.2.2). */
    private boolean removedAndCommitted() {
        return !voters().contains(config.nodeId()) && configs.currentIndex() <= log.committed();
    }

    /** Steps down and hands leadership to the voter with the highest match, so the group need not time out. */
    private void stepDownRemoved(LeaderState leader) {
        long best = 0;
        long bestMatch = -1;
        MajorityConfig voters = voters();
        for (int i = 0; i < voters.size(); i++) {
            Progress p = leader.progress(voters.voter(i));
            if (p != null && p.match() > bestMatch) {
                best = voters.voter(i);
                bestMatch = p.match();
            }
        }
        if (best != 0 && bestMatch == log.lastIndex()) {
            outbox.early(new TimeoutNow(config.nodeId(), best, state.term()));
        }
        becomeFollower(state.term(), 0);
    }

    /** Check-quorum: whether a majority (this node included) was heard from since the last round; resets it. */
    private boolean quorumActive(LeaderState leader) {
        VoteResult r = voters().voteResult(id -> {
            if (id == config.nodeId()) {
                return 1;
            }
            Progress p = leader.progress(id);
            return p != null && p.recentActive() ? 1 : 0;
        });
        for (Progress p : leader.followers().values()) {
            p.recentActive(false);
        }
        return r == VoteResult.WON;
    }

    /** Handles a message from a peer (addressed to this node). Stale, duplicate and reordered input is safe. */
    public void step(RaftMessage m) {
        requireNoReady();
        Verify.argument(m.to() == config.nodeId(), "message addressed to another node");
        if (repair.learningTerm()) {
            long learned = repair.heard(m.from(), m.term());
            if (learned < 0) {
                return; // term still unknown: acting on this could serve a leader of a term this node already left
            }
            if (learned > state.term()) {
                becomeFollower(learned, 0);
            }
        }
        if (m.term() > state.term()) {
            if (!onHigherTerm(m)) {
                return;
            }
        } else if (m.term() < state.term()) {
            onLowerTerm(m);
            return;
        }
        if (m instanceof RequestVote rv) {
            election.onRequestVote(rv);
            return;
        }
        RoleState role = state.role();
        if (role instanceof LeaderState leader) {
            stepLeader(leader, m);
        } else if (role instanceof FollowerState) {
            stepFollower(m);
        } else {
            stepCandidate(m);
        }
    }

    /** Returns false when the message must be ignored (a vote request inside a leader lease). */
    private boolean onHigherTerm(RaftMessage m) {
        if (m instanceof RequestVote rv) {
            boolean inLease = config.checkQuorum() && state.leaderId() != 0
                && state.role().electionElapsed < config.electionTicks();
            if (inLease && !rv.leadershipTransfer()) {
                return false;
            }
            if (!rv.preVote()) {
                becomeFollower(m.term(), 0);
            }
            return true;
        }
        if (m instanceof VoteResponse vr && vr.preVote() && vr.granted()) {
            return true;
        }
        boolean fromLeader = m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot;
        becomeFollower(m.term(), fromLeader ? m.from() : 0);
        return true;
    }

    private void onLowerTerm(RaftMessage m) {
        boolean fromStaleLeader = m instanceof AppendEntries || m instanceof Heartbeat;
        if (fromStaleLeader && (config.checkQuorum() || config.preVote() || repair.active())) {
            // Tell the stale leader about the newer term so it steps down (it may be cut off from everyone else; a
            // repairing node never campaigns, so without this answer a leader of a lower term would never learn).
            outbox.afterPersist(new AppendEntriesResponse(config.nodeId(), m.from(), state.term(), 0, false, 0, 0));
        } else if (m instanceof RequestVote rv && rv.preVote()) {
            outbox.early(new VoteResponse(config.nodeId(), m.from(), state.term(), true, false));
        }
    }

    private void stepLeader(LeaderState leader, RaftMessage m) {
        if (m instanceof AppendEntriesResponse r) {
            replication.onAppendResponse(leader, r);
        } else if (m instanceof HeartbeatResponse r) {
            replication.onHeartbeatResponse(leader, r);
        } else {
            boolean fromLeader = m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot;
            Verify.state(!fromLeader, "two leaders in one term", m.term(), m.from());
            // votes of this term and TimeoutNow are stale for a leader
        }
    }

    private void stepFollower(RaftMessage m) {
        if (m instanceof AppendEntries a) {
            heardFromLeader(a.from());
            replication.onAppendEntries(a);
            repair.maybeEnd(a, log, state);
        } else if (m instanceof Heartbeat h) {
            heardFromLeader(h.from());
            replication.onHeartbeat(h);
            repair.maybeEnd(h, log, state);
        } else if (m instanceof InstallSnapshot s) {
            heardFromLeader(s.from());
            replication.onInstallSnapshot(s);
        } else if (m instanceof TimeoutNow && !repair.active()) {
            election.campaign(Election.Kind.TRANSFER);
        }
        // anything else is a response addressed to a former role
    }

    private void stepCandidate(RaftMessage m) {
        if (m instanceof AppendEntries || m instanceof Heartbeat || m instanceof InstallSnapshot) {
            becomeFollower(state.term(), m.from());
            stepFollower(m);
        } else if (m instanceof VoteResponse vr) {
            election.onVoteResponse(vr);
        }
    }

    private void heardFromLeader(long leader) {
        state.role().electionElapsed = 0;
        state.leaderId(leader);
    }

    /**
     * Proposes an application entry; only a leader accepts. {@code type >= Entry.TYPE_APPLICATION_MIN}; the
     * payload array is handed over (not copied, never mutated afterwards).
     */
    public ProposeResult propose(int type, byte[] payload) {
        requireNoReady();
        Verify.argument(type >= Entry.TYPE_APPLICATION_MIN, "application entry types start at 16");
        if (!(state.role() instanceof LeaderState leader)) {
            return new ProposeResult.NotLeader(state.leaderId());
        }
        if (leader.transferTarget != 0) {
            return new ProposeResult.Rejected(ProposeResult.Reason.TRANSFERRING_LEADERSHIP);
        }
        if (log.lastIndex() - log.committed() >= config.uncommittedEntriesMax()) {
            return new ProposeResult.Rejected(ProposeResult.Reason.UNCOMMITTED_LIMIT);
        }
        Entry e = new Entry(state.term(), log.lastIndex() + 1, type, payload, wallClockMs);
        appendAsLeader(e);
        return new ProposeResult.Accepted(e.index(), e.term());
    }

    /**
     * Asks the leader to hand leadership to {@code target} (thesis §3.10): proposals are refused meanwhile; the
     * target is brought up to date and told to campaign at once. Gives up after an election timeout.
     */
    public TransferResult transferLeadership(long target) {
        requireNoReady();
        if (!(state.role() instanceof LeaderState leader)) {
            return TransferResult.NOT_LEADER;
        }
        if (target == config.nodeId()) {
            return TransferResult.ALREADY_LEADER;
        }
        Progress pr = leader.progress(target);
        if (pr == null || !voters().contains(target)) {
            return TransferResult.UNKNOWN_TARGET;
        }
        if (leader.transferTarget == target) {
            return TransferResult.IN_PROGRESS;
        }
        leader.transferTarget = target;
        leader.electionElapsed = 0;
        if (pr.match() == log.lastIndex()) {
            outbox.early(new TimeoutNow(config.nodeId(), target, state.term()));
        } else {
            replication.sendAppend(leader, target, pr, true);
        }
        return TransferResult.STARTED;
    }

    /**
     * Puts a node that just started into repair mode (docs/raft-driver.md, "Repair"): it lost data it may have
     * acknowledged, so it grants no votes and never campaigns until it holds a current leader's committed prefix
     * and reaches past {@code ackedIndexMin} (0 = unknown). The driver calls it before feeding the node anything,
     * starting it from {@code RepairState.startingHardState}; {@link #repairing()} turns false when repair ends.
     */
    public void startRepair(long ackedIndexMin) {
        requireNoReady();
        Verify.state(log.lastIndex() >= log.committed(), "commit index past the log", log.committed(),
            log.lastIndex());
        repair.start(ackedIndexMin);
    }

    /**
     * As {@link #startRepair(long)} for a node whose hard state was lost too (term and vote unknown): it first hears
     * from every other voter (probing them with pre-vote requests at once and on every election timeout) and adopts
     * the highest term heard; until then it drops every message. Once it saved a term it learned this way, a restart
     * uses {@link #startRepair(long)}.
     */
    public void startRepairWithUnknownTerm(long ackedIndexMin) {
        startRepair(ackedIndexMin);
        repair.termUnknown(voters(), config.nodeId());
        if (repair.learningTerm()) {
            probeTerms();
        }
    }

    private void probeTerms() {
        repair.probe(config.nodeId(), state.term(), log.lastIndex(), log.lastTerm(), outbox);
    }

    /** Whether the node is repairing (see {@link #startRepair}); the driver clears its durable record once false. */
    public boolean repairing() {
        return repair.active();
    }

    /**
     * Proposes one single-server membership change (thesis §4.1); only a leader accepts, and only when no other
     * change is uncommitted and an entry of its own term is committed (so it cannot overlap a change a previous
     * leader left uncommitted).
     * The new configuration takes effect on this node at once (it is appended) and on each follower when the
     * follower appends it; it commits under the new configuration's quorum.
     */
    public ProposeResult proposeMembership(MembershipChange change) {
        requireNoReady();
        if (!(state.role() instanceof LeaderState leader) || removedAndCommitted()) {
            return new ProposeResult.NotLeader(state.role() instanceof LeaderState ? 0 : state.leaderId());
        }
        ProposeResult.Reason refused = membershipRefusal(leader, change);
        if (refused != null) {
            return new ProposeResult.Rejected(refused);
        }
        Membership next = configs.current().apply(change);
        Entry e = new Entry(state.term(), log.lastIndex() + 1, Entry.TYPE_CONFIG, next.encode(), wallClockMs);
        appendAsLeader(e);
        Verify.state(configs.current().equals(next), "appended configuration must take effect", e.index());
        leader.syncMembers(next, log.lastIndex() + 1, config.inflightAppendsMax());
        return new ProposeResult.Accepted(e.index(), e.term());
    }

    private ProposeResult.Reason membershipRefusal(LeaderState leader, MembershipChange change) {
        if (leader.transferTarget != 0) {
            return ProposeResult.Reason.TRANSFERRING_LEADERSHIP;
        }
        if (configs.currentIndex() > log.committed()) {
            return ProposeResult.Reason.MEMBERSHIP_CHANGE_PENDING;
        }
        if (log.term(log.committed()) != state.term()) {
            return ProposeResult.Reason.TERM_NOT_COMMITTED;
        }
        if (configs.current().refusal(change) != null) {
            return ProposeResult.Reason.INVALID_MEMBERSHIP_CHANGE;
        }
        if (change instanceof MembershipChange.Promote p) {
            Progress pr = leader.progress(p.id());
            Verify.state(pr != null, "no progress for a learner", p.id());
            if (pr.match() + p.lagEntriesMax() < log.lastIndex()) {
                return ProposeResult.Reason.LEARNER_BEHIND;
            }
        }
        return null;
    }

    // ---- output ----

    /** Whether {@link #ready()} has anything to hand out. */
    public boolean hasReady() {
        return !outbox.isEmpty() || broadcastPending || log.hasUnstable() || log.pendingSnapshot() != null
            || log.hasCommittedToApply() || !hardState().equals(persisted);
    }

    /** Cuts the next batch of work; the driver processes it per {@link Ready} and then calls advance. */
    public Ready ready() {
        return ready(config.batchBytesMax());
    }

    /**
     * As {@link #ready()}, with at most {@code committedBytesMax} bytes of committed entries (at least one entry
     * when positive; none when 0, so a driver still applying earlier entries takes only messages and writes).
     */
    public Ready ready(long committedBytesMax) {
        Verify.argument(committedBytesMax >= 0, "committedBytesMax must be >= 0");
        requireNoReady();
        if (broadcastPending && state.role() instanceof LeaderState leader) {
            replication.broadcastAppend(leader);
        }
        broadcastPending = false;
        HardState hs = hardState();
        boolean voteChanged = hs.term() != persisted.term() || hs.votedFor() != persisted.votedFor();
        List<RaftMessage> early = new ArrayList<>();
        List<RaftMessage> after = new ArrayList<>();
        // A term or vote not yet durable must not be exposed by any message: then everything waits.
        (voteChanged ? after : early).addAll(outbox.early());
        after.addAll(outbox.afterPersist());
        outbox.clear();
        List<Entry> entries = log.unstableEntries();
        Ready r = new Ready(hs.equals(persisted) ? null : hs, log.pendingSnapshot(), entries, early, after,
            committedBytesMax == 0 ? List.of() : log.nextCommittedEntries(committedBytesMax),
            voteChanged || !entries.isEmpty() || log.pendingSnapshot() != null);
        readyOutstanding = true;
        return r;
    }

    /**
     * Closes a batch: the driver has written its entries, saved its hard state, sent its messages and applied its
     * committed entries as {@link Ready} prescribes. The entries count as written, not durable: the driver reports
     * durability with {@link #persisted} (a driver that syncs inside the Ready calls it right after this).
     */
    public void advance(Ready ready) {
        Verify.state(readyOutstanding, "advance without an outstanding ready", state.term());
        readyOutstanding = false;
        if (ready.hardState() != null) {
            persisted = ready.hardState();
        }
        if (ready.snapshot() != null) {
            log.snapshotInstalled(ready.snapshot());
            acks.release(log.durableLastIndex(), outbox); // the snapshot's acknowledgement
        }
        if (!ready.entries().isEmpty()) {
            Entry last = ready.entries().get(ready.entries().size() - 1);
            log.stableTo(last.index(), last.term());
        }
        if (!ready.committedEntries().isEmpty()) {
            log.appliedTo(ready.committedEntries().get(ready.committedEntries().size() - 1).index());
            configs.prune(log.applied());
        }
    }

    /**
     * The driver's log is durable through the entry ({@code index}, {@code term}): every write handed out before
     * the one that ended there is on disk. Ignored when this node's log no longer holds that entry (a truncation
     * or snapshot since the write: the report is stale) and clipped to what was written. A leader now counts its
     * own entries up to there (and may commit); a follower's acknowledgements that this covers leave with the next
     * Ready. An input like {@link #step}: not between {@link #ready()} and {@link #advance}.
     */
    public void persisted(long index, long term) {
        requireNoReady();
        if (!log.persisted(index, term)) {
            return;
        }
        long durable = log.durableLastIndex();
        if (state.role() instanceof LeaderState leader) {
            leader.selfMatch = Math.max(leader.selfMatch, durable);
            Verify.state(leader.selfMatch <= durable, "self match past the durable log", leader.selfMatch, durable);
            if (replication.maybeCommit(leader)) {
                replication.broadcastAppend(leader);
            }
        }
        acks.release(durable, outbox);
    }

    /**
     * Sends a follower's acknowledgement of {@code ack.index()} once the log is durable through it (at once if it
     * already is); drops waiting and unsent acknowledgements whose entries a truncation or snapshot replaced first.
     */
    void acknowledge(AppendEntriesResponse ack) {
        long replacedFrom = log.takeReplacedFrom();
        acks.dropFrom(replacedFrom);
        outbox.dropAcknowledgementsFrom(replacedFrom); // made earlier in this Ready, before the truncation
        acks.offer(ack, log.durableLastIndex(), outbox);
    }

    // ---- status (read-only; safe at any time) ----

    public long id() {
        return config.nodeId();
    }

    public Role role() {
        return state.roleKind();
    }

    public long term() {
        return state.term();
    }

    /** The known leader of the current term, 0 if unknown. */
    public long leaderId() {
        return state.leaderId();
    }

    public long commitIndex() {
        return log.committed();
    }

    public long appliedIndex() {
        return log.applied();
    }

    public long lastIndex() {
        return log.lastIndex();
    }

    /** Last index the driver reported durable ({@link #persisted}) that this node's log still holds. */
    public long durableIndex() {
        return log.durableLastIndex();
    }

    /** Follower acknowledgements waiting for their entries to be durable (diagnostics). */
    public int acknowledgementsWaiting() {
        return acks.waiting();
    }

    /**
     * Leader only: how far {@code peer}'s log matches this node's (its match index), -1 when this node is not the
     * leader or {@code peer} is not a follower. Read-only.
     */
    public long followerMatch(long peer) {
        Progress p = state.role() instanceof LeaderState leader ? leader.progress(peer) : null;
        return p == null ? -1 : p.match();
    }

    /**
     * Leader only: whether {@code peer} was heard from since the last check-quorum round (false when this node is not
     * the leader). Read-only.
     */
    public boolean followerRecentlyActive(long peer) {
        Progress p = state.role() instanceof LeaderState leader ? leader.progress(peer) : null;
        return p != null && p.recentActive();
    }

    /** The configuration in effect (that of the newest CONFIG entry in the log, committed or not). */
    public Membership membership() {
        return configs.current();
    }

    /** Index of the entry that defined {@link #membership()} (0 or the snapshot index when none is in the log). */
    public long membershipIndex() {
        return configs.currentIndex();
    }

    /**
     * The configuration in effect at {@code index} (what a snapshot taken at {@code index} must carry); any
     * index from the applied index of the state machine on (a few changes are kept before that).
     */
    public Membership membershipAt(long index) {
        return configs.at(index);
    }

    /** The current hard state (not necessarily durable yet). */
    public HardState hardState() {
        return new HardState(state.term(), state.votedFor(), log.committed());
    }

    // ---- package-private plumbing for Election and Replication ----

    RaftState state() {
        return state;
    }

    LogView log() {
        return log;
    }

    Outbox outbox() {
        return outbox;
    }

    MajorityConfig voters() {
        return configs.current().quorum();
    }

    /** Pre-vote campaigns started since this node was built ({@link ElectionCounts}). */
    public long preVotes() {
        return election.preVotes();
    }

    /** Elections started (term incremented to campaign), leadership transfers included. */
    public long electionsStarted() {
        return election.electionsStarted();
    }

    /** Elections won: times this node became leader. */
    public long electionsWon() {
        return election.electionsWon();
    }

    SnapshotSource snapshots() {
        return snapshots;
    }

    void becomeFollower(long term, long leader) {
        state.transitionToFollower(term, leader);
    }

    void becomeLeader() {
        LeaderState leader = state.transitionToLeader(voters(), log.lastIndex() + 1, log.durableLastIndex(),
            config.inflightAppendsMax());
        leader.syncMembers(configs.current(), log.lastIndex() + 1, config.inflightAppendsMax());
        appendAsLeader(Entry.noop(state.term(), log.lastIndex() + 1, wallClockMs));
        Verify.state(leader.selfMatch < log.lastIndex(), "self match must not include the new no-op",
            leader.selfMatch, log.lastIndex());
    }

    private void appendAsLeader(Entry e) {
        log.appendOne(e);
        broadcastPending = true;
    }

    private void requireNoReady() {
        Verify.state(!readyOutstanding, "call advance(ready) before feeding the node again", state.term());
    }
}
