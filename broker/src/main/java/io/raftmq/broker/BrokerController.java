package io.raftmq.broker;

import io.netty.buffer.PooledByteBufAllocator;
import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.clients.ConsumerIdsChangedNotifier;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.filter.SqlFilters;
import io.raftmq.broker.lock.QueueLockProcessor;
import io.raftmq.broker.lock.QueueLockSnapshotPart;
import io.raftmq.broker.lock.QueueLockTable;
import io.raftmq.broker.lock.ReadyTime;
import io.raftmq.broker.longpoll.HeldPullRequests;
import io.raftmq.broker.metadata.MetadataStateMachine;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.SystemTopics;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.processor.admin.AdminProcessor;
import io.raftmq.broker.processor.admin.BrokerStatsDataProcessor;
import io.raftmq.broker.processor.admin.BrokerStatsContributor;
import io.raftmq.broker.processor.admin.LeadershipTransferProcessor;
import io.raftmq.broker.processor.admin.RaftMembershipProcessor;
import io.raftmq.broker.processor.clients.ClientConfigCheckProcessor;
import io.raftmq.broker.processor.clients.ClientManageProcessor;
import io.raftmq.broker.processor.clients.ConsumerControlProcessor;
import io.raftmq.broker.processor.clients.ConsumerManageProcessor;
import io.raftmq.broker.processor.pull.PullMessageProcessor;
import io.raftmq.broker.processor.pull.PullProgress;
import io.raftmq.broker.processor.send.LeaderForwarder;
import io.raftmq.broker.processor.send.LeaderLocator;
import io.raftmq.broker.processor.send.SendHold;
import io.raftmq.broker.processor.send.SendMessageProcessor;
import io.raftmq.broker.processor.send.SendRoute;
import io.raftmq.broker.processor.store.StoreQueryProcessor;
import io.raftmq.broker.produce.InternalProducer;
import io.raftmq.broker.replication.BrokerStateMachine;
import io.raftmq.broker.replication.LeaderReadiness;
import io.raftmq.broker.replication.MemberAddresses;
import io.raftmq.broker.replication.RaftMetadataProposer;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.broker.reply.ReplyPusher;
import io.raftmq.broker.retention.DiskFullGuard;
import io.raftmq.broker.retention.DiskUsage;
import io.raftmq.broker.retention.RetentionService;
import io.raftmq.broker.retention.RetentionSettings;
import io.raftmq.broker.retry.RetryRoute;
import io.raftmq.broker.pop.PopFeature;
import io.raftmq.broker.pop.PopProcessor;
import io.raftmq.broker.pop.PopState;
import io.raftmq.broker.retry.SendBackProcessor;
import io.raftmq.broker.route.NamingRegistrar;
import io.raftmq.broker.route.RoleRegistration;
import io.raftmq.broker.schedule.DueMessages;
import io.raftmq.broker.schedule.DueRoute;
import io.raftmq.broker.snapshot.FileSnapshotStore;
import io.raftmq.broker.snapshot.SnapshotCatalog;
import io.raftmq.broker.store.BrokerStats;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.transaction.TransactionFeature;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingException;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RemotingServerConfig;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.raft.driver.FollowerProgress;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
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
 * <p>Start order, bind first: scheduler and pools → remoting client → remoting server bound (every code answers 14
 * "starting", {@link ServingGate}) → raft port bound ({@link RaftGroupNode#bind}) → only then the store (recovery) →
 * managers → raft agent (newest snapshot restored, the log after it replayed; peers dialled) → send batcher →
 * processors and held pulls → serving → registrar, offset flushing, role watcher → retention ({@link RetentionService},
 * every cleanResourceInterval on the scheduler; its deletions run on the raft agent thread) → consume-queue unit
 * writes (every second on the agent thread: units held in memory reach their files, docs/storage.md). A port that
 * cannot be bound fails {@link #start} with a {@link BrokerBindException} before the store is opened or a peer dialled.
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
 */
public final class BrokerController {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerController.class);
    /**
     * Runs a processor on the I/O thread that decoded its request: for sends, which never block, this saves a thread
     * hand-off (a futex wake and two context switches) per request.
     */
    private static final Executor DIRECT = Runnable::run;
    private static final int CONTROL_THREADS = 2;
    private static final int CONTROL_QUEUE_MAX = 4096;
    private static final int PULL_THREADS = 2;
    private static final int PULL_PROGRESS_MAX = 100_000;
    private static final long FORWARD_MARGIN_MS = 1000;
    /** Election timeouts a membership change may take to commit before the admin request gives up. */
    private static final int MEMBERSHIP_WAIT_ELECTION_TIMEOUTS = 10;
    private static final long DRAIN_WAIT_MS = 2000;
    private static final long NOTIFY_TIMEOUT_MS = 1000;
    /** How often the consume-queue units held only in memory are written to their files (docs/storage.md). */
    private static final long UNIT_WRITE_INTERVAL_MS = 1000;
    /** A held send looks for a leader at least this often (docs/raft-driver.md, "Sends while leadership moves"). */
    private static final long HOLD_POLL_MS_MAX = 10;
    /** Election timeouts a send is held at most while no leader is known. */
    private static final int HOLD_ELECTION_TIMEOUTS = 3;

    private final BrokerConfig config;
    /** Broker addresses of the members: brokerPeers plus those replicated with added members. */
    private final MemberAddresses addresses;
    private final Clock clock;
    private final Lifecycle lifecycle = new Lifecycle();
    private ScheduledExecutorService scheduler;
    private ThreadPoolExecutor controlExecutor;
    private ThreadPoolExecutor pullExecutor;
    private RemotingClient client;
    private RemotingServer server;
    private ServingGate gate;
    private volatile RaftGroupNode raft;
    private MessageStore store;
    private BrokerStateMachine stateMachine;
    private volatile FileSnapshotStore snapshotStore;
    /** When this member may act as leader on replicated feature state (one for every leader-only service). */
    private LeaderReadiness readiness;
    private RaftMetadataProposer proposer;
    private TopicConfigManager topics;
    private SubscriptionGroupManager groups;
    private ConsumerOffsetManager offsets;
    private SendBatcher batcher;
    private SendHold hold;
    /** Leadership watchers, run when the raft agent reports a role change (and once a second). */
    private RoleWatchers roleWatchers;
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
            openStoreAndRaft();
            startServing();
            startRegistration();
            startRetention();
            startUnitWrites();
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
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "broker-scheduler"));
        lifecycle.add("scheduler", scheduler::shutdownNow);
        roleWatchers = new RoleWatchers(scheduler);
        controlExecutor = pool("broker-ctl", CONTROL_THREADS, CONTROL_QUEUE_MAX);
        lifecycle.add("control executor", controlExecutor::shutdownNow);
        pullExecutor = pool("broker-pull", PULL_THREADS, CONTROL_QUEUE_MAX);
        lifecycle.add("pull executor", pullExecutor::shutdownNow);
        client = new RemotingClient(ComponentConfigs.client(config));
        client.start();
        lifecycle.add("remoting client", client::shutdown);
        server = new RemotingServer(RemotingServerConfig.defaults(config.listenHost(), config.listenPort()));
        gate = new ServingGate(server, config.raftSelfId());
        gate.reserve(ClientManageProcessor.CODES, controlExecutor);
        gate.reserve(ClientConfigCheckProcessor.CODES, controlExecutor);
        gate.reserve(ConsumerControlProcessor.CODES, controlExecutor);
        gate.reserve(ConsumerManageProcessor.CODES, controlExecutor);
        gate.reserve(AdminProcessor.CODES, controlExecutor);
        gate.reserve(BrokerStatsDataProcessor.CODES, controlExecutor);
        gate.reserve(LeadershipTransferProcessor.CODES, controlExecutor);
        gate.reserve(RaftMembershipProcessor.CODES, controlExecutor);
        gate.reserve(PullMessageProcessor.CODES, pullExecutor);
        gate.reserve(StoreQueryProcessor.CODES, controlExecutor);
        gate.reserve(SendMessageProcessor.CODES, DIRECT);
        gate.reserve(TransactionFeature.CODES, controlExecutor);
        gate.reserve(QueueLockProcessor.CODES, controlExecutor);
        gate.reserve(SendBackProcessor.CODES, controlExecutor);
        gate.reserve(PopProcessor.CODES, controlExecutor);
        try {
            server.start();
        } catch (RemotingException e) {
            throw new BrokerBindException(config.listenHost(), config.listenPort(), "client port", e);
        }
        lifecycle.add("remoting server", server::shutdown);
        raft = RaftGroupNode.bind(config);
        lifecycle.add("raft transport", raft.transport()::close);
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
            installDueDelivery(stateMachine, snapshots);
            stateMachine.addAppliedMessageListener(replies);
            return stateMachine;
        }, clock);
        lifecycle.add("raft agent", agent::close, agent::halt); // close: a leader hands leadership over first
        agent.addRoleListener(s -> roleWatchers.signal()); // on the agent thread: a hand-off only
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
        gate.install(ClientManageProcessor.CODES, new ClientManageProcessor(clients, groups, topics, proposer,
            config.metadataProposeTimeoutMs()));
        gate.install(ConsumerManageProcessor.CODES, new ConsumerManageProcessor(clients, offsets, view,
            config.metadataProposeTimeoutMs()));
        gate.install(ConsumerControlProcessor.CODES, new ConsumerControlProcessor(clients, topics, offsets, view,
            server, this::isLeader, config.brokerName(), config.metadataProposeTimeoutMs(), clock::wallMillis));
        AdminProcessor admin = new AdminProcessor(config, topics, groups, offsets, clients, view, clock::wallMillis);
        admin.addRuntimeInfoContributor(new BrokerStatsContributor(stats));
        admin.addRuntimeInfoContributor(this::contributeRuntimeInfo);
        admin.addRuntimeInfoContributor(pop::contribute);
        gate.install(AdminProcessor.CODES, admin);
        gate.install(BrokerStatsDataProcessor.CODES, new BrokerStatsDataProcessor(stats));
        gate.install(LeadershipTransferProcessor.CODES, new LeadershipTransferProcessor(config, this::raftAgent,
            client, clock));
        gate.install(RaftMembershipProcessor.CODES, new RaftMembershipProcessor(config, this::raftAgent,
            MEMBERSHIP_WAIT_ELECTION_TIMEOUTS * config.raftElectionTimeoutMs()));
        installPullPath(view, clients, stats);
        installLocks();
        HostAddress storeHost = HostAddress.of(new InetSocketAddress(config.brokerIP1(), config.listenPort()));
        LeaderForwarder forwarder = new LeaderForwarder(client, config.sendCommitTimeoutMs() + FORWARD_MARGIN_MS,
            config.sendCommitTimeoutMs(), clock::wallMillis);
        List<SendRoute> routes = sendRoutes();
        gate.install(SendMessageProcessor.CODES, new DiskFullGuard(new SendMessageProcessor(config, topics, batcher,
            new Locator(), forwarder, sendHold(), storeHost, clock::wallMillis, stats, routes), this::diskFull));
        installTransactions(view, clients);
        installRetry(view, storeHost, routes, clients);
        scheduler.scheduleWithFixedDelay(clients::scanExpired, config.clientExpiryScanIntervalMs(),
            config.clientExpiryScanIntervalMs(), TimeUnit.MILLISECONDS);
        gate.serve();
        lifecycle.add("serving", gate::close);
    }

    /**
     * Where sends wait while leadership moves: as many as may wait for an entry ({@code sendPendingMax}), as many
     * bytes as the entries in flight may carry, for at most three election timeouts (a new leader is known one
     * to two election timeouts after the old one died) and never longer than a commit may take.
     */
    private SendHold sendHold() {
        long holdMs = Math.min(HOLD_ELECTION_TIMEOUTS * config.raftElectionTimeoutMs(), config.sendCommitTimeoutMs());
        hold = new SendHold(new Locator(), ComponentConfigs.monotonicMs(clock),
            (task, delayMs) -> scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS), config.sendPendingMax(),
            (long) config.sendBatchBytesMax() * config.sendInflightEntriesMax(), holdMs,
            Math.max(1, Math.min(HOLD_POLL_MS_MAX, config.raftTickMs())));
        lifecycle.add("send hold", hold::close);
        return hold;
    }

    /**
     * Where single sent messages are stored, in this order (docs/messaging.md): transaction half messages, then
     * retry / dead-letter sends, then delay levels and timers.
     */
    private List<SendRoute> sendRoutes() {
        List<SendRoute> routes = new ArrayList<>();
        routes.add(transactions.route());
        routes.add(new RetryRoute(groups));
        routes.add(new DueRoute(config.messageDelayLevel(), config.timerMaxDelaySec(), clock::wallMillis));
        return routes;
    }

    /**
     * Transactions (docs/messaging.md): END_TRANSACTION on the gate, and the leader's check-back on the scheduler
     * (the pending halves were registered with the state machine before the raft agent started).
     */
    private void installTransactions(BrokerStore view, ClientManager clients) {
        gate.install(TransactionFeature.CODES, transactions.processor(view, new InternalProducer(batcher), proposer,
            readiness, new Locator(), client, clock::wallMillis));
        ScheduledFuture<?> checks = transactions.startCheckBack(config, topics, clients, server, scheduler,
            clock::wallMillis);
        lifecycle.add("transaction check-back", () -> checks.cancel(false));
    }

    /** Orderly consumption: LOCK/UNLOCK_BATCH_MQ on the replicated lock table (docs/messaging.md). */
    private void installLocks() {
        ReadyTime ready = new ReadyTime(readiness::readyTerm, clock::wallMillis);
        gate.install(QueueLockProcessor.CODES, new QueueLockProcessor(locks, proposer, ready, clock::wallMillis,
            config.queueLockExpiryMs(), config.metadataProposeTimeoutMs()));
        roleWatchers.add(ready::observe); // started with the role watcher (startRegistration)
    }

    /**
     * Retry and dead-letter queues: CONSUMER_SEND_MSG_BACK through the send routes (docs/messaging.md); pop
     * consumption, whose exhausted messages take the same way to the dead-letter queue (docs/consumer-protocol.md).
     */
    private void installRetry(BrokerStore view, HostAddress storeHost, List<SendRoute> routes, ClientManager clients) {
        long timeoutMs = config.metadataProposeTimeoutMs() + config.sendCommitTimeoutMs();
        SendBackProcessor sendBack = new SendBackProcessor(view, topics, groups, new InternalProducer(batcher),
            routes, storeHost, clock::wallMillis, timeoutMs);
        gate.install(SendBackProcessor.CODES, sendBack);
        gate.install(PopProcessor.CODES, pop.processor(proposer, view, topics, groups, clients, config.brokerName(),
            sendBack::deadLetter, k -> offsets.query(k.group(), k.topic(), k.queueId()), Integer.MAX_VALUE,
            clock::wallMillis, scheduler, timeoutMs));
    }

    /**
     * Delay levels and timers (docs/messaging.md): the timer index and delivery state, fed by the log replay (so
     * registered before the agent starts), and the leader's delivery ticked on the scheduler once serving.
     */
    private void installDueDelivery(BrokerStateMachine sm, FileSnapshotStore snapshots) {
        DueMessages due;
        try {
            due = DueMessages.open(Path.of(config.storePathRootDir(), "timer"), config.messageDelayLevel(),
                store.commitLog());
        } catch (IOException e) {
            throw new UncheckedIOException("the timer index cannot be opened", e);
        }
        lifecycle.add("timer index", due::close);
        due.register(sm);
        snapshots.addFloor(due::floor);
        snapshots.addBeforeWrite(due.index());
        ScheduledFuture<?> ticks = due.startTicking(scheduler, () -> started ? batcher : null,
            payload -> raft.agent().propose(EntryType.TIMER_PROGRESS, payload), t -> topics.get(t) != null,
            readiness::readyTerm, clock::wallMillis);
        lifecycle.add("due-message delivery", () -> ticks.cancel(false));
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

    /** Retention on the scheduler every cleanResourceInterval; deletions run on the raft agent thread. */
    private void startRetention() {
        DiskUsage disk = diskUsage != null ? diskUsage : DiskUsage.of(Path.of(config.storePathRootDir()));
        SnapshotCatalog catalog = snapshotCatalog != null ? snapshotCatalog : snapshotStore;
        retention = new RetentionService(RetentionSettings.from(config, ZoneId.systemDefault()), clock, disk,
            catalog, store, new RetentionRaft());
        ScheduledFuture<?> runs = retention.start(scheduler);
        lifecycle.add("retention", () -> runs.cancel(false));
    }

    /**
     * Once a second the agent thread writes the consume-queue units held only in memory to their files (the
     * dispatcher writes a queue's units in pieces of many; a queue that receives little would otherwise wait for the
     * next checkpoint). A write failure stops the member like any storage failure.
     */
    private void startUnitWrites() {
        RaftAgent agent = raft.agent();
        ScheduledFuture<?> writes = scheduler.scheduleWithFixedDelay(() -> agent.runOnAgentThread(() -> {
            try {
                store.writeHeldUnits();
            } catch (IOException e) {
                throw new UncheckedIOException("consume-queue units could not be written", e);
            }
        }), UNIT_WRITE_INTERVAL_MS, UNIT_WRITE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        lifecycle.add("unit writes", () -> writes.cancel(false));
    }

    /** Whether consumers of {@code group} are told when the group's members change (unknown group: yes). */
    private boolean notifiesConsumerIdsChanged(String group) {
        var c = groups.get(group);
        return c == null || c.notifyConsumerIdsChangedEnable();
    }

    /** The pull path: PULL/LITE_PULL with long polling, the store queries (29-33, 12, 202, 208 over admin's). */
    private void installPullPath(BrokerStore view, ClientManager clients, BrokerStats stats) {
        HeldPullRequests heldPulls = new HeldPullRequests(ComponentConfigs.longPoll(config),
            ComponentConfigs.monotonicMs(clock), pullExecutor, view);
        stateMachine.addDispatchListener(heldPulls::onDispatched);
        PullProgress progress = new PullProgress(PULL_PROGRESS_MAX);
        SqlFilters sqlFilters = new SqlFilters(config.enablePropertyFilter());
        gate.install(ClientConfigCheckProcessor.CODES, new ClientConfigCheckProcessor(sqlFilters));
        gate.install(PullMessageProcessor.CODES, new PullMessageProcessor(view, heldPulls, topics, groups, clients,
            offsets, this::isLeader, progress, stats, sqlFilters));
        gate.install(StoreQueryProcessor.CODES, new StoreQueryProcessor(view, topics, offsets, progress,
            pop.state(), config.brokerName()));
        heldPulls.start();
        lifecycle.add("held pulls", heldPulls::close);
    }

    /** Periodic registration, offset flushing, and the role watcher that re-registers on a leadership change. */
    private void startRegistration() {
        NamingRegistrar registrar = new NamingRegistrar(config, client, topics, this::isLeader, scheduler);
        registrar.setRaftTerm(() -> raft.agent().status().term());
        topics.addChangeListener(registrar::onTopicsChanged);
        registrar.start();
        lifecycle.addGraceful("registration (unregister)", registrar::shutdown);
        offsets.start(scheduler);
        lifecycle.addGraceful("offset flushing (final proposals)", offsets::stop);
        RoleRegistration roles = new RoleRegistration(registrar::registerAll, this::isLeader, this::logRole,
            scheduler, (task, delayMs) -> scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS), clock);
        scheduler.execute(roles::requestRegistration); // the first one is retried like a role change
        roleWatchers.add(roles::tick);
        roleWatchers.add(new SystemTopics(topics, readiness::readyTerm, config.brokerClusterName())::observe);
        ScheduledFuture<?> watcher = scheduler.scheduleWithFixedDelay(roleWatchers::runAll,
            RoleWatchers.SAFETY_POLL_MS, RoleWatchers.SAFETY_POLL_MS, TimeUnit.MILLISECONDS);
        roleWatchers.signal(); // what changed before the watchers were added
        lifecycle.add("role watchers", () -> watcher.cancel(false));
    }

    private void logRole(boolean leader) {
        RaftStatus s = raft.agent().status();
        LOG.info("member {} is now {} (term {}, commit {})", config.raftSelfId(), s.role(), s.term(), s.commitIndex());
    }

    /** A fixed pool with a bounded queue (a full queue makes the server answer SYSTEM_BUSY). */
    private static ThreadPoolExecutor pool(String name, int threads, int queueMax) {
        int[] n = {0};
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queueMax), r -> daemon(r, name + "-" + n[0]++));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    private void contributeRuntimeInfo(Map<String, String> table) {
        RaftStatus s = raft.agent().status();
        table.put("raftRole", s.role().name());
        table.put("raftTerm", Long.toString(s.term()));
        table.put("raftCommitIndex", Long.toString(s.commitIndex()));
        table.put("raftAppliedIndex", Long.toString(s.appliedIndex()));
        table.put("raftLastIndex", Long.toString(s.lastIndex()));
        table.put("raftLeaderId", Long.toString(s.leaderId()));
        String leaderAddr = s.leaderId() > 0 ? addresses.brokerAddrOf(s.leaderId()) : null;
        table.put("raftLeaderAddr", leaderAddr == null ? "" : leaderAddr);
        table.put("raftSelfId", config.raftSelfId());
        table.put("raftMembership", String.valueOf(s.membership()));
        table.put("raftRepairing", Boolean.toString(raft.agent().repairing()));
        table.put("raftFailed", Boolean.toString(s.failed()));
        table.put("brokerAddr", config.brokerAddr());
        SendBatcher.Stats b = batcher.stats();
        table.put("sendEntriesProposed", Long.toString(b.entriesProposed()));
        table.put("sendCommitted", Long.toString(b.sendsCommitted()));
        table.put("sendFailed", Long.toString(b.sendsFailed()));
        RetentionService r = retention;
        table.put("retentionDeletedSegments", Long.toString(r == null ? 0 : r.deletedSegments()));
        table.put("retentionDeletedBytes", Long.toString(r == null ? 0 : r.deletedBytes()));
        MessageStore st = store;
        table.put("commitLogMinOffset", Long.toString(st == null ? 0 : st.commitLog().startPosition()));
        SendHold.Stats h = hold.stats();
        table.put("sendHeld", Long.toString(h.holds()));
        table.put("sendHoldExpired", Long.toString(h.expired()));
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

    /** Retention's view of the raft side: status from any thread; applied index and compaction on the agent's. */
    private final class RetentionRaft implements RetentionService.RaftSide {
        @Override
        public boolean isLeader() {
            return BrokerController.this.isLeader();
        }

        @Override
        public List<FollowerProgress> followers() {
            return raft.agent().followers();
        }

        @Override
        public long appliedIndex() {
            return stateMachine.appliedIndex();
        }

        @Override
        public void runOnAgentThread(Runnable task) {
            raft.agent().runOnAgentThread(task);
        }

        @Override
        public int compactTo(long index) {
            return raft.raftLog().compactTo(index);
        }

        @Override
        public void requestSnapshot() {
            raft.agent().requestSnapshot();
        }
    }

    /** The send path's view of the raft role and the leader's broker address. */
    private final class Locator implements LeaderLocator {
        @Override
        public boolean isLeader() {
            return BrokerController.this.isLeader();
        }

        @Override
        public String leaderBrokerAddr() {
            long id = raft.agent().status().leaderId();
            return id > 0 ? addresses.brokerAddrOf(id) : null;
        }
    }
}
