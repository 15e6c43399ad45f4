package io.raftmq.broker;

import io.netty.buffer.PooledByteBufAllocator;
import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.clients.ConsumerIdsChangedNotifier;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.metadata.MetadataStateMachine;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.longpoll.HeldPullRequests;
import io.raftmq.broker.longpoll.LongPollConfig;
import io.raftmq.broker.processor.admin.AdminProcessor;
import io.raftmq.broker.processor.admin.BrokerStatsContributor;
import io.raftmq.broker.processor.clients.ClientManageProcessor;
import io.raftmq.broker.processor.clients.ConsumerManageProcessor;
import io.raftmq.broker.processor.pull.PullMessageProcessor;
import io.raftmq.broker.processor.pull.PullProgress;
import io.raftmq.broker.processor.send.LeaderForwarder;
import io.raftmq.broker.processor.send.LeaderLocator;
import io.raftmq.broker.processor.send.SendMessageProcessor;
import io.raftmq.broker.processor.store.StoreQueryProcessor;
import io.raftmq.broker.replication.BrokerStateMachine;
import io.raftmq.broker.replication.RaftMetadataProposer;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.broker.route.NamingRegistrar;
import io.raftmq.broker.store.BrokerStats;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.store.StoreReadConfig;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.remoting.RemotingException;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RemotingServerConfig;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.ZoneId;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
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
 *  RaftAgent --apply--> BrokerStateMachine: MESSAGE -> MessageStore.dispatchUpToIndex (+ wake held pulls),
 *                                           metadata -> managers
 *  role watcher (every tick): leadership change -> NamingRegistrar re-registers (leader = brokerId 0)
 * </pre>
 *
 * <p>Start order: store (recovery) → managers → raft (log replay through the state machine) → remoting client →
 * processors and server → registrar and role watcher. Shutdown ({@link #shutdown}) is graceful: stop taking sends,
 * let the entries in flight commit (bounded wait) so their producers get SEND_OK, transfer leadership (the raft
 * agent does it in its graceful close and fails what is left with 14), unregister from the NameServers, then close
 * the server, transport, client and store.
 *
 * <p>Threads: sends run on the Netty I/O thread that read them (they never block: validation, encoding and a hand-off
 * to the {@link SendBatcher}, whose bounded queue answers SYSTEM_BUSY), {@code broker-ctl-N} (control-plane
 * processors), {@code broker-scheduler} (registrar, offsets, client expiry, role watcher), plus the raft agent, commit
 * log flusher and Netty threads.
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
    private static final long DRAIN_WAIT_MS = 2000;
    private static final long REGISTER_RETRY_MIN_MS = 50;
    private static final long REGISTER_RETRY_MAX_MS = 5000;

    private final BrokerConfig config;
    private MessageStore store;
    private RaftGroupNode raft;
    private BrokerStateMachine stateMachine;
    private TopicConfigManager topics;
    private ConsumerOffsetManager offsets;
    private RemotingServer server;
    private RemotingClient client;
    private SendBatcher batcher;
    private NamingRegistrar registrar;
    private ScheduledExecutorService scheduler;
    private ThreadPoolExecutor controlExecutor;
    private ThreadPoolExecutor pullExecutor;
    private HeldPullRequests heldPulls;
    private AdminProcessor admin;
    private volatile boolean wasLeader;
    private volatile boolean started;
    /** Role-change registration retry (scheduler thread only): pending until every NameServer answered SUCCESS. */
    private boolean registrationPending;
    private boolean registrationInflight;
    private long registrationRetryAtMs;
    private long registrationBackoffMs;

    public BrokerController(BrokerConfig config) {
        this.config = config;
    }

    /**
     * Opens everything and starts serving.
     *
     * @throws IOException          the store cannot be opened
     * @throws RemotingException    the listen address cannot be bound
     * @throws InterruptedException interrupted while binding
     */
    public synchronized void start() throws IOException, RemotingException, InterruptedException {
        LOG.info("starting broker {} member {} on {} (raft {})", config.brokerName(), config.raftSelfId(),
            config.brokerAddr(), config.raftSelf().address());
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "broker-scheduler"));
        store = RaftGroupNode.openStore(config);
        RaftMetadataProposer proposer = new RaftMetadataProposer();
        topics = new TopicConfigManager(proposer, System::currentTimeMillis, config.autoCreateTopicEnable(),
            config.defaultTopicQueueNums());
        SubscriptionGroupManager groups = new SubscriptionGroupManager(proposer, System::currentTimeMillis,
            config.autoCreateSubscriptionGroup());
        offsets = new ConsumerOffsetManager(proposer, config.offsetFlushIntervalMs(), config.offsetBatchUpdatesMax(),
            config.offsetPendingQueuesMax(), config.offsetInflightProposalsMax());
        MetadataStateMachine metadata = new MetadataStateMachine(topics, groups, offsets);
        raft = RaftGroupNode.start(config, store, applied -> {
            stateMachine = new BrokerStateMachine(store, metadata, applied);
            return stateMachine;
        }, System.nanoTime());
        proposer.bind(raft.agent);
        client = new RemotingClient(clientConfig(config));
        client.start();
        batcher = new SendBatcher(raft.agent, store.commitLog(), config::brokerAddrOf, config.sendBatchBytesMax(),
            config.sendBatchMessagesMax(), config.sendInflightEntriesMax(), config.sendPendingMax(),
            config.sendCommitTimeoutMs(), Clock.SYSTEM);
        startServer(groups, proposer);
        registrar = new NamingRegistrar(config, client, topics, this::isLeader, scheduler);
        registrar.setRaftTerm(() -> raft.agent.status().term());
        topics.addChangeListener(registrar::onTopicsChanged);
        offsets.start(scheduler);
        registrar.start();
        scheduler.execute(() -> { // retried like a role change until every NameServer has us (see watchRole)
            registrationPending = true;
            registrationBackoffMs = REGISTER_RETRY_MIN_MS;
            registrationRetryAtMs = System.currentTimeMillis() + REGISTER_RETRY_MIN_MS;
        });
        scheduler.scheduleWithFixedDelay(this::watchRole, config.raftTickMs(), config.raftTickMs(),
            TimeUnit.MILLISECONDS);
        started = true;
        LOG.info("broker {} member {} started: remoting on {}", config.brokerName(), config.raftSelfId(),
            server.localAddress());
    }

    private void startServer(SubscriptionGroupManager groups, RaftMetadataProposer proposer)
            throws RemotingException, InterruptedException {
        server = new RemotingServer(RemotingServerConfig.defaults(config.listenHost(), config.listenPort()));
        controlExecutor = pool("broker-ctl", CONTROL_THREADS, CONTROL_QUEUE_MAX);
        ClientManager clients = new ClientManager(System::currentTimeMillis, config.clientChannelExpiredTimeoutMs(),
            ConsumerIdsChangedNotifier.remoting(server, 1000), g -> {
                var c = groups.get(g);
                return c == null || c.notifyConsumerIdsChangedEnable();
            });
        server.addChannelEventListener(clients.channelListener());
        BrokerStore view = new BrokerStore(store, storeReadConfig(config), PooledByteBufAllocator.DEFAULT);
        BrokerStats stats = new BrokerStats(Clock.SYSTEM, ZoneId.systemDefault(), view);
        register(ClientManageProcessor.CODES, new ClientManageProcessor(clients, groups, topics, proposer,
            config.metadataProposeTimeoutMs()), controlExecutor);
        register(ConsumerManageProcessor.CODES, new ConsumerManageProcessor(clients, offsets, view,
            config.metadataProposeTimeoutMs()), controlExecutor);
        admin = new AdminProcessor(config, topics, groups, offsets, clients, view, System::currentTimeMillis);
        admin.addRuntimeInfoContributor(new BrokerStatsContributor(stats));
        admin.addRuntimeInfoContributor(this::contributeRuntimeInfo);
        register(AdminProcessor.CODES, admin, controlExecutor);
        startPullPath(view, groups, clients, stats);
        HostAddress storeHost = HostAddress.of(new InetSocketAddress(config.brokerIP1(), config.listenPort()));
        LeaderForwarder forwarder = new LeaderForwarder(client, config.sendCommitTimeoutMs() + FORWARD_MARGIN_MS);
        register(SendMessageProcessor.CODES, new SendMessageProcessor(config, topics, batcher, new Locator(),
            forwarder, storeHost, System::currentTimeMillis, stats), DIRECT);
        scheduler.scheduleWithFixedDelay(clients::scanExpired, config.clientExpiryScanIntervalMs(),
            config.clientExpiryScanIntervalMs(), TimeUnit.MILLISECONDS);
        server.start();
    }

    /** The pull path: PULL/LITE_PULL with long polling, the store queries (29-33, 12, 202, 208 over admin's). */
    private void startPullPath(BrokerStore view, SubscriptionGroupManager groups, ClientManager clients,
                               BrokerStats stats) {
        pullExecutor = pool("broker-pull", PULL_THREADS, CONTROL_QUEUE_MAX);
        LongPollConfig d = LongPollConfig.defaults();
        heldPulls = new HeldPullRequests(new LongPollConfig(d.heldRequestsMax(), Math.min(config.longPollHoldMsMax(),
            60_000), Math.min(d.checkIntervalMs(), config.longPollHoldMsMax())), System::currentTimeMillis,
            pullExecutor, view);
        stateMachine.addDispatchListener(heldPulls::onDispatched);
        PullProgress progress = new PullProgress(PULL_PROGRESS_MAX);
        register(PullMessageProcessor.CODES, new PullMessageProcessor(view, heldPulls, topics, groups, clients,
            offsets, this::isLeader, progress, stats), pullExecutor);
        register(StoreQueryProcessor.CODES, new StoreQueryProcessor(view, topics, offsets, progress,
            config.brokerName()), controlExecutor);
        heldPulls.start();
    }

    private void register(int[] codes, RequestProcessor p, Executor executor) {
        for (int code : codes) {
            server.registerProcessor(code, p, executor);
        }
    }

    /** The store read limits: the pull caps from the config, the rest RocketMQ-like defaults. */
    private static StoreReadConfig storeReadConfig(BrokerConfig c) {
        StoreReadConfig d = StoreReadConfig.defaults();
        return new StoreReadConfig(c.pullMessagesMax(), c.pullBytesMax(), Math.max(d.pullScanUnitsMax(),
            c.pullMessagesMax()), d.readContextsPooledMax(), d.queryMessagesMax(), d.uniqKeyQueryMessagesMax());
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

    /**
     * Outgoing connections (registration, forwarding to the leader) leave from the member's own address when it
     * listens on a specific one (127.0.0.2, ...), as the raft transport's do; a wildcard listener binds nothing.
     */
    static RemotingClientConfig clientConfig(BrokerConfig c) {
        RemotingClientConfig d = RemotingClientConfig.defaults();
        String host = c.listenHost();
        boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        return wildcard ? d : new RemotingClientConfig(host, d.ioThreads(), d.frameLengthMax(), d.connectTimeoutMs(),
            d.channelIdleMs(), d.inflightRequestsMax());
    }

    /**
     * Re-registers at once when this node gains or loses leadership (docs/protocol.md §5.9), and keeps retrying that
     * registration (backoff {@value #REGISTER_RETRY_MIN_MS} ms doubling to {@value #REGISTER_RETRY_MAX_MS} ms) until
     * every NameServer accepted it: a leader elected before a NameServer listens (members and NameServer start
     * together) must not stay unrouted until the next periodic registration. Runs on the scheduler thread.
     */
    private void watchRole() {
        boolean leader = isLeader();
        long now = System.currentTimeMillis();
        if (leader != wasLeader) {
            wasLeader = leader;
            RaftStatus s = raft.agent.status();
            LOG.info("member {} is now {} (term {}, commit {})", config.raftSelfId(), s.role(), s.term(),
                s.commitIndex());
            registrationPending = true;
            registrationBackoffMs = REGISTER_RETRY_MIN_MS;
            registrationRetryAtMs = now;
        }
        if (registrationPending && !registrationInflight && now >= registrationRetryAtMs) {
            registrationInflight = true;
            registrar.registerAll().thenAccept(results -> {
                try {
                    scheduler.execute(() -> registrationDone(!results.containsValue(false)));
                } catch (RejectedExecutionException e) {
                    LOG.debug("registration result after shutdown ignored");
                }
            });
        }
    }

    private void registrationDone(boolean allAccepted) {
        registrationInflight = false;
        if (allAccepted) {
            registrationPending = false;
            return;
        }
        registrationRetryAtMs = System.currentTimeMillis() + registrationBackoffMs;
        registrationBackoffMs = Math.min(registrationBackoffMs * 2, REGISTER_RETRY_MAX_MS);
    }

    private void contributeRuntimeInfo(Map<String, String> table) {
        RaftStatus s = raft.agent.status();
        table.put("raftRole", s.role().name());
        table.put("raftTerm", Long.toString(s.term()));
        table.put("raftCommitIndex", Long.toString(s.commitIndex()));
        table.put("raftAppliedIndex", Long.toString(s.appliedIndex()));
        table.put("raftLastIndex", Long.toString(s.lastIndex()));
        table.put("raftLeaderId", Long.toString(s.leaderId()));
        String leaderAddr = s.leaderId() > 0 ? config.brokerAddrOf(s.leaderId()) : null;
        table.put("raftLeaderAddr", leaderAddr == null ? "" : leaderAddr);
        table.put("raftSelfId", config.raftSelfId());
        table.put("brokerAddr", config.brokerAddr());
        SendBatcher.Stats b = batcher.stats();
        table.put("sendEntriesProposed", Long.toString(b.entriesProposed()));
        table.put("sendCommitted", Long.toString(b.sendsCommitted()));
        table.put("sendFailed", Long.toString(b.sendsFailed()));
    }

    /** Whether this member is the Raft leader now. Any thread. */
    public boolean isLeader() {
        RaftGroupNode r = raft;
        return r != null && r.agent.status().isLeader();
    }

    /** The raft agent's latest status. Any thread. */
    public RaftStatus raftStatus() {
        return raft.agent.status();
    }

    /** The raft agent (tests: leadership transfer). */
    public RaftAgent raftAgent() {
        return raft.agent;
    }

    /** The message store (tests and tools: ConsumeQueues, reads). */
    public MessageStore store() {
        return store;
    }

    /** The topic table. */
    public TopicConfigManager topics() {
        return topics;
    }

    /** The state machine (to add dispatch listeners, e.g. long polling). */
    public BrokerStateMachine stateMachine() {
        return stateMachine;
    }

    /** The address the remoting server is bound to. */
    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    public BrokerConfig config() {
        return config;
    }

    /**
     * Graceful stop (order in the class comment). Idempotent; also cleans up after a failed {@link #start}.
     */
    public synchronized void shutdown() {
        LOG.info("stopping broker member {}", config.raftSelfId());
        started = false;
        if (batcher != null) {
            batcher.close();
            batcher.awaitIdle(DRAIN_WAIT_MS);
        }
        if (raft != null) {
            raft.agent.close(); // a leader hands leadership over first
        }
        if (registrar != null) {
            registrar.shutdown();
        }
        if (offsets != null) {
            offsets.stop();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (heldPulls != null) {
            heldPulls.close();
        }
        if (server != null) {
            server.shutdown();
        }
        shutdownPool(controlExecutor);
        shutdownPool(pullExecutor);
        if (raft != null) {
            raft.transport.close();
        }
        if (client != null) {
            client.shutdown();
        }
        closeStore();
        LOG.info("broker member {} stopped", config.raftSelfId());
    }

    /** Abrupt stop for tests: as if the process died (no transfer, no unregister, no final saves). */
    public synchronized void halt() {
        started = false;
        if (raft != null) {
            raft.agent.halt();
            raft.transport.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (server != null) {
            server.shutdown();
        }
        if (heldPulls != null) {
            heldPulls.close();
        }
        shutdownPool(controlExecutor);
        shutdownPool(pullExecutor);
        if (client != null) {
            client.shutdown();
        }
        closeStore();
    }

    private static void shutdownPool(ThreadPoolExecutor p) {
        if (p != null) {
            p.shutdownNow();
        }
    }

    private void closeStore() {
        if (store == null) {
            return;
        }
        try {
            store.close();
        } catch (IOException | RuntimeException e) { // shutdown boundary: report, keep closing
            LOG.error("closing the message store failed", e);
        }
        store = null;
    }

    /** Whether {@link #start} completed and {@link #shutdown} has not begun. */
    public boolean isStarted() {
        return started;
    }

    /** The send path's view of the raft role and the leader's broker address. */
    private final class Locator implements LeaderLocator {
        @Override
        public boolean isLeader() {
            return BrokerController.this.isLeader();
        }

        @Override
        public String leaderBrokerAddr() {
            long id = raft.agent.status().leaderId();
            return id > 0 ? config.brokerAddrOf(id) : null;
        }
    }
}
