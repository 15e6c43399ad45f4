package io.raftmq.broker.sim;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.metadata.MetadataStateMachine;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.replication.BrokerStateMachine;
import io.raftmq.broker.replication.CommitLogRaftLog;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.broker.retention.RetentionService;
import io.raftmq.broker.snapshot.FileSnapshotStore;
import io.raftmq.broker.lock.QueueLockTable;
import io.raftmq.broker.schedule.DueMessages;
import io.raftmq.broker.transaction.TransactionFeature;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.store.StoreReadConfig;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.dispatch.DispatchConfig;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.FaultyMemoryStorage;
import io.raftmq.commitlog.recovery.RecoveryPolicy;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.store.MessageStoreConfig;
import io.raftmq.raft.core.RaftConfig;
import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.core.Ready;
import io.raftmq.raft.core.membership.ConfigHistory;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.MemoryHardStateStore;
import io.raftmq.raft.state.MemoryRepairStateStore;
import io.raftmq.raft.state.RepairState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * One simulated broker member: its disk (a {@link FaultyMemoryStorage} holding every file of its store, and a
 * hard state store), and, while it runs, the real broker objects a member builds in {@code RaftGroupNode} and
 * {@code BrokerController}: the {@link MessageStore} (commit log with the queue-offset stamper, ConsumeQueues, key
 * index, dispatcher) opened with a whole-log recovery check, the {@link CommitLogRaftLog} over it, the
 * {@link BrokerStateMachine} with its metadata managers, a {@link RaftNode} over that log and the
 * {@link SendBatcher}, which proposes through {@link SimProposals}. No thread is started: the commit log flushes
 * by hand ({@link FlushMode#MANUAL}, the raft log's {@code sync}) and has no preallocator. Also the driver's
 * process state (the Ready being persisted, input queued meanwhile, the log syncer's marks), as in the raft
 * simulator's {@code SimNode}. Single thread.
 */
final class SimMember {
    static final int INBOX_MAX = 4096;
    /** Small files: the fault-injecting storage holds every file twice in memory (current and durable bytes). */
    static final long SEGMENT_BYTES = 256 * 1024;
    static final int RECORD_BYTES_MAX = 64 * 1024;
    static final int INDEX_UNITS_PER_SEGMENT = 4096;
    static final int CONSUME_QUEUE_UNITS_PER_FILE = 512;
    static final int INDEX_SLOTS = 1024;
    static final int INDEX_ENTRIES = 4096;
    static final long DISPATCH_CHECKPOINT_BYTES = 32 * 1024;
    static final int SEND_BATCH_BYTES_MAX = 16 * 1024;
    static final int SEND_BATCH_MESSAGES_MAX = 32;
    static final int SEND_INFLIGHT_ENTRIES_MAX = 4;
    static final int SEND_PENDING_MAX = 512;
    static final long COMMIT_TIMEOUT_MS = 2_000;
    private static final int TAIL_CACHE_ENTRIES = 64;

    final int id;
    private final long[] voters;
    /**
     * The run changes the membership ({@link SimMembership}): at each start the node's configurations are recovered
     * from its snapshot and the CONFIG entries of its log, as the agent's membership file reconciles them.
     */
    private final boolean membershipChanges;
    /** The membership of the snapshot the last start restored from (empty: the initial configuration). */
    byte[] restoredMembership = new byte[0];
    /** Commit-log segment size: {@link #SEGMENT_BYTES}, or {@link SimSnapshots#SEGMENT_BYTES} with snapshots on. */
    private final long segmentBytes;
    /** Snapshots and retention are on for this run ({@link SimSnapshots}). */
    private final SimSnapshots snapshotting;
    private final SimClock clock;
    /** Every file of this member's store lives here; a crash keeps only what was forced. */
    final FaultyMemoryStorage storage = new FaultyMemoryStorage();
    /** Replaced by a fresh one when an operator wipes the member ({@link #wipe}). */
    MemoryHardStateStore hardStateStore = new MemoryHardStateStore();
    /** The member's durable repair state (the broker's {@code raft/repair} file, docs/raft-driver.md "Repair"). */
    final MemoryRepairStateStore repairStore = new MemoryRepairStateStore();
    /** The node was started repairing and the driver has not yet seen it leave repair mode. */
    boolean repairing;
    private final Path root;
    private final Path boundaryDir;

    // ---- the running process (null while down) ----
    MessageStore store;
    CommitLogRaftLog log;
    BrokerStateMachine stateMachine;
    RaftNode raft;
    SendBatcher batcher;
    SimProposals proposals;
    /** The member's consumer offsets (the real manager, proposing through {@link SimMetadataProposer}). */
    ConsumerOffsetManager offsets;
    /** The member's topic table (the real manager, proposing through {@link SimMetadataProposer}). */
    TopicConfigManager topics;
    /** The member's subscription groups (the real manager; groups are auto-created). */
    SubscriptionGroupManager groups;
    /** The broker's read path over the store, as PULL_MESSAGE serves it. */
    BrokerStore view;
    /**
     * The due-message engine (delay levels and timers, docs/messaging.md): its state and index, fed by the log
     * replay; its index files live in a real directory ({@code boundaryDir/timer}), wiped at every start without a
     * snapshot, cut back to the snapshot's counts at a start from one.
     */
    DueMessages due;
    /** Transactions (docs/messaging.md): the pending halves, fed by the log replay, and the half route. */
    TransactionFeature transactions;
    /** The replicated queue-lock table (docs/messaging.md "Ordered consumption"), fed by the log replay. */
    QueueLockTable locks;
    /** The member's snapshots on its disk (null when the run has snapshots off, or while down). */
    FileSnapshotStore snapshots;
    /** The member's retention (null when the run has snapshots off, or while down). */
    RetentionService retention;
    /** The request processors and the clients' connection (built by the driver once the member started). */
    SimEndpoint endpoint;
    boolean up;
    /** The highest commit index this member's raft node reported, in any incarnation. */
    long commitKnown;
    /** Bumped on every crash: events of an earlier incarnation are void. */
    int incarnation;
    /** Damage inside the log that recovery reported at the last open (never expected here), else null. */
    String recoveryLoss;
    /** Extra latency of this member's fsyncs while its disk is slow ({@link SimDiskFaults}), else 0. */
    int slowSyncMs;
    /** A file of this member was damaged at rest while it was down ({@link SimDiskFaults#maybeDamage}). */
    boolean damagedAtRest;
    /** The member met a disk fault ({@link SimDiskFaults}) since it last started: it may fail. */
    boolean diskFaulted;

    // ---- the driver ----
    /** The Ready being persisted, null when idle. */
    Ready pending;
    final ArrayDeque<RaftMessage> inbox = new ArrayDeque<>();
    int pendingTicks;
    long writeGeneration;
    long writeIndex;
    long writeTerm;
    long syncedGeneration;
    long syncedIndex;
    long syncedTerm;
    long reportedGeneration;
    boolean syncInFlight;

    /**
     * @param boundaryDir  a real directory (the due-message index; the raft log's snapshot and compaction boundary
     *                     files are on the member's simulated disk, {@code MessageStore.derivedStorage})
     * @param snapshotting the run's snapshots and retention, or null when they are off
     */
    SimMember(int id, long[] voters, SimClock clock, Path boundaryDir, SimSnapshots snapshotting,
              boolean membershipChanges) {
        this.id = id;
        this.voters = voters;
        this.membershipChanges = membershipChanges;
        this.clock = clock;
        this.snapshotting = snapshotting;
        this.segmentBytes = snapshotting != null ? SimSnapshots.SEGMENT_BYTES : SEGMENT_BYTES;
        this.root = Path.of("/sim/n" + id);
        this.boundaryDir = boundaryDir;
    }

    /**
     * Starts the process: opens (recovers) the store from what the disk holds, replays the log into a fresh state
     * machine from index 1 (no snapshots in this slice), and builds the raft node from the saved hard state.
     */
    void open(SplittableRandom random) {
        recoveryLoss = null;
        RecoveryPolicy policy = new RecoveryPolicy(true, loss -> {
            recoveryLoss = loss.describe();
            // as RaftGroupNode.recordLoss: what it acknowledged reaches the highest index behind the damage and
            // its saved commit index
            long acked = Math.max(Math.max(0, loss.highestIndexSeen()), hardStateStore.load().commitIndex());
            repairStore.save(new RepairState(RepairState.Reason.LOG_DAMAGED, acked, loss.firstLostIndex())
                .merge(repairStore.load()));
        });
        try {
            store = MessageStore.open(storeConfig(), storage, storage, policy);
        } catch (IOException e) {
            throw new UncheckedIOException("member " + id + ": store open failed", e);
        }
        log = new CommitLogRaftLog(store, root.resolve("raft-boundary"), clock::wallMillis,
            TAIL_CACHE_ENTRIES);
        SimMetadataProposer metadataProposer = new SimMetadataProposer(this);
        topics = new TopicConfigManager(metadataProposer, clock::wallMillis, false, 4);
        groups = new SubscriptionGroupManager(metadataProposer, clock::wallMillis, true);
        offsets = new ConsumerOffsetManager(metadataProposer, 1000, 64, 1024, 4);
        stateMachine = new BrokerStateMachine(store, new MetadataStateMachine(topics, groups, offsets),
            log.firstIndex() - 1);
        log.installPositions(stateMachine.logPositionPart());
        try {
            due = DueMessages.open(boundaryDir.resolve("timer"), SimEndpoint.CONFIG.messageDelayLevel(),
                store.commitLog());
        } catch (IOException e) {
            throw new UncheckedIOException("member " + id + ": timer index open failed", e);
        }
        due.register(stateMachine);
        transactions = new TransactionFeature();
        transactions.register(stateMachine);
        locks = new QueueLockTable();
        stateMachine.register(EntryType.QUEUE_LOCK, locks);
        restoredMembership = new byte[0];
        long applied = restore();
        RaftConfig config = new RaftConfig(id, 10, 2, 4, 64 * 1024, 64, 256, true, true);
        HardState saved = hardStateStore.load();
        RepairState repair = repairState(saved);
        HardState starting = saved;
        if (repair != null) {
            long last = log.lastIndex();
            starting = RepairState.startingHardState(saved, last, last >= log.firstIndex() ? log.term(last) : 0);
        }
        FileSnapshotStore snaps = snapshots;
        raft = membershipChanges ? new RaftNode(config, configs(applied), log, starting, applied, random::nextInt,
            () -> snaps == null ? null : snaps.latest()) : new RaftNode(config, MajorityConfig.of(voters), log,
            starting, applied, random::nextInt, () -> snaps == null ? null : snaps.latest());
        repairing = repair != null;
        if (repair != null && repair.reason() == RepairState.Reason.STATE_MISSING && saved.term() == 0) {
            raft.startRepairWithUnknownTerm(repair.ackedIndexMin());
        } else if (repair != null) {
            raft.startRepair(repair.ackedIndexMin());
        }
        view = new BrokerStore(store, StoreReadConfig.defaults(), UnpooledByteBufAllocator.DEFAULT);
        proposals = new SimProposals(clock, COMMIT_TIMEOUT_MS);
        batcher = new SendBatcher(proposals, store.commitLog(), log.stampedOffsets(), node -> "n" + node,
            SEND_BATCH_BYTES_MAX, SEND_BATCH_MESSAGES_MAX, SEND_INFLIGHT_ENTRIES_MAX, SEND_PENDING_MAX,
            (long) SEND_BATCH_BYTES_MAX * (SEND_INFLIGHT_ENTRIES_MAX + 1), COMMIT_TIMEOUT_MS, clock);
        retention = snapshotting == null ? null : snapshotting.retention(this);
        up = true;
        pending = null;
        inbox.clear();
        pendingTicks = 0;
        writeGeneration = 0;
        syncedGeneration = 0;
        reportedGeneration = 0;
        syncInFlight = false;
    }

    /**
     * The state machine's start: from the newest usable snapshot when the run has them ({@link SimSnapshots#open}),
     * else the whole log replayed. Returns the index the state reflects.
     */
    private long restore() {
        if (snapshotting == null) {
            stateMachine.recoverWithoutSnapshot();
            return log.firstIndex() - 1;
        }
        return SimSnapshots.open(this);
    }

    /**
     * The node's configurations at start, as the agent's membership file reconciles them with the log
     * (docs/raft-driver.md "Membership"): the restored snapshot's (or the initial one), then one per CONFIG entry
     * of the log after it.
     */
    private ConfigHistory configs(long applied) {
        Membership initial = Membership.ofVoters(voters);
        ConfigHistory.Record base = new ConfigHistory.Record(applied >= log.firstIndex() - 1 && applied > 0
            && restoredMembership.length > 0 ? applied : 0, Membership.decode(restoredMembership, initial));
        List<ConfigHistory.Record> records = new ArrayList<>();
        for (long from = Math.max(base.index() + 1, log.firstIndex()); from <= log.lastIndex(); ) {
            List<Entry> entries = log.entries(from, log.lastIndex() + 1, 1 << 20);
            for (Entry e : entries) {
                if (e.type() == Entry.TYPE_CONFIG) {
                    records.add(new ConfigHistory.Record(e.index(), Membership.decode(e.payload())));
                }
            }
            from = entries.get(entries.size() - 1).index() + 1;
        }
        return ConfigHistory.recovered(initial, base, records);
    }

    /** As the raft agent's RepairTracker: the stored repair state, plus (saved first) a log behind its commit. */
    private RepairState repairState(HardState saved) {
        RepairState stored = repairStore.load();
        RepairState detected = RepairState.detect(saved, log.lastIndex());
        if (detected != null) {
            stored = detected.merge(stored);
            repairStore.save(stored);
        }
        return stored;
    }

    /** After a processed Ready, as the agent: once the node left repair mode, sync the log, clear the record. */
    void afterReady() {
        if (repairing && !raft.repairing()) {
            log.sync();
            repairStore.clear();
            repairing = false;
        }
    }

    /**
     * An operator wipes a member that refused to start: every file of its store and its raft state are gone; as a
     * broker with {@code raftInitialState=existing} and no hard state, it records that it must repair (its term and
     * vote unknown).
     */
    void wipe() {
        storage.deleteAll();
        hardStateStore = new MemoryHardStateStore();
        repairStore.save(new RepairState(RepairState.Reason.STATE_MISSING, 0, -1));
    }

    /**
     * The process dies: nothing is closed or flushed (the commit log is closed as a kill leaves it), then the disk
     * loses every write that was not forced, keeping a random prefix of the unforced bytes of each file when
     * {@code torn}. Proposals in flight are never answered.
     */
    void crash(Random random, boolean torn) {
        store.commitLog().closeAbruptly();
        storage.crash(random, torn);
        stop();
    }

    /**
     * The process exits after its store or raft node failed (an I/O error): nothing is flushed or closed, but the
     * disk keeps every write (no power loss). Proposals in flight are never answered. Also after a failed start.
     */
    void fail() {
        if (store != null) {
            store.commitLog().closeAbruptly();
        }
        stop();
    }

    private void stop() {
        if (endpoint != null) {
            endpoint.kill();
            endpoint = null;
        }
        if (due != null) {
            try {
                due.close(); // its open file channels only: the next start wipes the index and replays the log
            } catch (IOException e) {
                throw new UncheckedIOException("member " + id + ": timer index close failed", e);
            }
            due = null;
        }
        transactions = null;
        locks = null;
        snapshots = null;
        retention = null;
        up = false;
        incarnation++;
        pausedUntil = 0;
        stalledTasks.clear();
        pending = null;
        inbox.clear();
        pendingTicks = 0;
        store = null;
        log = null;
        stateMachine = null;
        raft = null;
        batcher = null;
        proposals = null;
        offsets = null;
        topics = null;
        groups = null;
        view = null;
    }

    /** The root of this member's files in its storage. */
    Path root() {
        return root;
    }

    MessageStoreConfig storeConfig() {
        CommitLogConfig logConfig = CommitLogConfig.builder(root.resolve("store/commitlog"))
            .segmentBytes(segmentBytes).recordBytesMax(RECORD_BYTES_MAX).writeBufferBytes(RECORD_BYTES_MAX)
            .indexUnitsPerSegment(INDEX_UNITS_PER_SEGMENT).flushMode(FlushMode.MANUAL).preallocateAheadBytes(0)
            .clock(clock).build();
        DispatchConfig dispatch = new DispatchConfig(root.resolve("store/derived"), EntryType.MESSAGE,
            CONSUME_QUEUE_UNITS_PER_FILE, INDEX_SLOTS, INDEX_ENTRIES, DISPATCH_CHECKPOINT_BYTES, RECORD_BYTES_MAX);
        return new MessageStoreConfig(logConfig, dispatch, 65_536);
    }

    /** The process is stalled (a long GC, SIGSTOP) until this simulated time. */
    long pausedUntil;
    /** Timer and executor tasks of this process that came due while it was stalled; they run when it resumes. */
    final ArrayDeque<Runnable> stalledTasks = new ArrayDeque<>();

    boolean paused() {
        return clock.nowMs() < pausedUntil;
    }

    /** Accepts input right now (running, not paused, no Ready in flight). */
    boolean idle() {
        return up && !paused() && pending == null;
    }

    void written(long index, long term) {
        writeGeneration++;
        writeIndex = index;
        writeTerm = term;
    }

    void synced(long generation, long index, long term) {
        syncedGeneration = generation;
        syncedIndex = index;
        syncedTerm = term;
    }

    String describe() {
        if (!up) {
            return "n" + id + ":down";
        }
        return "n" + id + ":" + raft.role() + "/t" + raft.term() + "/c" + raft.commitIndex() + "/l" + raft.lastIndex()
            + "/a" + stateMachine.appliedIndex() + "/d" + store.dispatchedIndex() + (pending != null ? "/busy" : "")
            + (paused() ? "/paused" : "") + (raft.repairing() ? "/repairing" : "") + "/" + proposals.describe();
    }
}
