package io.raftmq.broker;

import io.netty.buffer.PooledByteBufAllocator;
import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.clients.ConsumerIdsChangedNotifier;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.lock.QueueLockSnapshotPart;
import io.raftmq.broker.lock.QueueLockTable;
import io.raftmq.broker.metadata.MetadataStateMachine;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.metrics.MetricSources;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.processor.send.SendHold;
import io.raftmq.broker.replication.BrokerStateMachine;
import io.raftmq.broker.replication.LeaderReadiness;
import io.raftmq.broker.replication.MemberAddresses;
import io.raftmq.broker.replication.RaftMetadataProposer;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.broker.reply.ReplyPusher;
import io.raftmq.broker.retention.DiskUsage;
import io.raftmq.broker.retention.RetentionService;
import io.raftmq.broker.pop.PopFeature;
import io.raftmq.broker.pop.PopState;
import io.raftmq.broker.snapshot.FileSnapshotStore;
import io.raftmq.broker.snapshot.SnapshotCatalog;
import io.raftmq.broker.store.BrokerStats;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.transaction.TransactionFeature;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One broker process = one Raft member of a broker group: wires storage, consensus, the replicated control plane,
 * the send path and the RocketMQ remoting server, and takes them down again in reverse order.
 *
 * <pre>
 *  RemotingServer(listenHost:listenPort) --10/310/320--> SendMessageProcessor --> SendBatcher --propose--> RaftAgent
 *        |  (follower: LeaderForwarder --> leader)                                                     |
 *        +--34/35/..--> processors    --> managers --RaftMetadataProposer--> RaftAgent                 |
 *        +--11/361 PullMessageProcessor (held in HeldPullRequests), 29-33/12/202/208 StoreQueryProcessor  |
 *        +--222/307/309 ConsumerControlProcessor (offset reset; relays to a client)                          |
 *        +--46 ClientConfigCheckProcessor (SQL92 subscriptions, compiled once in SqlFilters, shared with pulls)  |
 *  RaftAgent --apply--> BrokerStateMachine: MESSAGE -> MessageStore.dispatchUpToIndex (+ wake held pulls),
 *                                           metadata -> managers
 *  role watchers (on each role change the agent reports, RoleWatchers): RoleRegistration -> NamingRegistrar
 *                                           (leader = brokerId 0), the queue locks' ReadyTime, SystemTopics
 *                                           (the trace and reply topics, docs/consumer-protocol.md "Message trace")
 * </pre>
 *
 * <p>Start order, bind first: scheduler and pools → remoting client → the ACL file loaded (if aclEnable; a bad file
 * fails the start, docs/security.md) → remoting server bound (every code answers 14
 * "starting", {@link ServingGate}) → metrics port bound ({@link MemberMetrics}, if any) → raft port bound
 * ({@link RaftGroupNode#bind}) → only then the store (recovery) → managers → raft agent (newest snapshot restored,
 * the log after it replayed; peers dialled) → send batcher → processors and held pulls → serving → registrar, offset
 * flushing, role watcher → retention ({@link RetentionService}, every cleanResourceInterval on the scheduler; its
 * deletions run on the raft agent thread) → consume-queue unit writes (every second on the agent thread: units held
 * in memory reach their files, docs/storage.md). A port that cannot be bound fails {@link #start} with a
 * {@link BrokerBindException} before the store is opened or a peer dialled.
 *
 * <p>Every started component is recorded in one {@link Lifecycle}; {@link #shutdown} stops them in reverse: role
 * watcher, offsets (final proposals), unregister from the NameServers, stop serving (14), held pulls, drain the
 * sends in flight (bounded wait, so their producers get SEND_OK), the raft agent (a leader hands leadership over and
 * fails what is left with 14), store, raft transport, server, client, pools. {@link #halt} runs the same list
 * without the graceful steps (no final proposals, no unregistering, no drain, no transfer).
 *
 * <p>Threads: sends run on the Netty I/O thread that read them (they never block: validation, encoding and a hand-off
 * to the {@link SendBatcher}, whose bounded queue answers SYSTEM_BUSY), {@code broker-ctl-N} (control-plane
 * processors), {@code broker-pull-N}, {@code broker-scheduler} (registrar, offsets, client expiry, role watcher),
 * plus the raft agent, commit log flusher and Netty threads. Time comes only from the {@link Clock}.
 *
 * <p>The wiring is delegated: {@link ClientPort} (remoting client and server, the gate, ACL), {@link FeatureInstallers}
 * (processors), {@link BackgroundServices} (periodic work), {@link RuntimeInfo} (the runtime-info rows),
 * {@link BrokerThreads}; this class keeps the order and the lifecycle.
 */
public final class BrokerController {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerController.class);
    private static final long DRAIN_WAIT_MS = 2000;
    private static final long NOTIFY_TIMEOUT_MS = 1000;

    private final BrokerConfig config;
    /** Broker addresses of the members: brokerPeers plus those replicated with added members. */
    private final MemberAddresses addresses;
    private final Clock clock;
    private final Lifecycle lifecycle = new Lifecycle();
    private ScheduledExecutorService scheduler;
    private BrokerThreads threads;
    private RemotingClient client;
    private RemotingServer server;
    private ServingGate gate;
    private volatile RaftGroupNode raft;
    private volatile MessageStore store;
    private BrokerStateMachine stateMachine;
    private volatile FileSnapshotStore snapshotStore;
    /** When this member may act as leader on replicated feature state (one for every leader-only service). */
    private LeaderReadiness readiness;
    private RaftMetadataProposer proposer;
    private volatile TopicConfigManager topics;
    private volatile SubscriptionGroupManager groups;
    private volatile ConsumerOffsetManager offsets;
    private volatile SendBatcher batcher;
    /** The processors' wiring (made when serving starts; the metrics read the forwarder and held pulls). */
    private volatile FeatureInstallers features;
    /** The /metrics endpoint (docs/metrics.md; inert when metricsPort is 0). */
    private volatile MemberMetrics metrics;
    private volatile SendHold hold;
    /** Leadership watchers, run when the raft agent reports a role change (and once a second). */
    private RoleWatchers roleWatchers;
    /** The periodic work on the scheduler (created once the raft port is bound). */
    private BackgroundServices background;
    private final TransactionFeature transactions = new TransactionFeature();
    private final ReplyPusher replies;
    private QueueLockTable locks;
    private final PopFeature pop = new PopFeature();
    private volatile boolean started;
    private boolean startCalled;
    /** Where retention learns how far the log may be compacted; null: the snapshot store. */
    private SnapshotCatalog snapshotCatalog;
    /** The store's file system usage; null: the real one of storePathRootDir. */
    private DiskUsage diskUsage;
    private volatile RetentionService retention;
    /** How long opening the store and raft took (recovery, snapshot restore, log replay); -1 until done. */
    private volatile long recoveryNanos = -1;

    /** A member on the system clock. */
    public BrokerController(BrokerConfig config) {
        this(config, Clock.SYSTEM);
    }

    /** A member reading time only from {@code clock}. */
    public BrokerController(BrokerConfig config, Clock clock) {
        this.config = config;
        this.addresses = new MemberAddresses(config, this::raftAgentOrNull);
        this.clock = clock;
        this.replies = new ReplyPusher(config.brokerClusterName(), clock::wallMillis);
    }

    /**
     * Binds, opens everything and starts serving. On failure everything started so far is stopped again.
     *
     * @throws BrokerBindException  the client or the raft port cannot be bound (nothing was opened or sent)
     * @throws IOException          the store cannot be opened
     * @throws InterruptedException interrupted while binding
     */
    public synchronized void start() throws IOException, InterruptedException {
        Verify.state(!startCalled, "a broker controller starts once");
        startCalled = true;
        LOG.info("starting broker {} member {} on {} (raft {})", config.brokerName(), config.raftSelfId(),
            config.brokerAddr(), config.raftSelf().address());
        try {
            bindPorts();
            long opening = clock.nanoTime();
            openStoreAndRaft();
            recoveryNanos = clock.nanoTime() - opening;
            startServing();
            startBackground();
        } catch (IOException | InterruptedException | RuntimeException e) {
            LOG.error("broker member {} failed to start: {}", config.raftSelfId(), e.toString());
            lifecycle.stop();
            throw e;
        }
        started = true;
        LOG.info("broker {} member {} started: remoting on {}", config.brokerName(), config.raftSelfId(),
            server.localAddress());
    }

    /** Threads, then both listening ports: the client port (behind the gate) and the raft port. No file touched. */
    private void bindPorts() throws InterruptedException, BrokerBindException {
        threads = BrokerThreads.start(lifecycle);
        scheduler = threads.scheduler();
        roleWatchers = new RoleWatchers(scheduler);
        client = ClientPort.startClient(config, lifecycle);
        server = ClientPort.newServer(config);
        gate = ClientPort.gate(config, server, client, threads);
        metrics = new MemberMetrics(config, metricSources());
        metrics.observe(server);
        ClientPort.bind(config, server, lifecycle);
        metrics.bind(lifecycle);
        raft = RaftGroupNode.bind(config);
        lifecycle.add("raft transport", raft.transport()::close);
        background = new BackgroundServices(config, clock, lifecycle, scheduler, raft, this::isLeader);
    }

    /**
     * The store (recovery), the snapshot store, the managers and the raft agent: the state machine restored from
     * the newest usable snapshot, then the log after it replayed (docs/snapshots.md).
     */
    private void openStoreAndRaft() throws IOException {
        store = RaftGroupNode.openStore(config);
        lifecycle.add("message store", this::closeStore);
        proposer = new RaftMetadataProposer();
        topics = new TopicConfigManager(proposer, clock::wallMillis, config.autoCreateTopicEnable(),
            config.defaultTopicQueueNums());
        groups = new SubscriptionGroupManager(proposer, clock::wallMillis, config.autoCreateSubscriptionGroup());
        offsets = new ConsumerOffsetManager(proposer, config.offsetFlushIntervalMs(), config.offsetBatchUpdatesMax(),
            config.offsetPendingQueuesMax(), config.offsetInflightProposalsMax());
        MetadataStateMachine metadata = new MetadataStateMachine(topics, groups, offsets);
        metadata.addDeletionListener(pop.state()); // a deleted topic or group takes its pop state along
        FileSnapshotStore snapshots = FileSnapshotStore.open(Path.of(config.storePathRootDir(), "snapshot"),
            config.snapshotRetainCount());
        snapshotStore = snapshots;
        lifecycle.add("snapshot store", snapshots::close, snapshots::abort);
        RaftAgent agent = raft.startAgent(config, store, snapshots, applied -> {
            stateMachine = new BrokerStateMachine(store, metadata, applied);
            readiness = new LeaderReadiness(() -> raft.agent().status(), stateMachine);
            transactions.register(stateMachine);
            snapshots.addFloor(transactions.pending()::lowestOffset);
            locks = new QueueLockTable();
            stateMachine.register(EntryType.QUEUE_LOCK, locks);
            stateMachine.addSnapshotPart(new QueueLockSnapshotPart(locks));
            pop.register(stateMachine);
            background.installDueDelivery(store, stateMachine, snapshots, () -> started ? batcher : null, topics,
                readiness);
            stateMachine.addAppliedMessageListener(replies);
            return stateMachine;
        }, clock);
        lifecycle.add("raft agent", agent::close, agent::halt); // close: a leader hands leadership over first
        agent.addRoleListener(s -> roleWatchers.signal()); // on the agent thread: a hand-off only
        metrics.watch(agent, store);
        proposer.bind(agent);
    }

    /** The send batcher and every processor; then the gate lets requests through. */
    private void startServing() {
        RaftAgent agent = raft.agent();
        batcher = new SendBatcher(agent, store.commitLog(), raft.raftLog().stampedOffsets(), addresses::brokerAddrOf,
            config.sendBatchBytesMax(), config.sendBatchMessagesMax(), config.sendInflightEntriesMax(),
            config.sendPendingMax(), config.sendHeldBytesMax(), config.sendCommitTimeoutMs(), clock);
        lifecycle.addGraceful("send batcher", () -> {
            batcher.close();
            batcher.awaitIdle(DRAIN_WAIT_MS);
        });
        ClientManager clients = new ClientManager(ComponentConfigs.monotonicMs(clock),
            config.clientChannelExpiredTimeoutMs(), ConsumerIdsChangedNotifier.remoting(server, NOTIFY_TIMEOUT_MS),
            this::notifiesConsumerIdsChanged);
        server.addChannelEventListener(clients.channelListener());
        replies.bind(clients::channelOf, server::invokeAsync);
        BrokerStore view = new BrokerStore(store, ComponentConfigs.storeRead(config), PooledByteBufAllocator.DEFAULT);
        BrokerStats stats = new BrokerStats(clock, ZoneId.systemDefault(), view);
        features = new FeatureInstallers(config, clock, lifecycle, scheduler, gate, client, server,
            proposer, topics, groups, offsets, readiness, batcher,
            FeatureInstallers.leaderLocator(this::isLeader, this::raftAgent, addresses), this::isLeader);
        RuntimeInfo info = new RuntimeInfo(config, addresses, this::raftAgent, () -> batcher, () -> hold,
            () -> retention, () -> store);
        features.installControlPlane(clients, view, stats, this::raftAgent, info::contribute, pop::contribute);
        features.installPullPath(view, clients, stats, stateMachine, threads.pull(), pop);
        features.installLocks(locks, roleWatchers);
        hold = features.installSendPath(transactions, pop, view, clients, stats, this::diskFull);
        scheduler.scheduleWithFixedDelay(clients::scanExpired, config.clientExpiryScanIntervalMs(),
            config.clientExpiryScanIntervalMs(), TimeUnit.MILLISECONDS);
        gate.serve();
        lifecycle.add("serving", gate::close);
    }

    /** What the metrics read at scrape time: the parts as they are then (null before they exist). */
    private MetricSources metricSources() {
        DiskUsage disk = diskUsage != null ? diskUsage : DiskUsage.of(Path.of(config.storePathRootDir()));
        return new MetricSources(this::raftAgentOrNull, () -> store, disk, () -> batcher, () -> hold,
            () -> features == null ? null : features.forwarder(), () -> features == null ? null : features.heldPulls(),
            () -> retention, () -> topics, () -> groups, () -> offsets, () -> recoveryNanos);
    }

    /** The port of the /metrics endpoint, or 0 when it is off. Any thread. */
    public int metricsPort() {
        MemberMetrics m = metrics;
        return m == null ? 0 : m.port();
    }

    /** Registration with the role watchers, retention and consume-queue unit writes, in this order. */
    private void startBackground() {
        background.startRegistration(client, topics, offsets, roleWatchers, readiness);
        retention = background.startRetention(diskUsage, snapshotCatalog != null ? snapshotCatalog : snapshotStore,
            store, stateMachine);
        background.startUnitWrites(() -> store);
    }

    /**
     * The ports retention reads (docs/snapshots.md "Retention"): the snapshot catalog whose compaction point bounds
     * what may be deleted, and the disk usage of the store (null: the real file system). Call before {@link #start}.
     */
    public synchronized BrokerController useRetentionPorts(SnapshotCatalog catalog, DiskUsage disk) {
        Verify.state(!startCalled, "retention ports are set before start");
        this.snapshotCatalog = catalog;
        this.diskUsage = disk;
        return this;
    }

    /** Whether consumers of {@code group} are told when the group's members change (unknown group: yes). */
    private boolean notifiesConsumerIdsChanged(String group) {
        var c = groups.get(group);
        return c == null || c.notifyConsumerIdsChangedEnable();
    }

    /** This member's replicated pop consumption state (docs/consumer-protocol.md "Pop consumption"). Any thread. */
    public PopState popState() {
        return pop.state();
    }

    /** Whether this member is the Raft leader now. Any thread. */
    public boolean isLeader() {
        RaftGroupNode r = raft;
        RaftAgent a = r == null ? null : r.agent();
        return a != null && a.status().isLeader();
    }

    /** Whether this member's raft node stopped on an error (it no longer takes part in its group). Any thread. */
    public boolean raftFailed() {
        RaftGroupNode r = raft;
        RaftAgent a = r == null ? null : r.agent();
        return a != null && a.status() != null && a.status().failed();
    }

    /** The raft agent's latest status. Any thread. */
    public RaftStatus raftStatus() {
        return raft.agent().status();
    }

    private RaftAgent raftAgentOrNull() {
        RaftGroupNode r = raft;
        return r == null ? null : r.agent();
    }

    /** The raft agent (tests: leadership transfer). */
    public RaftAgent raftAgent() {
        return raft.agent();
    }

    /** The send batcher (tests and metrics: its byte budget's accounting); null before the member serves. */
    public SendBatcher sendBatcher() {
        return batcher;
    }

    /** The message store (tests and tools: ConsumeQueues, reads); null once stopped. */
    public MessageStore store() {
        return store;
    }

    /** The topic table. */
    public TopicConfigManager topics() {
        return topics;
    }

    /** The snapshot store: compaction point for retention, snapshots on disk (null before start). */
    public FileSnapshotStore snapshotStore() {
        return snapshotStore;
    }

    /** The subscription groups (tests). */
    public SubscriptionGroupManager groups() {
        return groups;
    }

    /** The consumer offsets (tests). */
    public ConsumerOffsetManager offsets() {
        return offsets;
    }

    /** The index the state machine was restored to at start: a snapshot's, or the log's first index - 1. */
    public long recoveredIndex() {
        return raft.recoveredIndex();
    }

    /** The state machine (to add dispatch listeners, e.g. long polling). */
    public BrokerStateMachine stateMachine() {
        return stateMachine;
    }

    /** Transactional messages (tests: the pending half messages). */
    public TransactionFeature transactions() {
        return transactions;
    }

    /** The address the remoting server is bound to. */
    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    public BrokerConfig config() {
        return config;
    }

    /** Graceful stop: every started component in reverse order (see the class comment). Idempotent. */
    public synchronized void shutdown() {
        LOG.info("stopping broker member {}", config.raftSelfId());
        started = false;
        lifecycle.stop();
        LOG.info("broker member {} stopped", config.raftSelfId());
    }

    /** Abrupt stop for tests: as if the process died (no transfer, no unregister, no final saves). */
    public synchronized void halt() {
        started = false;
        lifecycle.halt();
    }

    private void closeStore() throws IOException {
        MessageStore s = store;
        store = null;
        s.close();
    }

    /** Whether {@link #start} completed and {@link #shutdown} has not begun. */
    public boolean isStarted() {
        return started;
    }

    /** Whether retention's last run found the store's disk above diskSpaceWarningLevelRatio. Any thread. */
    private boolean diskFull() {
        RetentionService r = retention;
        return r != null && r.diskFull();
    }

    /** Retention (any thread, not started before the store and the agent). */
    public RetentionService retention() {
        return retention;
    }
}
