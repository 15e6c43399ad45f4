package io.raftmq.broker;

import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.filter.SqlFilters;
import io.raftmq.broker.lock.QueueLockProcessor;
import io.raftmq.broker.lock.QueueLockTable;
import io.raftmq.broker.lock.ReadyTime;
import io.raftmq.broker.longpoll.HeldPullRequests;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.pop.PopFeature;
import io.raftmq.broker.pop.PopProcessor;
import io.raftmq.broker.processor.admin.AdminProcessor;
import io.raftmq.broker.processor.admin.BrokerStatsContributor;
import io.raftmq.broker.processor.admin.BrokerStatsDataProcessor;
import io.raftmq.broker.processor.admin.LeadershipTransferProcessor;
import io.raftmq.broker.processor.admin.RaftMembershipProcessor;
import io.raftmq.broker.processor.admin.RuntimeInfoContributor;
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
import io.raftmq.broker.retention.DiskFullGuard;
import io.raftmq.broker.retry.RetryRoute;
import io.raftmq.broker.retry.SendBackProcessor;
import io.raftmq.broker.schedule.DueRoute;
import io.raftmq.broker.store.BrokerStats;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.transaction.TransactionFeature;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.raft.driver.RaftAgent;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Installs the broker's request-serving features on the {@link ServingGate} once the store, the managers, the raft
 * agent and the send batcher exist: the pull path, queue locks, transactions, retry and pop consumption, the send
 * routes and the send hold. Each feature's background work is recorded in the controller's {@link Lifecycle} so it
 * stops with the member. Used by {@link BrokerController} while it starts serving; not thread-safe.
 */
final class FeatureInstallers {
    private static final int PULL_PROGRESS_MAX = 100_000;
    private static final long FORWARD_MARGIN_MS = 1000;
    /** Election timeouts a membership change may take to commit before the admin request gives up. */
    private static final int MEMBERSHIP_WAIT_ELECTION_TIMEOUTS = 10;
    /** A held send looks for a leader at least this often (docs/raft-driver.md, "Sends while leadership moves"). */
    private static final long HOLD_POLL_MS_MAX = 10;
    /** Election timeouts a send is held at most while no leader is known. */
    private static final int HOLD_ELECTION_TIMEOUTS = 3;

    private final BrokerConfig config;
    private final Clock clock;
    private final Lifecycle lifecycle;
    private final ScheduledExecutorService scheduler;
    private final ServingGate gate;
    private final RemotingClient client;
    private final RemotingServer server;
    private final RaftMetadataProposer proposer;
    private final TopicConfigManager topics;
    private final SubscriptionGroupManager groups;
    private final ConsumerOffsetManager offsets;
    private final LeaderReadiness readiness;
    private final SendBatcher batcher;
    private final LeaderLocator locator;
    private final BooleanSupplier isLeader;
    /** Made by {@link #installSendPath} and {@link #installPullPath}; read by the metrics (any thread). */
    private volatile LeaderForwarder forwarder;
    private volatile HeldPullRequests heldPulls;

    /** The member's shared parts every feature is wired to (all created before serving starts). */
    FeatureInstallers(BrokerConfig config, Clock clock, Lifecycle lifecycle, ScheduledExecutorService scheduler,
                      ServingGate gate, RemotingClient client, RemotingServer server, RaftMetadataProposer proposer,
                      TopicConfigManager topics, SubscriptionGroupManager groups, ConsumerOffsetManager offsets,
                      LeaderReadiness readiness, SendBatcher batcher, LeaderLocator locator,
                      BooleanSupplier isLeader) {
        this.config = config;
        this.clock = clock;
        this.lifecycle = lifecycle;
        this.scheduler = scheduler;
        this.gate = gate;
        this.client = client;
        this.server = server;
        this.proposer = proposer;
        this.topics = topics;
        this.groups = groups;
        this.offsets = offsets;
        this.readiness = readiness;
        this.batcher = batcher;
        this.locator = locator;
        this.isLeader = isLeader;
    }

    /** The follower's forwarding to the leader (null before {@link #installSendPath}). Any thread. */
    LeaderForwarder forwarder() {
        return forwarder;
    }

    /** The held pulls (null before {@link #installPullPath}). Any thread. */
    HeldPullRequests heldPulls() {
        return heldPulls;
    }

