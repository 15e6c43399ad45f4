package io.raftmq.broker;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.RaftGroupSecurity;
import io.raftmq.broker.config.RaftPeer;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.replication.BrokerStateMachine;
import io.raftmq.broker.replication.CommitLogRaftLog;
import io.raftmq.broker.snapshot.FileSnapshotStore;
import io.raftmq.broker.snapshot.SnapshotInfo;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.dispatch.DispatchConfig;
import io.raftmq.commitlog.error.CorruptLogException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.recovery.RecoveryLoss;
import io.raftmq.commitlog.recovery.RecoveryPolicy;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.store.MessageStoreConfig;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.raft.core.RaftConfig;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.driver.AgentInbox;
import io.raftmq.raft.driver.MembershipFile;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftAgentConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.state.FileHardStateStore;
import io.raftmq.raft.state.FileRepairStateStore;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.RepairState;
import io.raftmq.raft.statemachine.StateMachine;
import io.raftmq.raft.transport.netty.NettyTransport;
import io.raftmq.raft.transport.netty.NettyTransportConfig;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Builds the storage and consensus half of a broker from its {@link BrokerConfig}, in three steps so that the member
 * binds before it touches its log: {@link #bind} (the Netty raft transport listening on this member's raft address,
 * the configured peers dialled, nothing sent), {@link #openStore} (the {@link MessageStore}: commit log with the
 * queue-offset stamper, ConsumeQueues, key index, under {@code <storePathRootDir>/store}) and {@link #startAgent} (the
 * {@link CommitLogRaftLog} over the same commit log, the {@link FileHardStateStore} under {@code raft/}, the peers,
 * then the {@link RaftAgent}).
 *
 * <p>One entry-type constant: message records are {@link EntryType#MESSAGE} for the broker, for the store's
 * dispatcher and stamper ({@link DispatchConfig#messageRecordType()}) and for the raft log (record type = entry
 * type); {@link #checkEntryTypes} verifies the three agree at startup.
 *
 * <p>Directory layout: {@code store/commitlog/} (log, raft index, checkpoint), {@code store/derived/}
 * (consumequeue, index, dispatch.checkpoint), {@code raft/} (hard state, and the repair state while repairing),
 * {@code raft-boundary}, {@code snapshot/} ({@link FileSnapshotStore}), {@code timer/} (the due-message index).
 *
 * <p>Lost data (docs/raft-driver.md, "Repair"): the store is opened verifying every record from the newest
 * snapshot's end (the whole log without one, {@link #recoveryPolicy}); damage inside the log is recorded in
 * {@code raft/repair} before the log is cut back, and with {@code raftInitialState=existing} a missing hard state is
 * recorded there too; the agent then starts repairing.
 */
final class RaftGroupNode {
    private static final Logger LOG = LoggerFactory.getLogger(RaftGroupNode.class);
    /** Recent entries kept by reference for replication and apply. */
    private static final int TAIL_CACHE_ENTRIES = 8192;
    /**
     * ... and at most this many bytes of them: an eighth of the heap, at most 64 MiB (8,192 entries of 32 KiB sends
     * held 256 MiB and ran a 160 MiB leader out of heap, docs/benchmarks.md "Memory under batch sends").
     */
    private static final long TAIL_CACHE_BYTES_MAX = Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 8);
    /** Derived-data sizes (smaller index files than RocketMQ's 5M slots / 20M entries: files are sparse anyway). */
    private static final int CONSUME_QUEUE_UNITS_PER_FILE = 300_000;
    private static final int INDEX_SLOTS = 500_000;
    private static final int INDEX_ENTRIES = 2_000_000;
    private static final long DISPATCH_CHECKPOINT_BYTES = 16L << 20;
    /** The dispatcher's checkpoint file in the derived-data directory (commitlog {@code Dispatcher}). */
    private static final String DISPATCH_CHECKPOINT_FILE = "dispatch.checkpoint";
    private static final long RECORD_HEADROOM_BYTES = 64 * 1024;
    /**
     * How far ahead of the writer the commit log zero-fills (fsync on zero-filled blocks costs about half of one on
     * a sparse file). Bounded well below a 1 GiB segment so a starting broker does not write a whole segment of
     * zeros before it serves: three members on one machine would otherwise write 3 GiB at start.
     */
    private static final long PREALLOCATE_AHEAD_BYTES_MAX = 64L << 20;
    private static final int APPEND_MESSAGES_MAX = 65_536;

    private final NettyTransport transport;
    private final AgentInbox inbox;
    private volatile RaftAgent agent;
    private volatile long recoveredIndex = -1;
    /** The raft log over the store's commit log, once {@link #startAgent} ran (retention compacts it). */
    private volatile CommitLogRaftLog raftLog;

    private RaftGroupNode(NettyTransport transport, AgentInbox inbox) {
        this.transport = transport;
        this.inbox = inbox;
    }

    /** Opens the message store (recovering it); the caller closes it. */
    static MessageStore openStore(BrokerConfig c) throws IOException {
        Path root = Path.of(c.storePathRootDir()).resolve("store");
        int recordMax = recordBytesMax(c);
        CommitLogConfig log = CommitLogConfig.builder(root.resolve("commitlog"))
            .segmentBytes(c.commitLogSegmentBytes()).recordBytesMax(recordMax).writeBufferBytes(Math.max(recordMax,
                4 << 20)).flushMode(FlushMode.ASYNC).flushIntervalMs(c.flushIntervalMs())
            .preallocateAheadBytes(Math.min(PREALLOCATE_AHEAD_BYTES_MAX, c.commitLogSegmentBytes())).build();
        DispatchConfig dispatch = new DispatchConfig(root.resolve("derived"), EntryType.MESSAGE,
            CONSUME_QUEUE_UNITS_PER_FILE, INDEX_SLOTS, INDEX_ENTRIES, DISPATCH_CHECKPOINT_BYTES, recordMax);
        Path raftDir = Path.of(c.storePathRootDir()).resolve("raft");
        RecoveryPolicy policy = recoveryPolicy(Path.of(c.storePathRootDir()).resolve("snapshot"),
            dispatch.directory().resolve(DISPATCH_CHECKPOINT_FILE), raftDir);
        MessageStore store = openVerifying(new MessageStoreConfig(log, dispatch, APPEND_MESSAGES_MAX), policy);
        checkEntryTypes(store);
        return store;
    }

    /**
     * Opens the store with {@code policy}; if a record below its verification start fails its check while the
     * store opens (the stamper and the dispatcher read from the dispatched position, which a cut-back or a rebuild
     * of the derived data can move below the start), opens it again verifying the whole log, so the damage is cut
     * back and recorded for repair as it would have been without a start.
     */
    static MessageStore openVerifying(MessageStoreConfig config, RecoveryPolicy policy) throws IOException {
        try {
            return MessageStore.open(config, policy);
        } catch (CorruptLogException e) {
            if (policy.verifyFrom() == null) {
                throw e;
            }
            LOG.warn("a record below the verification start failed its check while the store opened ({});"
                + " opening it again, verifying the whole commit log", e.getMessage());
            return MessageStore.open(config, new RecoveryPolicy(true, policy.onLoss()));
        }
    }

    /**
     * How the commit log is checked at open: every record from where the newest snapshot's entry ends (the start
     * restores that snapshot and replays only what follows it) or from the dispatcher's checkpoint if lower, every
     * record of the log without either ({@link SnapshotVerifyStart}); damage found is recorded for repair before the
     * log is cut back ({@link #recordLoss}). Records below the start are checked when read (docs/storage.md,
     * "CommitLog recovery").
     */
    static RecoveryPolicy recoveryPolicy(Path snapshotDir, Path dispatchCheckpoint, Path raftDir) {
        RecoveryPolicy.LossListener onLoss = loss -> recordLoss(raftDir, loss);
        RecoveryPolicy.VerifyStart start = SnapshotVerifyStart.find(snapshotDir, dispatchCheckpoint);
        if (start == null) {
            LOG.info("no snapshot with a log position and a dispatch checkpoint: verifying the whole commit log");
            return new RecoveryPolicy(true, onLoss);
        }
        LOG.info("verifying the commit log from entry {} at position {} (the newest snapshot's end or the dispatch"
            + " checkpoint)", start.index(), start.position());
        return RecoveryPolicy.verifyFrom(start, onLoss);
    }

    /**
     * Before the commit log is cut back past damage: this member may have acknowledged what it loses, so it must
     * repair before it votes again. What it acknowledged reaches at least the highest index seen behind the damage
     * and its saved commit index.
     */
    static void recordLoss(Path raftDir, RecoveryLoss loss) {
        FileRepairStateStore repair = new FileRepairStateStore(raftDir);
        HardState hs = new FileHardStateStore(raftDir).load();
        long acked = Math.max(Math.max(0, loss.highestIndexSeen()), hs.commitIndex());
        RepairState s = new RepairState(RepairState.Reason.LOG_DAMAGED, acked, loss.firstLostIndex())
            .merge(repair.load());
        repair.save(s);
    }

    /**
     * With {@code raftInitialState=existing}, a member without a hard state file lost its raft state: it records
     * that it must repair (unless it already does).
     */
    static FileRepairStateStore repairStore(BrokerConfig c, FileHardStateStore hs) {
        FileRepairStateStore repair = new FileRepairStateStore(Path.of(c.storePathRootDir()).resolve("raft"));
        if (c.joinsExistingGroup() && !Files.exists(hs.file()) && repair.load() == null) {
            repair.save(new RepairState(RepairState.Reason.STATE_MISSING, 0, -1));
        }
        return repair;
    }

    /** The largest record: one send of messageSizeMax (plus headers) or a full send batch. */
    static int recordBytesMax(BrokerConfig c) {
        long max = Math.max((long) c.messageSizeMax() + RECORD_HEADROOM_BYTES,
            (long) c.sendBatchBytesMax() + RECORD_HEADROOM_BYTES);
        return (int) Math.min(max, c.commitLogSegmentBytes());
    }

    /** The broker, the store's dispatcher/stamper and the raft log must agree on the message record type. */
    static void checkEntryTypes(MessageStore store) {
        Verify.state(store.config().dispatch().messageRecordType() == EntryType.MESSAGE,
            "store message record type differs from EntryType.MESSAGE", store.config().dispatch().messageRecordType(),
            EntryType.MESSAGE);
        Verify.state(EntryType.MESSAGE >= Entry.TYPE_APPLICATION_MIN, "MESSAGE must be an application entry type",
            EntryType.MESSAGE, Entry.TYPE_APPLICATION_MIN);
        Verify.state(EntryType.RAFT_INTERNAL_MAX + 1 == Entry.TYPE_APPLICATION_MIN, "raft-reserved types differ",
            EntryType.RAFT_INTERNAL_MAX, Entry.TYPE_APPLICATION_MIN);
    }

    /**
     * Binds this member's Raft port and dials the configured peers at once, so the connections are up (and the
     * transport's codec warmed up, {@code CodecWarmUp}) while the log recovers and the agent's first pre-votes leave
     * on them (docs/raft-driver.md "Faster at start"); no message leaves until {@link #startAgent}, which drops the
     * peers the recovered configuration no longer names. Of what peers send meanwhile only their vote requests are
     * kept ({@link AgentInbox}), the rest is dropped (Raft retries it). Touches no file.
     *
     * @throws BrokerBindException the Raft port cannot be bound (the transport is closed again)
     */
    static RaftGroupNode bind(BrokerConfig c) throws BrokerBindException {
        RaftPeer self = c.raftSelf();
        NettyTransport transport = new NettyTransport(NettyTransportConfig.defaults(self.nodeId(),
            new InetSocketAddress(self.host(), self.port())));
        AgentInbox inbox = new AgentInbox();
        transport.secure(RaftGroupSecurity.of(c)); // checked at load: BrokerConfigValidator
        try {
            transport.start(inbox);
        } catch (Exception e) { // TransportException, or the BindException that Netty's sync() rethrows undeclared
            transport.close();
            throw new BrokerBindException(self.host(), self.port(), "raft port", e);
        }
        for (RaftPeer p : c.otherPeers()) {
            transport.addPeer(p.nodeId(), new InetSocketAddress(p.host(), p.port()));
        }
        return new RaftGroupNode(transport, inbox);
    }

    /**
     * Opens the raft side over an open store, restores the state machine from the newest usable snapshot
     * ({@link #recover}: only the entries after it are replayed), drops the peers dialled at {@link #bind} that the
     * recovered configuration no longer names and starts the agent, which takes
     * snapshots into {@code snapshots}. Time (election timer, random seed, timestamps of raft's own entries) comes
     * from {@code clock}.
     *
     * @throws IllegalStateException the log starts after index 1 and no snapshot covers the entries before it
     */
    RaftAgent startAgent(BrokerConfig c, MessageStore store, FileSnapshotStore snapshots, StateMachineFactory sm,
                         Clock clock) {
        Verify.state(agent == null, "raft agent already started");
        Path root = Path.of(c.storePathRootDir());
        CommitLogRaftLog log = new CommitLogRaftLog(store, root.resolve("raft-boundary"), clock::wallMillis,
            TAIL_CACHE_ENTRIES, TAIL_CACHE_BYTES_MAX);
        FileHardStateStore hs = new FileHardStateStore(root.resolve("raft"));
        FileRepairStateStore repair = repairStore(c, hs);
        BrokerStateMachine machine = sm.create(log.firstIndex() - 1);
        log.installPositions(machine.logPositionPart());
        log.coverDamagedReadsBySnapshot(() -> {
            SnapshotInfo point = snapshots.compactionPoint(); // the snapshot a leader sends
            return point == null ? -1 : point.index();
        });
        long applied = recover(machine, snapshots, log);
        recoveredIndex = applied;
        RaftAgent a = new RaftAgent(agentConfig(c), initialMembership(c), new MembershipFile(root.resolve("raft")),
            log, hs, repair, machine, applied, transport, clock::nanoTime,
            new SplittableRandom(clock.nanoTime())::nextInt);
        a.setSnapshotStore(snapshots);
        Membership members = a.status().membership();
        for (RaftPeer p : c.otherPeers()) {
            if (!members.contains(p.nodeId())) { // a configured peer removed since: dialled at bind, dropped now
                transport.removePeer(p.nodeId());
            }
        }
        a.useWallClock(clock::wallMillis);
        inbox.attach(a);
        raftLog = log;
        agent = a;
        a.start();
        return a;
    }

    /**
     * Restores {@code machine} from the newest snapshot that is valid and lies within the log
     * ({@code [firstIndex - 1, lastIndex]}, of the log's term at its index), trying older ones after a damaged one
     * (WARN naming the file); without one the whole log is replayed. Returns the index the state now reflects.
     *
     * @throws IllegalStateException no snapshot is usable and the log does not start at index 1 (the state of the
     *                               entries before it is lost: the member must be wiped and caught up again)
     * @throws UncheckedIOException  the restore of a usable snapshot failed to write the derived data or the timer
     *                               index (a disk failure: the start fails, no older snapshot is tried)
     */
    static long recover(BrokerStateMachine machine, FileSnapshotStore snapshots, RaftLog log) {
        long first = log.firstIndex();
        long last = log.lastIndex();
        for (SnapshotInfo info : snapshots.newestFirst()) {
            if (info.index() < first - 1 || info.index() > last) {
                LOG.info("snapshot at index {} lies outside the log [{}, {}]: not used", info.index(), first, last);
                continue;
            }
            if (info.index() >= first && log.term(info.index()) != info.term()) {
                LOG.warn("snapshot at index {} has term {}, the log's entry has term {}: not used", info.index(),
                    info.term(), log.term(info.index()));
                continue;
            }
            FileSnapshotStore.Loaded loaded;
            try {
                loaded = snapshots.read(info);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                LOG.warn("snapshot at index {} cannot be read, trying an older one: {}", info.index(), e.toString());
                continue;
            }
            try {
                machine.recover(loaded.toRaftSnapshot());
            } catch (IllegalArgumentException e) {
                LOG.warn("snapshot at index {} cannot be used, trying an older one: {}", info.index(), e.toString());
                continue;
            }
            // machine.recover's I/O error (the derived data not written) is not caught: the disk failed, not the
            // snapshot, and the state machine holds the snapshot's index already; the start fails as on any disk
            // failure (docs/snapshots.md "Restore at start")
            LOG.info("restored the snapshot {} at index {}: replaying entries {} to {}", loaded.file(),
                info.index(), info.index() + 1, last);
            return info.index();
        }
        Verify.state(first <= 1, "no usable snapshot covers the entries before the log's first index: the state "
            + "they held is lost; wipe this member's storePathRootDir so that it is caught up again", first, last);
        machine.recoverWithoutSnapshot();
        LOG.info("no snapshot: replaying the whole log [{}, {}]", first, last);
        return first - 1;
    }

    /** The index the state machine was restored to at start (-1 before {@link #startAgent}). */
    long recoveredIndex() {
        return recoveredIndex;
    }

    /** The agent, once {@link #startAgent} ran (else null). Any thread. */
    RaftAgent agent() {
        return agent;
    }

    /** The raft log, once {@link #startAgent} ran (else null). Use it on the agent thread only. */
    CommitLogRaftLog raftLog() {
        return raftLog;
    }

    /** The bound transport. */
    NettyTransport transport() {
        return transport;
    }

    /**
     * The group's initial configuration: every raft peer a voter, with its raft address; a member joining an
     * existing group ({@code raftJoinExisting}) leaves itself out (it becomes a member when the leader adds it).
     */
    static Membership initialMembership(BrokerConfig c) {
        List<Member> voters = new ArrayList<>(c.raftPeers().size());
        for (RaftPeer p : c.raftPeers()) {
            if (!(c.raftJoinExisting() && p.id().equals(c.raftSelfId()))) {
                voters.add(new Member(p.nodeId(), p.address()));
            }
        }
        return Membership.of(voters, List.of());
    }

    static MajorityConfig voters(List<RaftPeer> peers) {
        long[] ids = new long[peers.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = peers.get(i).nodeId();
        }
        return MajorityConfig.of(ids);
    }

    /** Raft agent settings from the broker's: ticks, durability, commit timeout; limits from the raft defaults. */
    static RaftAgentConfig agentConfig(BrokerConfig c) {
        RaftAgentConfig d = RaftAgentConfig.defaults(c.raftSelf().nodeId());
        RaftConfig core = d.raft();
        int election = (int) (c.raftElectionTimeoutMs() / c.raftTickMs());
        int heartbeat = (int) (c.raftHeartbeatIntervalMs() / c.raftTickMs());
        RaftConfig rc = new RaftConfig(core.nodeId(), election, heartbeat, core.inflightAppendsMax(),
            core.batchBytesMax(), core.batchEntriesMax(), core.uncommittedEntriesMax(), core.checkQuorum(),
            core.preVote());
        return new RaftAgentConfig(rc, c.raftTickMs(), c.durability(), d.inboxMax(), d.proposalQueueMax(),
            d.proposalsPerCycleMax(), d.inboxPerCycleMax(), c.sendCommitTimeoutMs(), d.commitSaveIntervalMs(),
            d.stopTransferTimeoutMs()).withSnapshotIntervalEntries(c.snapshotIntervalEntries());
    }

    /** Builds the state machine (its parts registered) over the log starting after {@code appliedIndex}. */
    @FunctionalInterface
    interface StateMachineFactory {
        BrokerStateMachine create(long appliedIndex);
    }
}
