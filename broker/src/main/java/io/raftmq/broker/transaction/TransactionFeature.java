package io.raftmq.broker.transaction;

import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.processor.send.LeaderLocator;
import io.raftmq.broker.processor.send.SendRoute;
import io.raftmq.broker.produce.InternalProducer;
import io.raftmq.broker.replication.BrokerStateMachine;
import io.raftmq.broker.replication.LeaderReadiness;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.remoting.NettyRemotingEndpoint;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingException;
import io.raftmq.commitlog.error.Verify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Wires transactional messages into a broker member (docs/messaging.md "Transactions"), in the order the broker
 * starts: {@link #register} the pending-half table with the state machine before the raft agent replays the log,
 * the {@link #route} for half messages, the END_TRANSACTION {@link #processor} once the send batcher exists, and
 * the leader's {@link #startCheckBack} on the broker's scheduler.
 *
 * <p>Threads: the broker's start thread; the parts it builds document their own.
 */
public final class TransactionFeature {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionFeature.class);
    /** The request codes served (END_TRANSACTION). */
    public static final int[] CODES = EndTransactionProcessor.CODES;
    private static final long CHECK_TICK_MS_MAX = 1000;
    private static final long SEND_TIMEOUT_MS = 3000;

    private final PendingHalves pending = new PendingHalves();
    private HalfStore store;
    private TransactionResolver resolver;
    private long tickErrors;

    /**
     * Registers the pending-half table for MESSAGE and TRANSACTION_OP entries and as a snapshot part
     * ({@link PendingHalvesSnapshotPart}), before the raft agent starts.
     */
    public void register(BrokerStateMachine stateMachine) {
        stateMachine.addAppliedMessageListener(pending);
        stateMachine.register(EntryType.TRANSACTION_OP, pending);
        stateMachine.addSnapshotPart(new PendingHalvesSnapshotPart(pending));
    }

    /** The send route that parks half messages (the first route). */
    public SendRoute route() {
        return new TransactionRoute();
    }

    /** The pending halves (tests, metrics). */
    public PendingHalves pending() {
        return pending;
    }

    /** The END_TRANSACTION processor, on the replicated send path of {@code producer}. */
    public EndTransactionProcessor processor(BrokerStore view, InternalProducer producer, MetadataProposer proposer,
                                             LeaderReadiness readiness, LeaderLocator leader, RemotingClient client,
                                             LongSupplier clockMs) {
        store = new BrokerHalfStore(view, producer, proposer, readiness);
        resolver = new TransactionResolver(pending, store, clockMs);
        return new EndTransactionProcessor(resolver, leader, (addr, request) -> forward(client, addr, request));
    }

    private static void forward(RemotingClient client, String addr, RemotingCommand request) {
        try {
            client.invokeOneway(addr, request, SEND_TIMEOUT_MS);
        } catch (RemotingException e) {
            LOG.info("END_TRANSACTION not forwarded to leader {}: {}", addr, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the check-back, ticking on {@code scheduler} (after {@link #processor}). */
    public ScheduledFuture<?> startCheckBack(BrokerConfig config, TopicConfigManager topics, ClientManager clients,
                                             NettyRemotingEndpoint server, ScheduledExecutorService scheduler,
                                             LongSupplier clockMs) {
        Verify.state(resolver != null, "the END_TRANSACTION processor is built first");
        TransactionCheckService service = new TransactionCheckService(pending, resolver, store,
            CheckBackSender.remoting(clients, server, SEND_TIMEOUT_MS),
            new TransactionCheckService.Settings(config.transactionTimeoutMs(), config.transactionCheckIntervalMs(),
                config.transactionCheckMax(), config.brokerName()),
            () -> ensureCheckMaxTopic(topics), scheduler);
        long period = Math.max(1, Math.min(CHECK_TICK_MS_MAX, config.transactionCheckIntervalMs()));
        return scheduler.scheduleWithFixedDelay(() -> tick(service, clockMs), period, period, TimeUnit.MILLISECONDS);
    }

    private void tick(TransactionCheckService service, LongSupplier clockMs) {
        try {
            service.tick(clockMs.getAsLong());
        } catch (RuntimeException e) { // scheduler boundary: an exception would cancel the periodic task
            tickErrors++;
            LOG.error("transaction check-back round failed ({} failures so far)", tickErrors, e);
        }
    }

    /** TRANS_CHECK_MAX_TIME_TOPIC, readable so an operator can consume the discarded halves. */
    private static void ensureCheckMaxTopic(TopicConfigManager topics) {
        if (topics.get(TransactionNames.CHECK_MAX_TOPIC) == null) {
            topics.createOrUpdate(TopicConfig.of(TransactionNames.CHECK_MAX_TOPIC, 1)).whenComplete((c, e) -> {
                if (e != null) {
                    LOG.warn("cannot create {}: {}", TransactionNames.CHECK_MAX_TOPIC, e.toString());
                }
            });
        }
    }
}