    /**
     * Every request code the member serves, reserved on the gate with the executor its processor runs on (each
     * answers 14 "starting" until the gate serves): the control plane on {@code control}, pulls on {@code pull},
     * sends on {@code direct} (the I/O thread that decoded them).
     */
    static void reserveCodes(ServingGate gate, Executor control, Executor pull, Executor direct) {
        gate.reserve(ClientManageProcessor.CODES, control);
        gate.reserve(ClientConfigCheckProcessor.CODES, control);
        gate.reserve(ConsumerControlProcessor.CODES, control);
        gate.reserve(ConsumerManageProcessor.CODES, control);
        gate.reserve(AdminProcessor.CODES, control);
        gate.reserve(BrokerStatsDataProcessor.CODES, control);
        gate.reserve(LeadershipTransferProcessor.CODES, control);
        gate.reserve(RaftMembershipProcessor.CODES, control);
        gate.reserve(PullMessageProcessor.CODES, pull);
        gate.reserve(StoreQueryProcessor.CODES, control);
        gate.reserve(SendMessageProcessor.CODES, direct);
        gate.reserve(TransactionFeature.CODES, control);
        gate.reserve(QueueLockProcessor.CODES, control);
        gate.reserve(SendBackProcessor.CODES, control);
        gate.reserve(PopProcessor.CODES, control);
    }

    /**
     * The control plane: client and consumer management, consumer control, admin (with the runtime-info table's
     * {@code contributors}), broker statistics, leadership transfer and membership changes.
     */
    void installControlPlane(ClientManager clients, BrokerStore view, BrokerStats stats, Supplier<RaftAgent> agent,
                             RuntimeInfoContributor... contributors) {
        gate.install(ClientManageProcessor.CODES, new ClientManageProcessor(clients, groups, topics, proposer,
            config.metadataProposeTimeoutMs()));
        gate.install(ConsumerManageProcessor.CODES, new ConsumerManageProcessor(clients, offsets, view,
            config.metadataProposeTimeoutMs()));
        gate.install(ConsumerControlProcessor.CODES, new ConsumerControlProcessor(clients, topics, offsets, view,
            server, isLeader, config.brokerName(), config.metadataProposeTimeoutMs(), clock::wallMillis));
        AdminProcessor admin = new AdminProcessor(config, topics, groups, offsets, clients, view, clock::wallMillis);
        admin.addRuntimeInfoContributor(new BrokerStatsContributor(stats));
        for (RuntimeInfoContributor c : contributors) {
            admin.addRuntimeInfoContributor(c);
        }
        gate.install(AdminProcessor.CODES, admin);
        gate.install(BrokerStatsDataProcessor.CODES, new BrokerStatsDataProcessor(stats));
        gate.install(LeadershipTransferProcessor.CODES, new LeadershipTransferProcessor(config, agent, client, clock));
        gate.install(RaftMembershipProcessor.CODES, new RaftMembershipProcessor(config, agent,
            MEMBERSHIP_WAIT_ELECTION_TIMEOUTS * config.raftElectionTimeoutMs()));
    }

    /** The pull path: PULL/LITE_PULL with long polling, the store queries (29-33, 12, 202, 208 over admin's). */
    void installPullPath(BrokerStore view, ClientManager clients, BrokerStats stats, BrokerStateMachine stateMachine,
                         Executor pullExecutor, PopFeature pop) {
        HeldPullRequests heldPulls = new HeldPullRequests(ComponentConfigs.longPoll(config),
            ComponentConfigs.monotonicMs(clock), pullExecutor, view);
        stateMachine.addDispatchListener(heldPulls::onDispatched);
        this.heldPulls = heldPulls;
        PullProgress progress = new PullProgress(PULL_PROGRESS_MAX);
        SqlFilters sqlFilters = new SqlFilters(config.enablePropertyFilter());
        gate.install(ClientConfigCheckProcessor.CODES, new ClientConfigCheckProcessor(sqlFilters));
        gate.install(PullMessageProcessor.CODES, new PullMessageProcessor(view, heldPulls, topics, groups, clients,
            offsets, isLeader, progress, stats, sqlFilters));
        gate.install(StoreQueryProcessor.CODES, new StoreQueryProcessor(view, topics, offsets, progress,
            pop.state(), config.brokerName()));
        heldPulls.start();
        lifecycle.add("held pulls", heldPulls::close);
    }

    /** Orderly consumption: LOCK/UNLOCK_BATCH_MQ on the replicated lock table (docs/messaging.md). */
    void installLocks(QueueLockTable locks, RoleWatchers roleWatchers) {
        ReadyTime ready = new ReadyTime(readiness::readyTerm, clock::wallMillis);
        gate.install(QueueLockProcessor.CODES, new QueueLockProcessor(locks, proposer, ready, clock::wallMillis,
            config.queueLockExpiryMs(), config.metadataProposeTimeoutMs()));
        roleWatchers.add(ready::observe); // started with the role watcher (BackgroundServices#startRegistration)
    }

