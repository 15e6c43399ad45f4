package io.raftmq.broker.sim;

import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.BrokerConfigException;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.lock.QueueLockProcessor;
import io.raftmq.broker.lock.ReadyTime;
import io.raftmq.broker.longpoll.HeldPullRequests;
import io.raftmq.broker.longpoll.LongPollConfig;
import io.raftmq.broker.processor.pull.PullMessageProcessor;
import io.raftmq.broker.processor.pull.PullProgress;
import io.raftmq.broker.processor.send.LeaderForwarder;
import io.raftmq.broker.processor.send.LeaderLocator;
import io.raftmq.broker.processor.send.SendHold;
import io.raftmq.broker.processor.send.SendMessageProcessor;
import io.raftmq.broker.retry.RetryRoute;
import io.raftmq.broker.produce.InternalProducer;
import io.raftmq.broker.replication.LeaderReadiness;
import io.raftmq.broker.schedule.DueDelivery;
import io.raftmq.broker.schedule.DueRoute;
import io.raftmq.broker.store.BrokerStats;
import io.raftmq.broker.transaction.BrokerHalfStore;
import io.raftmq.broker.transaction.CheckBackSender;
import io.raftmq.broker.transaction.EndTransactionProcessor;
import io.raftmq.broker.transaction.TransactionCheckService;
import io.raftmq.broker.transaction.TransactionResolver;
import io.raftmq.client.protocol.header.CheckTransactionStateRequestHeader;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.client.testing.EmbeddedRemotingServer;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.raft.core.Role;
import io.raftmq.raft.driver.ProposalTimeoutException;
import io.raftmq.raft.driver.RaftStatus;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The request side of one running {@link SimMember} (one incarnation): the real {@link SendMessageProcessor} and
 * {@link PullMessageProcessor} wired as {@code BrokerController} wires them, minus Netty's sockets and every thread
 * (docs/simulation.md "How a member is composed"). Requests come over one {@link EmbeddedRemotingServer} connection
 * (the real endpoint dispatch: a {@code RequestContext} per request, the request released once its processor
 * returned, every request and response through the wire codec), on a direct executor; the processors' executors and
 * timers are simulation events ({@link BrokerSimulation.Kind#TASK}) of this incarnation: the send hold's polls, the
 * long-poll wake-ups ({@link HeldPullRequests} resumes woken pulls on its executor) and the long-poll deadline check
 * every {@link #LONG_POLL_CHECK_MS}. Clocks are the {@link SimClock}. A follower forwards a send to the leader it
 * knows through {@link SimForwarding}, the simulated network between members. Single thread.
 */
final class SimEndpoint {
    /** The long-poll deadline check's period (LongPollConfig's default). */
    static final long LONG_POLL_CHECK_MS = LongPollConfig.defaults().checkIntervalMs();
    /** As BrokerController: three election timeouts (10 ticks of 10 ms), never longer than a commit may take. */
    static final long SEND_HOLD_MS = Math.min(3 * 10 * BrokerSimulation.TICK_MS, SimMember.COMMIT_TIMEOUT_MS);
    /** As BrokerController: the hold polls every raft tick (at most 10 ms). */
    static final long SEND_HOLD_POLL_MS = Math.min(10, BrokerSimulation.TICK_MS);
    /** As BrokerController: the leader may take the commit timeout plus a margin to answer a forwarded send. */
    static final long FORWARD_TIMEOUT_MS = SimMember.COMMIT_TIMEOUT_MS + 1_000;
    static final BrokerConfig CONFIG = config();
    /** As TransactionFeature: the check-back ticks every min(1 s, transactionCheckIntervalMs). */
    static final long CHECK_BACK_TICK_MS = Math.min(1000, CONFIG.transactionCheckIntervalMs());

    private final BrokerSimulation sim;
    private final SimMember m;
    private final int incarnation;
    private final EmbeddedRemotingServer server = new EmbeddedRemotingServer();
    private final SendHold hold;
    private final HeldPullRequests heldPulls;
    /** As BrokerController's: this member leads and applied its term's first entry. */
    private final LeaderReadiness readiness;
    /** The leader's due-message delivery (null when the seed sends no delayed message). */
    private final DueDelivery dueDelivery;
    /** When this member became a ready leader, as the queue locks count it (observed at every raft tick). */
    private final ReadyTime readyTime;
    /** The leader's transaction check-back (null when the seed sends no transaction). */
    private TransactionCheckService checkBack;

    SimEndpoint(BrokerSimulation sim, SimMember m, SimClock clock, SimForwarding forwarding) {
        this.sim = sim;
        this.m = m;
        this.incarnation = m.incarnation;
        Locator locator = new Locator();
        BrokerStats stats = new BrokerStats(clock, ZoneOffset.UTC, m.view);
        hold = new SendHold(locator, clock::nowMs, (task, delayMs) -> later(task, delayMs),
            SimMember.SEND_PENDING_MAX, (long) SimMember.SEND_BATCH_BYTES_MAX * SimMember.SEND_INFLIGHT_ENTRIES_MAX,
            SEND_HOLD_MS, SEND_HOLD_POLL_MS);
        LeaderForwarder forwarder = LeaderForwarder.over((addr, request, timeoutMs) -> forwarding.invoke(m, addr,
            request), FORWARD_TIMEOUT_MS, SimMember.COMMIT_TIMEOUT_MS, clock::wallMillis);
        SendMessageProcessor send = new SendMessageProcessor(CONFIG, m.topics, m.batcher, locator, forwarder, hold,
            storeHost(m.id), clock::wallMillis, stats, List.of(m.transactions.route(), new RetryRoute(m.groups),
                new DueRoute(CONFIG.messageDelayLevel(), CONFIG.timerMaxDelaySec(), clock::wallMillis)));
        Executor asTask = task -> later(task, 0);
        heldPulls = new HeldPullRequests(LongPollConfig.defaults(), clock::nowMs, asTask, m.view);
        m.stateMachine.addDispatchListener(heldPulls::onDispatched);
        ClientManager clients = new ClientManager(clock::nowMs, 120_000, (channel, group) -> { }, g -> false);
        PullMessageProcessor pull = new PullMessageProcessor(m.view, heldPulls, m.topics, m.groups, clients,
            m.offsets, locator::isLeader, new PullProgress(1024), stats);
        register(SendMessageProcessor.CODES, send);
        register(PullMessageProcessor.CODES, pull);
        readiness = new LeaderReadiness(this::status, m.stateMachine);
        dueDelivery = sim.delays().enabled() ? dueDelivery(m) : null;
        installTransactions(m, locator, clock);
        readyTime = new ReadyTime(readiness::readyTerm, clock::wallMillis);
        // no answer timer: the proposal fails on the simulated clock first (SimProposals, 2 s) or when the process
        // dies (kill); a timer here would be the JDK's, on a thread and the real clock (docs/simulation.md)
        register(QueueLockProcessor.CODES, new QueueLockProcessor(m.locks, new SimMetadataProposer(m), readyTime,
            clock::wallMillis, SimLocks.EXPIRY_MS, Long.MAX_VALUE / 4));
        try {
            server.start();
        } catch (Exception e) {
            throw new IllegalStateException("member " + m.id + ": embedded endpoint did not start", e);
        }
        later(this::checkLongPolls, LONG_POLL_CHECK_MS);
        if (dueDelivery != null) {
            later(this::tickDue, DueDelivery.TICK_INTERVAL_MS);
        }
    }

    /**
     * The member's {@link DueDelivery} as {@code DueMessages.startTicking} builds it: the real service over an
     * {@link InternalProducer} on the member's batcher, TIMER_PROGRESS proposed through its proposals, reading the
     * parked message from its commit log; only its scheduler is the simulation's ({@link #tickDue}).
     */
    private DueDelivery dueDelivery(SimMember m) {
        SimMetadataProposer proposer = new SimMetadataProposer(m);
        return new DueDelivery(m.due.state(), m.due.index(), (phys, size) -> {
            ByteBuffer b = ByteBuffer.allocate(size);
            m.store.commitLog().readRange(phys, b);
            return b.flip();
        }, new InternalProducer(m.batcher)::submit,
            payload -> proposer.propose(EntryType.TIMER_PROGRESS, payload), t -> m.topics.get(t) != null,
            readiness::readyTerm);
    }

    /** The broker scheduler's due-message tick, every {@link DueDelivery#TICK_INTERVAL_MS}, at wall-clock time. */
    private void tickDue() {
        dueDelivery.tick(SimClock.EPOCH_MS + sim.nowMs());
        later(this::tickDue, DueDelivery.TICK_INTERVAL_MS);
    }

    /**
     * Transactions as {@code TransactionFeature.processor} and {@code startCheckBack} wire them: END_TRANSACTION's
     * real processor and resolver over a {@link BrokerHalfStore} (the member's read path, an {@link InternalProducer}
     * on its batcher, TRANSACTION_OP through its proposals), a follower forwarding it oneway to the leader over the
     * simulated network ({@link SimTransactions#forward}); on seeds with transactions the real check-back service,
     * ticked as the broker scheduler does, asking the simulated producer ({@link SimTransactions#onCheck}) instead
     * of a producer's channel.
     */
    private void installTransactions(SimMember m, Locator locator, SimClock clock) {
        BrokerHalfStore halves = new BrokerHalfStore(m.view, new InternalProducer(m.batcher),
            new SimMetadataProposer(m), readiness);
        TransactionResolver resolver = new TransactionResolver(m.transactions.pending(), halves, clock::wallMillis);
        register(EndTransactionProcessor.CODES, new EndTransactionProcessor(resolver, locator,
            (addr, request) -> sim.transactions().forward(m, addr, request)));
        if (!sim.transactions().enabled()) {
            return;
        }
        CheckBackSender sender = new CheckBackSender() {
            @Override
            public boolean send(String group, CheckTransactionStateRequestHeader header, byte[] body) {
                sim.transactions().onCheck(m, incarnation, header, body);
                return true;
            }

            @Override
            public boolean hasLiveProducer(String group) {
                return true; // the simulated producer heartbeats every member
            }
        };
        checkBack = new TransactionCheckService(m.transactions.pending(), resolver, halves, sender,
            new TransactionCheckService.Settings(CONFIG.transactionTimeoutMs(), CONFIG.transactionCheckIntervalMs(),
                CONFIG.transactionCheckMax(), CONFIG.brokerName()), () -> { }, task -> later(task, 0));
        later(this::tickCheckBack, CHECK_BACK_TICK_MS);
    }

    /** The broker scheduler's check-back round (min(1 s, the check interval)), at wall-clock time. */
    private void tickCheckBack() {
        checkBack.tick(SimClock.EPOCH_MS + sim.nowMs());
        later(this::tickCheckBack, CHECK_BACK_TICK_MS);
    }

    /** As the role watcher on each role change the agent reports: when did this member become a ready leader. */
    void observeReadiness() {
        readyTime.observe();
    }

    /** Sends {@code request} (oneway, owned by this call) to the member's processors, as a client would. */
    void sendOneway(RemotingCommand request) {
        server.sendOneway(request);
    }

    /** The raft status the agent would publish, for {@link LeaderReadiness}. */
    private RaftStatus status() {
        if (!m.up) {
            return new RaftStatus(m.id, Role.FOLLOWER, 0, 0, 0, 0, 0, false);
        }
        return new RaftStatus(m.id, m.raft.role(), m.raft.term(), m.raft.leaderId(), m.raft.commitIndex(),
            m.raft.lastIndex(), m.stateMachine.appliedIndex(), false);
    }

    /** The address a member's messages carry as their store host (and its msgIds name). */
    static HostAddress storeHost(int member) {
        return HostAddress.of(new InetSocketAddress("10.0.1." + member, 10_911));
    }

    /** The member a store host names (the inverse of {@link #storeHost}), 0 when none. */
    static int memberOf(HostAddress storeHost) {
        byte[] ip = storeHost.ip();
        return ip.length == 4 && ip[0] == 10 && ip[2] == 1 && storeHost.port() == 10_911 ? ip[3] : 0;
    }

    /** The client-facing address of a member, as the send batcher's remarks and the leader locator name it. */
    static String address(long member) {
        return "n" + member;
    }

    /**
     * Sends {@code request} (owned by this call from now on) to the member's processors, as a client on its
     * connection; the future completes with the response (owned by whoever completes it) when the processor
     * answers, possibly within this call, or is cancelled when the member dies first.
     */
    CompletableFuture<RemotingCommand> call(RemotingCommand request) {
        return server.callAsync(request);
    }

    /** Requests whose processor threw (the endpoint answered them SYSTEM_ERROR). */
    long errors() {
        return server.errorCount();
    }

    /** Requests held by long polling now. */
    int heldPulls() {
        return heldPulls.heldCount();
    }

    /**
     * The process died: its connections close (every call in flight is cancelled; a processor's later answer is
     * dropped), then what its objects hold is let go: waiting and in-flight sends fail (their requests released),
     * held sends expire. Nothing of it is answered to a client.
     */
    void kill() {
        server.close();
        m.batcher.close();
        m.proposals.abandon(EntryType.MESSAGE, EntryType.QUEUE_LOCK, new ProposalTimeoutException(0));
        hold.close();
        heldPulls.close();
    }

    private void register(int[] codes, RequestProcessor p) {
        for (int code : codes) {
            server.registerProcessor(code, p, Runnable::run);
        }
    }

    /** Runs {@code task} on this incarnation's process {@code delayMs} from now (a timer or executor of its own). */
    private void later(Runnable task, long delayMs) {
        sim.schedule(sim.nowMs() + delayMs, BrokerSimulation.Kind.TASK, m.id, task, incarnation);
    }

    /** The long-poll timer: held pulls past their deadline are answered (resumed on the executor). */
    private void checkLongPolls() {
        heldPulls.expire();
        later(this::checkLongPolls, LONG_POLL_CHECK_MS);
    }


    /** As BrokerController's: the raft core's role and the leader it knows. */
    private final class Locator implements LeaderLocator {
        @Override
        public boolean isLeader() {
            return m.up && m.raft.role() == Role.LEADER;
        }

        @Override
        public String leaderBrokerAddr() {
            long id = m.up ? m.raft.leaderId() : 0;
            return id > 0 ? address(id) : null;
        }
    }

    private static BrokerConfig config() {
        Map<String, String> p = new HashMap<>();
        p.put("brokerName", "sim-broker");
        p.put("storePathRootDir", "/sim");
        p.put("namesrvAddr", "127.0.0.1:9876");
        p.put("raftPeers", "n1-127.0.0.1:10915;n2-127.0.0.1:10925;n3-127.0.0.1:10935");
        p.put("raftSelfId", "n1");
        p.put("listenHost", "127.0.0.1");
        p.put("sendCommitTimeoutMs", Long.toString(SimMember.COMMIT_TIMEOUT_MS));
        // a run lasts seconds: halves are checked once 300 ms old, again every 400 ms, never discarded
        p.put("transactionTimeoutMs", "300");
        p.put("transactionCheckIntervalMs", "400");
        p.put("transactionCheckMax", "1000");
        try {
            return BrokerConfig.fromProperties(p, "simulation");
        } catch (BrokerConfigException e) {
            throw new IllegalStateException(e);
        }
    }
}
