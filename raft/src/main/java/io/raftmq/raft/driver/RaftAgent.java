package io.raftmq.raft.driver;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.ElectionCounts;
import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.core.RandomSource;
import io.raftmq.raft.core.Ready;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.core.TransferResult;
import io.raftmq.raft.core.membership.ConfigHistory;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.membership.MembershipChange;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.HardStateStore;
import io.raftmq.raft.state.RepairStateStore;
import io.raftmq.raft.statemachine.SnapshotStore;
import io.raftmq.raft.statemachine.StateMachine;
import io.raftmq.raft.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * Drives one {@link RaftNode} on one thread: the node's duty cycle, its I/O and its clients. Each
 * {@link #doWork()} runs, in order: control commands, drain the inbox and step each message, tick (from the
 * injected {@link NanoClock}), take queued proposals into the log (all of them share the next Ready: batching),
 * then process one {@link Ready} exactly as its contract prescribes: send the early messages (a leader's
 * AppendEntries go out before its own fsync, thesis §10.2.1), install a snapshot, write the entries, save the hard
 * state, send the remaining messages, queue the committed entries for apply and advance. The log is not fsynced in
 * the cycle: in {@link DurabilityMode#QUORUM_FSYNC} the {@link LogSyncer} does it on its own thread, and its
 * reports reach the core ({@code RaftNode.persisted}) at the start of a later cycle; only then does a leader count
 * its entries and do a follower's acknowledgements leave (docs/raft-driver.md, "Fsync off the agent thread").
 * Then it applies queued committed entries for at most {@code applySliceMs} (completing the proposals they
 * answer). Last, proposals past their deadline fail.
 *
 * <p>Apply slicing: applying is the one step whose cost has no bound of its own (a restarted member replays its
 * whole log; a follower that was down applies everything it missed), so it runs in time slices, and a Ready takes
 * new committed entries only once the previous ones are applied (the backlog holds at most one Ready's
 * batch). Between two slices the agent steps its inbox, ticks and answers votes and appends, so a member that is
 * far behind in applying keeps real time in its election timer and leader lease and votes promptly
 * (docs/raft-driver.md, "Apply slicing"). The core's applied index may thus run one batch ahead of the state
 * machine; {@link RaftStatus#appliedIndex()} reports the state machine's.
 *
 * <p>Threads: {@link #start()} runs the cycle on a thread named {@code raft-agent-<id>} that sleeps between ticks
 * when idle and is woken by inbound messages and proposals; tests call {@link #doWork()} by hand instead (never
 * both). {@link #deliver}, {@link #propose}, {@link #transferLeadership}, {@link #status} and the stops may be
 * called from any thread; hand-offs go through bounded queues.
 *
 * <p>Hard state: a new term or vote is saved (durably) before any message of its Ready is sent; a change of only
 * the commit index is saved at most every {@code commitSaveIntervalMs} ({@link HardStateSaver}). Accepted
 * proposals wait in {@link PendingProposals}; the thread and its idle strategy are {@link AgentRunner}'s; repair mode
 * (a member that lost data, docs/raft-driver.md "Repair") is {@link RepairTracker}'s; apply slicing is
 * {@link Applier}'s; dialling members as the configuration changes is {@link PeerDialer}'s; the queues
 * from other threads are {@link AgentInput}; a Ready's processing is {@link ReadyProcessor}'s; snapshots are
 * {@link AgentSnapshots}.
 *
 * <p>Snapshots: without a {@link SnapshotStore} a leader sends the state machine's snapshot of the moment to a
 * follower behind the log's first index. With one ({@link #setSnapshotStore}, before start) the agent takes a
 * snapshot every {@code snapshotIntervalEntries} applied entries and offers it to the store (with the membership
 * as of its index, {@link #membershipAt}), and a leader sends what the store's {@link SnapshotStore#latest} returns
 * (docs/snapshots.md).
 *
 * <p>Errors: a failure of the log, hard state store or state machine, or a broken invariant, stops the agent
 * (the thread boundary logs and counts it, {@link RaftStatus#failed()} turns true, pending proposals fail with
 * STOPPED): a node that cannot persist must not keep voting. Proposal errors are typed
 * ({@link ProposalException}).
 *
 * <p>Membership (docs/raft-driver.md, "Membership"): {@link #proposeMembership} proposes one single-server change;
 * the {@link MembershipFile} gets a record for every CONFIG entry, snapshot and truncation before the log write
 * it describes, so a restart knows its configuration without scanning the log; the transport dials members as
 * soon as a configuration naming them is appended and drops removed ones once their removal commits.
 */
public final class RaftAgent implements Transport.InboundSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RaftAgent.class);

    private final RaftAgentConfig config;
    private final long nodeId;
    private final RaftNode node;
    /** Null for a group whose membership never changes (the initial configuration is all there is). */
    private final MembershipFile membershipFile;
    /** Dials members as configurations name them, drops removed ones. */
    private final PeerDialer peers;
    private final RaftLog log;
    private final StateMachine stateMachine;
    private final Transport transport;
    private final NanoClock clock;
    /** Timestamps of the entries this node creates as leader (docs/snapshots.md rule 4). */
    private volatile LongSupplier wallClock = System::currentTimeMillis;
    private final long tickNs;
    /** Messages, proposals and commands handed over by other threads. */
    private final AgentInput input;
    /** Accepted proposals waiting for their index to be applied. */
    private final PendingProposals pending;
    private final HardStateSaver hardState;
    private final AgentRunner runner = new AgentRunner(new Duty());
    /** Syncs the log off this thread (quorum-fsync); reports come back through {@link #takeDurability}. */
    private final LogSyncer syncer;
    /** Tests: the log syncer is run by hand ({@link #syncLogByHand}), not inside {@link #doWork()}. */
    private boolean syncByHand;
    /** Processes each Ready in its contract's order. */
    private final ReadyProcessor readies;
    /** Committed entries waiting to be applied, applied in time slices. */
    private final Applier applier;

    // Agent thread state.
    private long nextTickNs;
    private long stopDeadlineNs = Long.MAX_VALUE;
    private boolean stopping;
    private final AgentSnapshots snapshots;
    private final FollowerActivity followers;

    private volatile boolean stopped;
    private volatile RaftStatus status;
    /** Told of role, term, leader, failure and applied-term changes ({@link #addRoleListener}). */
    private final RoleListeners roleListeners = new RoleListeners();
    private final RepairTracker repair;
    /** The debug trace of the send path (off unless its logger is at DEBUG). */
    private final PathTrace trace;

    /**
     * Recovers the node from {@code log} and {@code hardStateStore}, for a group whose membership never changes
     * (no membership file: a CONFIG entry in the log would not be seen at restart).
     *
     * @param voters       the group; must contain this node
     * @param log          the stable log as recovered from disk (this agent becomes its only user)
     * @param appliedIndex last index {@code stateMachine} already reflects (0 when it is rebuilt by replaying the
     *                     log); at least {@code log.firstIndex() - 1}
     * @param transport    not started yet or started with this agent as sink; the caller owns (and closes) it
     * @param random       election jitter
     */
    public RaftAgent(RaftAgentConfig config, MajorityConfig voters, RaftLog log, HardStateStore hardStateStore,
                     StateMachine stateMachine, long appliedIndex, Transport transport, NanoClock clock,
                     RandomSource random) {
        this(config, checkedVoters(voters, config.raft().nodeId()), null, log, hardStateStore, RepairStateStore.NONE,
            stateMachine, appliedIndex, transport, clock, random);
    }

    /**
     * As above, with the member's repair state: when {@code repairStore} holds one, or the log ends before the saved
     * commit index (then it is saved first), the node starts repairing (docs/raft-driver.md, "Repair") and the
     * store is cleared once it caught up.
     */
    public RaftAgent(RaftAgentConfig config, MajorityConfig voters, RaftLog log, HardStateStore hardStateStore,
                     RepairStateStore repairStore, StateMachine stateMachine, long appliedIndex, Transport transport,
                     NanoClock clock, RandomSource random) {
        this(config, checkedVoters(voters, config.raft().nodeId()), null, log, hardStateStore, repairStore,
            stateMachine, appliedIndex, transport, clock, random);
    }

    /** As below, for a member without repair state. */
    public RaftAgent(RaftAgentConfig config, Membership initial, MembershipFile membershipFile, RaftLog log,
                     HardStateStore hardStateStore, StateMachine stateMachine, long appliedIndex, Transport transport,
                     NanoClock clock, RandomSource random) {
        this(config, initial, membershipFile, log, hardStateStore, RepairStateStore.NONE, stateMachine, appliedIndex,
            transport, clock, random);
    }

    /**
     * Recovers the node from {@code log}, {@code hardStateStore}, {@code membershipFile} and {@code repairStore}.
     *
     * @param initial        the group's initial configuration, with addresses (what a snapshot without membership
     *                       means); a node joining an existing group is not in it and neither campaigns nor counts
     *                       until a configuration naming it as voter reaches its log
     * @param membershipFile where the membership records live; null when the membership never changes
     * @param repairStore    the member's repair state (docs/raft-driver.md, "Repair")
     */
    public RaftAgent(RaftAgentConfig config, Membership initial, MembershipFile membershipFile, RaftLog log,
                     HardStateStore hardStateStore, RepairStateStore repairStore, StateMachine stateMachine,
                     long appliedIndex, Transport transport,
                     NanoClock clock, RandomSource random) {
        this.config = config;
        this.nodeId = config.raft().nodeId();
        Verify.argument(appliedIndex >= log.firstIndex() - 1, "appliedIndex below the log's compaction point");
        this.followers = new FollowerActivity(otherMembers(initial, nodeId));
        this.log = log;
        this.stateMachine = stateMachine;
        this.transport = transport;
        this.clock = clock;
        this.membershipFile = membershipFile;
        this.tickNs = TimeUnit.MILLISECONDS.toNanos(config.tickMs());
        this.input = new AgentInput(config);
        this.snapshots = new AgentSnapshots(nodeId, stateMachine, this::membershipAt, clock,
            config.snapshotIntervalEntries(), appliedIndex, LOG);
        this.pending = new PendingProposals(nodeId, clock);
        this.applier = new Applier(nodeId, stateMachine, pending, clock,
            TimeUnit.MILLISECONDS.toNanos(config.applySliceMs()), appliedIndex, LOG);
        this.trace = new PathTrace(nodeId);
        this.syncer = new LogSyncer(log, clock, runner::wake, trace);
        long now = clock.nanoTime();
        this.hardState = new HardStateSaver(hardStateStore, log, config.durability(), config.commitSaveIntervalMs(),
            now);
        ConfigHistory configs = membershipFile == null ? ConfigHistory.initial(initial)
            : membershipFile.recover(log, appliedIndex, initial);
        this.repair = new RepairTracker(repairStore, hardState.saved(), log, LOG);
        this.node = new RaftNode(config.raft(), configs, log, repair.startingHardState(hardState.saved(), log),
            appliedIndex, random, snapshots::toSend);
        repair.start(node, hardState.saved());
        node.campaignSoon(); // a process start: elect without waiting a whole timeout (RaftNode#campaignSoon)
        this.peers = new PeerDialer(nodeId, initial, transport, LOG);
        this.readies = new ReadyProcessor(new ReadyProcessor.Parts(node, log, stateMachine, transport, membershipFile,
            applier, snapshots, pending, hardState, syncer, peers, config.durability(), trace));
        this.nextTickNs = now + tickNs;
        peers.sync(node); // members added before a restart are dialled before the first message leaves
        publishStatus(false);
        LOG.info("raft node {} recovered: {} log [{}, {}], {}", nodeId, hardState.saved(), log.firstIndex(),
            log.lastIndex(), node.membership());
    }

    /** The ids of {@code m}'s members but {@code self}. */
    private static long[] otherMembers(Membership m, long self) {
        return m.members().stream().mapToLong(Member::id).filter(id -> id != self).toArray();
    }

    private static Membership checkedVoters(MajorityConfig voters, long self) {
        Verify.argument(voters.contains(self), "voters must contain this node");
        return Membership.ofVoters(voters);
    }

    /**
     * Keeps snapshots in {@code store}: taken every {@code snapshotIntervalEntries} applied entries, and the one a
     * leader sends is the store's {@link SnapshotStore#latest}. Before {@link #start} (or the first doWork).
     */
    public synchronized void setSnapshotStore(SnapshotStore store) {
        Verify.state(!runner.started() && !stopped, "the snapshot store is set before the agent starts");
        snapshots.useStore(store);
    }

    /**
     * Asks for a snapshot at the next duty cycle, whatever the interval (e.g. before retention wants to delete
     * segments, docs/snapshots.md rule 2); nothing happens without a store or when nothing was applied since the
     * last one. Any thread.
     */
    public void requestSnapshot() {
        input.addCommand(snapshots::request);
        runner.wake();
    }

    /**
     * Tells {@code observer} the duration in nanoseconds of every log sync from now on (metrics: an fsync latency
     * histogram), on the thread that synced (the log syncer's or the agent's, under the sync lock): it must be cheap
     * and must not block. Any thread.
     */
    public void setSyncObserver(LongConsumer observer) {
        syncer.observe(observer);
    }

    /**
     * Tells {@code observer}, for every proposal committed from now on, the nanoseconds from its {@link #propose}
     * call to its commit callback as this leader sees it (metrics: a proposal latency histogram), on the applying
     * thread just before the callback: it must be cheap and must not block. Any thread.
     */
    public void setProposalLatencyObserver(LongConsumer observer) {
        pending.observeLatency(observer);
    }

    /**
     * Tells {@code observer} the number of entries of every AppendEntries this node sends from now on (heartbeat-like
     * empty ones: 0), on the agent thread: it must be cheap and must not block. Any thread.
     */
    public void setAppendObserver(LongConsumer observer) {
        readies.observeAppends(observer);
    }

    /** Snapshots this node installed from a leader (a counter; any thread, racy). */
    public long snapshotsInstalled() {
        return snapshots.installs();
    }

    /** Snapshots taken by this agent (a counter; agent thread, racy elsewhere). */
    public long snapshotsTaken() {
        return snapshots.taken();
    }

    // ------------------------------------------------------------------------------------ any thread

    /** Inbound sink for the transport: queues {@code m}; false (counted) when the inbox is full. */
    @Override
    public boolean deliver(RaftMessage m) {
        trace.received(m);
        if (!input.offerMessage(m)) {
            return false;
        }
        runner.wake();
        return true;
    }

    /** Transport hint: nothing listens at {@code peerId}'s address; the core decides (see RaftNode#peerUnreachable). */
    @Override
    public void peerUnreachable(long peerId) {
        input.addCommand(() -> node.peerUnreachable(peerId));
        runner.wake();
    }

    /**
     * Proposes an entry ({@code type >= Entry.TYPE_APPLICATION_MIN}; the payload is handed over and must not be
     * mutated). {@code callback} runs once: committed, or failed with a {@link ProposalException}. Any thread.
     */
    public void propose(int type, byte[] payload, ProposalCallback callback) {
        Verify.argument(type >= Entry.TYPE_APPLICATION_MIN, "application entry types start at 16");
        long now = clock.nanoTime();
        Proposal p = new Proposal(type, payload, callback, now,
            now + TimeUnit.MILLISECONDS.toNanos(config.proposalTimeoutMs()));
        if (!runner.running() && runner.started() || stopped) {
            pending.fail(p, new ProposalRejectedException(ProposalRejectedException.Reason.STOPPED));
            return;
        }
        if (!input.offerProposal(p)) {
            pending.fail(p, new ProposalRejectedException(ProposalRejectedException.Reason.QUEUE_FULL));
            return;
        }
        if (stopped) { // raced with the agent's exit: nobody else will drain the queue now
            failQueued(new ProposalRejectedException(ProposalRejectedException.Reason.STOPPED));
            return;
        }
        runner.wake();
    }

    /** As {@link #propose(int, byte[], ProposalCallback)}; the future completes with the committed index. */
    public CompletableFuture<Long> propose(int type, byte[] payload) {
        IndexFuture f = new IndexFuture();
        propose(type, payload, f);
        return f;
    }

    /** Asks this node, if leader, to hand leadership to {@code target}; the future says whether it started. */
    public CompletableFuture<TransferResult> transferLeadership(long target) {
        CompletableFuture<TransferResult> f = new CompletableFuture<>();
        input.addCommand(() -> f.complete(node.transferLeadership(target)));
        runner.wake();
        return f;
    }

    /**
     * Proposes one single-server membership change; the future completes with the index of its CONFIG entry once
     * that entry is applied here, or fails with a {@link ProposalException} (see
     * {@link ProposalRejectedException.Reason} for the membership refusals). Any thread.
     */
    public CompletableFuture<Long> proposeMembership(MembershipChange change) {
        IndexFuture f = new IndexFuture();
        long now = clock.nanoTime();
        Proposal p = new Proposal(Entry.TYPE_CONFIG, new byte[0], f, now,
            now + TimeUnit.MILLISECONDS.toNanos(config.proposalTimeoutMs()));
        if (stopped) {
            pending.fail(p, new ProposalRejectedException(ProposalRejectedException.Reason.STOPPED));
            return f;
        }
        input.addCommand(() -> pending.proposed(p, node.proposeMembership(change)));
        runner.wake();
        return f;
    }

    /**
     * The encoded membership in effect at {@code index}, for a snapshot taken at that index. Agent thread only
     * (snapshots are taken there); any index from the state machine's applied index on.
     */
    public byte[] membershipAt(long index) {
        return node.membershipAt(index).encode();
    }

    /** The latest published status. Any thread. */
    public RaftStatus status() {
        return status;
    }

    /**
     * Tells {@code listener} the new status after each duty cycle that changed the role, term, leader or failure
     * of this node, or the term of the last applied entry (a new leader becomes ready once it applied an entry of
     * its own term): rarely, not per entry, so a watcher need not poll {@link #status}. It runs on the agent
     * thread and must only hand off (set a flag, wake a thread); one that throws is logged and counted, not
     * retried. A listener added while the agent runs hears only later changes: read {@link #status} once after
     * adding it. Any thread.
     */
    public void addRoleListener(Consumer<RaftStatus> listener) {
        roleListeners.add(listener);
    }

    /**
     * While this node leads: each follower's match index and how long it has been silent; empty otherwise. Any
     * thread (sampled once per duty cycle).
     */
    public List<FollowerProgress> followers() {
        return followers.snapshot(clock.nanoTime());
    }

    /**
     * Runs {@code task} on the agent thread between two duty cycles (at the start of the next one, with the control
     * commands), for work that must not race the log or the state machine (retention compacting the log). A task
     * that throws stops the node like any failure of the cycle, so a task catches what it can handle itself. Any
     * thread; a task handed over after the agent stopped never runs.
     */
    public void runOnAgentThread(Runnable task) {
        input.addCommand(task);
        runner.wake();
    }

    /** Inbound messages dropped because the inbox was full. */
    public long inboxDropped() {
        return input.inboxDropped();
    }

    // ----------------------------------------------------------------------------------- duty cycle

    /**
     * One duty cycle (see the class javadoc). Returns the amount of work done, 0 when there was nothing to do.
     * Agent thread only (or the test driving the agent by hand).
     */
    public int doWork() {
        long now = clock.nanoTime();
        node.observeWallClock(wallClock.getAsLong());
        int work = input.runCommands();
        work += takeDurability();
        work += input.drainInbox(node::step);
        work += tick(now);
        work += takeProposals(now);
        if (node.hasReady()) {
            processReady(now);
            work++;
            if (syncHereWhenIdle() > 0 && node.hasReady()) {
                processReady(now); // the report released acknowledgements: they leave before the apply slice
            }
        }
        repair.afterReady(node, log);
        work += applier.slice(node);
        snapshots.maybeTake(applier.appliedIndex());
        work += pending.expire(now, config.proposalTimeoutMs());
        hardState.maybeSaveCommit(now, node.durableIndex());
        work += syncLog();
        followers.observe(node, now);
        if (trace.on()) {
            trace.upTo("commit", node.commitIndex());
            trace.upTo("apply", applier.appliedIndex());
        }
        if (stopping && (node.role() != Role.LEADER || now >= stopDeadlineNs)) {
            runner.stopRunning();
        }
        publishStatus(false);
        return work;
    }

    /** Whether this member is repairing: it lost data and grants no votes until it caught up. Any thread. */
    public boolean repairing() {
        return repair.repairing();
    }

    private void processReady(long now) {
        // committed entries only once the previous batch is applied: the backlog stays one batch long
        readies.process(applier.idle() ? node.ready() : node.ready(0), now);
    }

    /**
     * Right after a Ready wrote entries, with nothing else to do (no input waiting; on a leader also nothing to
     * apply, whose answers must not wait for this sync), this thread syncs them itself and reports at once: no
     * hand-off to the syncer thread and back (docs/raft-driver.md, "Idle and hand-offs"). Returns 1 if it synced.
     */
    private int syncHereWhenIdle() {
        if (config.durability() != DurabilityMode.QUORUM_FSYNC || !syncer.started() || !syncer.behind()
            || input.waiting() || node.role() == Role.LEADER && !applier.idle() || syncer.syncIfFree() == 0) {
            return 0;
        }
        takeDurability();
        return 1;
    }

    /**
     * The end of a cycle: writes not synced yet go to the log syncer's thread, which syncs them while the next
     * cycles step. Driven by hand (no syncer thread): the sync runs here, reported at the next cycle.
     */
    private int syncLog() {
        if (config.durability() != DurabilityMode.QUORUM_FSYNC || syncByHand) {
            return 0;
        }
        if (!syncer.started()) {
            return syncer.syncOnce();
        }
        syncer.handOff();
        return 0;
    }

    /** Hands the log syncer's newest report to the core (its entry is durable); throws the syncer's failure. */
    private int takeDurability() {
        LogSyncer.Mark m = syncer.takeReport();
        if (m == null) {
            return 0;
        }
        node.persisted(m.index(), m.term());
        trace.upTo("durable", m.index());
        return 1;
    }

    /**
     * Tests: the log syncer no longer runs inside {@link #doWork()}; the test runs it with {@link #logSyncer()},
     * which lets it hold syncs back. Before the first doWork, and never with {@link #start()}.
     */
    void syncLogByHand() {
        Verify.state(!runner.started(), "sync by hand only when the test drives the agent");
        syncByHand = true;
    }

    LogSyncer logSyncer() {
        return syncer;
    }

    /** Ticks once per elapsed tick, at most twice per cycle: time lost to a stall is not replayed. */
    private int tick(long now) {
        if (now < nextTickNs) {
            return 0;
        }
        long behind = (now - nextTickNs) / tickNs;
        int ticks = behind >= 2 ? 2 : (int) behind + 1;
        nextTickNs = behind >= 2 ? now + tickNs : nextTickNs + ticks * tickNs;
        for (int i = 0; i < ticks; i++) {
            node.tick();
        }
        return ticks;
    }

    private int takeProposals(long now) {
        return input.drainProposals(p -> take(p, now));
    }

    private void take(Proposal p, long now) {
        if (now - p.deadlineNs >= 0) {
            pending.fail(p, new ProposalTimeoutException(config.proposalTimeoutMs()));
            return;
        }
        pending.proposed(p, node.propose(p.type, p.payload));
        if (trace.on() && p.index > 0) {
            trace.taken(p.index, p.deadlineNs - TimeUnit.MILLISECONDS.toNanos(config.proposalTimeoutMs()), now);
        }
    }

    private void publishStatus(boolean failed) {
        RaftStatus s = status;
        if (s == null || s.role() != node.role() || s.term() != node.term() || s.leaderId() != node.leaderId()
            || s.commitIndex() != node.commitIndex() || s.lastIndex() != node.lastIndex()
            || s.appliedIndex() != applier.appliedIndex() || s.failed() != failed
            || s.membership() != node.membership()
            || !s.elections().matches(node.preVotes(), node.electionsStarted(), node.electionsWon())) {
            status = new RaftStatus(nodeId, node.role(), node.term(), node.leaderId(), node.commitIndex(),
                node.lastIndex(), applier.appliedIndex(), failed, node.membership(),
                new ElectionCounts(node.preVotes(), node.electionsStarted(), node.electionsWon()));
        }
        roleListeners.publish(status, applier.appliedTerm(), LOG);
    }

    // ---------------------------------------------------------------------------------- lifecycle

    /** The wall clock stamped on the entries this node creates as leader (default: the system's). Before start. */
    public void useWallClock(LongSupplier clockMs) {
        Verify.state(!runner.started(), "wall clock set after start");
        wallClock = clockMs;
    }

    /**
     * Starts the agent thread (and, in quorum-fsync mode, the log syncer's thread). Call once; afterwards never
     * call {@link #doWork()} directly.
     */
    public synchronized void start() {
        Verify.state(!runner.started() && !stopped, "agent already started or stopped");
        Verify.state(!syncByHand, "the log is synced by hand: drive the agent by hand too");
        if (config.durability() == DurabilityMode.QUORUM_FSYNC) {
            syncer.start(nodeId);
        }
        runner.start("raft-agent-" + nodeId);
    }

    /**
     * Log syncs and AppendEntries sent so far (diagnostics: entries per AppendEntries shows whether batching holds
     * up with the agent no longer waiting for its fsync). Any thread, racy.
     */
    public AgentStats stats() {
        return new AgentStats(syncer.syncs(), syncer.syncNanos(), readies.appendsSent(), readies.appendEntriesSent(),
            pending.accepted());
    }

    /** Agent thread, after the loop: save a pending commit (when stopping cleanly) and fail what is left. */
    private void finish() {
        syncer.stop(); // its sync in flight finishes first
        if (stopping && !status.failed()) {
            try {
                finalSync();
            } catch (RuntimeException e) { // boundary: unsynced entries were never acknowledged by this node
                LOG.warn("raft node {}: final log sync failed", nodeId, e);
            }
            try {
                applier.all(node);
            } catch (RuntimeException e) { // boundary: unapplied entries are replayed from the log at restart
                LOG.warn("raft node {}: applying the backlog at stop failed", nodeId, e);
            }
            try {
                hardState.saveUnsavedCommit(clock.nanoTime(), node.durableIndex());
            } catch (RuntimeException e) { // boundary: the node stops anyway; a lower saved commit is safe
                LOG.warn("raft node {}: final hard state save failed", nodeId, e);
            }
        }
        if (membershipFile != null) {
            try {
                membershipFile.close();
            } catch (RuntimeException e) { // boundary: every record was synced before its log write
                LOG.warn("raft node {}: closing the membership file failed", nodeId, e);
            }
        }
        failAllWaiting();
        stopped = true;
    }

    /** Graceful stop: the last writes are synced and reported, so the commit index saved may cover them. */
    private void finalSync() {
        if (config.durability() == DurabilityMode.QUORUM_FSYNC && !syncByHand && syncer.failure() == null) {
            syncer.syncOnce();
            takeDurability();
        }
    }

    private void failAllWaiting() {
        ProposalRejectedException stoppedErr = new ProposalRejectedException(ProposalRejectedException.Reason.STOPPED);
        pending.failAll(stoppedErr);
        failQueued(stoppedErr);
    }

    private void failQueued(ProposalException cause) {
        for (Proposal p = input.pollProposal(); p != null; p = input.pollProposal()) {
            pending.fail(p, cause);
        }
    }

    /**
     * Graceful stop: a leader first hands leadership to another voter (waiting at most
     * {@code stopTransferTimeoutMs}), then the thread exits after saving its hard state. Blocks until stopped.
     * The transport stays open (its owner closes it).
     */
    @Override
    public void close() {
        if (!runner.started()) {
            stopping = true;
            finish();
            return;
        }
        input.addCommand(this::beginStop);
        runner.wake();
        runner.join();
    }

    private void beginStop() {
        stopping = true;
        stopDeadlineNs = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.stopTransferTimeoutMs());
        long target = 0;
        for (Member m : node.membership().voters()) {
            if (m.id() != nodeId) {
                target = m.id();
                break;
            }
        }
        if (node.role() == Role.LEADER && target != 0) {
            TransferResult r = node.transferLeadership(target);
            LOG.info("raft node {} stopping: leadership transfer to {}: {}", nodeId, target, r);
        }
    }

    /**
     * Abrupt stop, as if the process died: no leadership transfer, no final save. Blocks until the thread exits.
     */
    public void halt() {
        if (!runner.started()) {
            runner.stopRunning();
            failAllWaiting();
            stopped = true;
            return;
        }
        runner.halt();
    }

    /** The agent thread's view of this agent, for {@link AgentRunner}. */
    private final class Duty implements AgentRunner.Duty {
        @Override
        public int doWork() {
            return RaftAgent.this.doWork();
        }

        @Override
        public long idleWaitNanos() {
            if (input.waiting() || !applier.idle()
                || syncer.reportWaiting()) {
                return 0;
            }
            return nextTickNs - clock.nanoTime();
        }

        @Override
        public void onFailure(Throwable t) { // thread boundary: log, count, stop the node
            LOG.error("raft node {} failed; stopping it", nodeId, t);
            publishStatus(true);
        }

        @Override
        public void onExit() {
            finish();
        }
    }
}