    /**
     * The send path (SEND_MESSAGE and its batch forms on the I/O thread, refused while the disk is full), with the
     * send routes, the send hold, transactions, retry and pop consumption that share them. Returns the send hold.
     */
    SendHold installSendPath(TransactionFeature transactions, PopFeature pop, BrokerStore view, ClientManager clients,
                             BrokerStats stats, BooleanSupplier diskFull) {
        HostAddress storeHost = HostAddress.of(new InetSocketAddress(config.brokerIP1(), config.listenPort()));
        LeaderForwarder forwarder = new LeaderForwarder(client, config.sendCommitTimeoutMs() + FORWARD_MARGIN_MS,
            config.sendCommitTimeoutMs(), clock::wallMillis);
        this.forwarder = forwarder;
        List<SendRoute> routes = sendRoutes(transactions);
        SendHold hold = sendHold();
        gate.install(SendMessageProcessor.CODES, new DiskFullGuard(new SendMessageProcessor(config, topics, batcher,
            locator, forwarder, hold, storeHost, clock::wallMillis, stats, routes), diskFull));
        installTransactions(transactions, view, clients);
        installRetry(pop, view, storeHost, routes, clients);
        return hold;
    }

    /**
     * Transactions (docs/messaging.md): END_TRANSACTION on the gate, and the leader's check-back on the scheduler
     * (the pending halves were registered with the state machine before the raft agent started).
     */
    private void installTransactions(TransactionFeature transactions, BrokerStore view, ClientManager clients) {
        gate.install(TransactionFeature.CODES, transactions.processor(view, new InternalProducer(batcher), proposer,
            readiness, locator, client, clock::wallMillis));
        ScheduledFuture<?> checks = transactions.startCheckBack(config, topics, clients, server, scheduler,
            clock::wallMillis);
        lifecycle.add("transaction check-back", () -> checks.cancel(false));
    }

    /**
     * Retry and dead-letter queues: CONSUMER_SEND_MSG_BACK through the send routes (docs/messaging.md); pop
     * consumption, whose exhausted messages take the same way to the dead-letter queue (docs/consumer-protocol.md).
     */
    private void installRetry(PopFeature pop, BrokerStore view, HostAddress storeHost, List<SendRoute> routes,
                      ClientManager clients) {
        long timeoutMs = config.metadataProposeTimeoutMs() + config.sendCommitTimeoutMs();
        SendBackProcessor sendBack = new SendBackProcessor(view, topics, groups, new InternalProducer(batcher),
            routes, storeHost, clock::wallMillis, timeoutMs);
        gate.install(SendBackProcessor.CODES, sendBack);
        gate.install(PopProcessor.CODES, pop.processor(proposer, view, topics, groups, clients, config.brokerName(),
            sendBack::deadLetter, k -> offsets.query(k.group(), k.topic(), k.queueId()), Integer.MAX_VALUE,
            clock::wallMillis, scheduler, timeoutMs));
    }

    /**
     * Where single sent messages are stored, in this order (docs/messaging.md): transaction half messages, then
     * retry / dead-letter sends, then delay levels and timers.
     */
    private List<SendRoute> sendRoutes(TransactionFeature transactions) {
        List<SendRoute> routes = new ArrayList<>();
        routes.add(transactions.route());
        routes.add(new RetryRoute(groups));
        routes.add(new DueRoute(config.messageDelayLevel(), config.timerMaxDelaySec(), clock::wallMillis));
        return routes;
    }

    /**
     * Where sends wait while leadership moves: as many as may wait for an entry ({@code sendPendingMax}), as many
     * bytes as the entries in flight may carry, for at most three election timeouts (a new leader is known one
     * to two election timeouts after the old one died) and never longer than a commit may take.
     */
    private SendHold sendHold() {
        long holdMs = Math.min(HOLD_ELECTION_TIMEOUTS * config.raftElectionTimeoutMs(), config.sendCommitTimeoutMs());
        SendHold hold = new SendHold(locator, ComponentConfigs.monotonicMs(clock),
            (task, delayMs) -> scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS), config.sendPendingMax(),
            (long) config.sendBatchBytesMax() * config.sendInflightEntriesMax(), holdMs,
            Math.max(1, Math.min(HOLD_POLL_MS_MAX, config.raftTickMs())));
        lifecycle.add("send hold", hold::close);
        return hold;
    }

    /** The send path's view of the raft role and the leader's broker address (from the agent's published status). */
    static LeaderLocator leaderLocator(BooleanSupplier isLeader, Supplier<RaftAgent> agent, MemberAddresses addresses) {
        return new LeaderLocator() {
            @Override
            public boolean isLeader() {
                return isLeader.getAsBoolean();
            }

            @Override
            public String leaderBrokerAddr() {
                long id = agent.get().status().leaderId();
                return id > 0 ? addresses.brokerAddrOf(id) : null;
            }
        };
    }
}
