package io.raftmq.client.producer;

import io.netty.buffer.Unpooled;
import io.raftmq.client.consumer.PulledMessageDecoder;
import io.raftmq.client.consumer.ReceivedMessage;
import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.instance.ClientLifecycle;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.header.CheckTransactionStateRequestHeader;
import io.raftmq.client.protocol.header.EndTransactionRequestHeader;
import io.raftmq.client.remoting.RequestContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The transactional producer (docs/sdk.md "Transactions"): sends a half message (stored, invisible), runs the local
 * transaction, and tells the broker to commit or roll back (END_TRANSACTION, oneway); answers the broker's checks of
 * half messages still pending (CHECK_TRANSACTION_STATE) with its {@link TransactionListener}. Wire: docs/protocol.md
 * §2.9, §5.8.
 * <pre>
 * TransactionProducer p = new TransactionProducer(ProducerConfig.builder().namesrv(ns).group("OrderTxPG").build(),
 *     new TransactionListener() {
 *         public TransactionState executeLocal(Message m, Object arg) { return db.commit(arg) ? COMMIT : ROLLBACK; }
 *         public TransactionState checkLocal(ReceivedMessage m) { return db.state(m.keys()); }
 *     });
 * p.start();
 * TransactionSendResult r = p.send(Message.of("Orders", "paid").keys("order-1"), order);
 * </pre>
 * Steps of {@link #send}: the half message carries TRAN_MSG=true and PGROUP=group, sysFlag 0x4 (prepared), and is
 * sent (with the producer's retries and failover); if it is not SEND_OK the local transaction is not run and the
 * state is ROLLBACK; else {@link TransactionListener#executeLocal} runs on the caller's thread (a throw is UNKNOWN);
 * then END_TRANSACTION goes oneway to the half's broker group (its leader; a follower forwards it), carrying the
 * half's queue offset, its commit-log offset (from the offset msgId) and the state. UNKNOWN leaves the half to the
 * broker's checks.
 *
 * <p>Checks: the producer heartbeats its group to every member of every broker group (every
 * {@code heartbeatIntervalMs}, and once at start), so any member, a new leader included, can ask it. A check arrives
 * on the event loop and is answered on the callback executor: the half message is decoded, taken only if its PGROUP
 * is this producer's group, given to {@link TransactionListener#checkLocal}, and the state goes back as
 * END_TRANSACTION (fromTransactionCheck=true) on the connection the check came on. Any producer of the group may
 * answer: a half left by a producer that died is resolved by its successor.
 */
public final class TransactionProducer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionProducer.class);
    /** The official client's heartbeat period. */
    public static final long HEARTBEAT_INTERVAL_MS_DEFAULT = 30_000;
    /** sysFlag of a half message (TRANSACTION_PREPARED_TYPE, docs/protocol.md §3.2). */
    static final int SYSFLAG_PREPARED = 0x4;
    private static final AtomicLong SEQ = new AtomicLong();

    private final ProducerConfig config;
    private final ClientInstance instance;
    private final ClientLifecycle lifecycle;
    private final Producer producer;
    private final TransactionListener listener;
    private final long heartbeatIntervalMs;
    private final String clientId = newClientId();
    private final TransactionMembership membership;
    private final String halfProperties;
    private final ClientInstance.TransactionCheckHandler checker = this::onCheck;
    private ScheduledFuture<?> heartbeat;

    /** A transactional producer with its own client instance, heartbeating every 30 s. */
    public TransactionProducer(ProducerConfig config, TransactionListener listener) {
        this(config, new ClientInstance(config.client()), true, listener, HEARTBEAT_INTERVAL_MS_DEFAULT);
    }

    /** As {@link #TransactionProducer(ProducerConfig, TransactionListener)}, heartbeating every given period. */
    public TransactionProducer(ProducerConfig config, TransactionListener listener, long heartbeatIntervalMs) {
        this(config, new ClientInstance(config.client()), true, listener, heartbeatIntervalMs);
    }

    /** A transactional producer on a shared, started client instance (not shut down by {@link #shutdown()}). */
    public TransactionProducer(ProducerConfig config, ClientInstance shared, TransactionListener listener,
                               long heartbeatIntervalMs) {
        this(config, shared, false, listener, heartbeatIntervalMs);
    }

    private TransactionProducer(ProducerConfig config, ClientInstance instance, boolean ownsInstance,
                                TransactionListener listener, long heartbeatIntervalMs) {
        if (listener == null) {
            throw new IllegalArgumentException("a transaction listener is needed");
        }
        if (heartbeatIntervalMs <= 0) {
            throw new IllegalArgumentException("heartbeatIntervalMs must be > 0, got " + heartbeatIntervalMs);
        }
        this.config = config;
        this.instance = instance;
        this.lifecycle = new ClientLifecycle(instance, ownsInstance, "transaction producer");
        this.producer = new Producer(config, instance);
        this.listener = listener;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.membership = new TransactionMembership(instance, config.group(), clientId, config.sendTimeoutMs());
        this.halfProperties = "TRAN_MSG\u0001true\u0002PGROUP\u0001" + config.group() + "\u0002";
    }

    /** {@code <ip>@<pid>#<nanos>-<n>}: the client id the brokers list for the group (unique per start). */
    private static String newClientId() {
        String ip;
        try {
            ip = InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) { // no resolvable host name: the pid and counter keep it unique
            ip = "127.0.0.1";
        }
        return ip + "@" + ProcessHandle.current().pid() + "#" + System.nanoTime() + "-" + SEQ.incrementAndGet();
    }

    /**
     * Starts: registers the check handler, heartbeats every broker member once (waiting at most the send timeout),
     * then every {@code heartbeatIntervalMs}.
     */
    public synchronized void start() throws InterruptedException {
        lifecycle.beginStart();
        producer.start();
        instance.addTransactionCheckHandler(checker);
        lifecycle.markStarted();
        try {
            membership.heartbeatAll().get(config.sendTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("first heartbeat of producer group {} incomplete: {}", config.group(), e.toString());
        }
        heartbeat = instance.timers().scheduleWithFixedDelay(membership::heartbeatAll, heartbeatIntervalMs,
                heartbeatIntervalMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops: no more heartbeats or checks, unregisters from the brokers (waiting at most the send timeout) and, with
     * its own instance, closes every connection and ends its threads. Idempotent.
     */
    public synchronized void shutdown() {
        if (lifecycle.markStopped()) {
            if (heartbeat != null) {
                heartbeat.cancel(false);
            }
            instance.removeTransactionCheckHandler(checker);
            try {
                membership.unregisterAll().get(config.sendTimeoutMs(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.info("unregistering producer group {} incomplete: {}", config.group(), e.toString());
            }
        }
        producer.shutdown();
        lifecycle.endShutdown();
    }

    @Override
    public void close() {
        shutdown();
    }

    public ProducerConfig config() {
        return config;
    }

    /** The id the brokers know this producer by. */
    public String clientId() {
        return clientId;
    }

    /**
     * Sends {@code msg} in a transaction (see the class comment) and returns once END_TRANSACTION is written.
     *
     * @param arg handed to {@link TransactionListener#executeLocal}
     * @throws SendException        the half message could not be sent (the local transaction did not run)
     * @throws InterruptedException if interrupted while waiting for the half message's answer
     * @throws IllegalArgumentException if the message is invalid, or has a delay or delivery time
     */
    public TransactionSendResult send(Message msg, Object arg) throws SendException, InterruptedException {
        lifecycle.checkStarted();
        if (msg.delayTimeLevel() > 0 || msg.deliverTimeMs() > 0) {
            throw new IllegalArgumentException("a transactional message may not have a delay or delivery time");
        }
        SendResult half = awaitHalf(producer.sendHalf(msg, halfProperties, SYSFLAG_PREPARED));
        TransactionState state = TransactionState.ROLLBACK;
        if (half.status() == SendStatus.SEND_OK) {
            state = executeLocal(msg, arg);
        }
        endTransaction(half, state);
        return new TransactionSendResult(half, state);
    }

    private TransactionState executeLocal(Message msg, Object arg) {
        try {
            TransactionState s = listener.executeLocal(msg, arg);
            return s == null ? TransactionState.UNKNOWN : s;
        } catch (RuntimeException e) { // the application's failure: the broker's check asks again later
            LOG.warn("local transaction of {} failed; state UNKNOWN", msg.topic(), e);
            return TransactionState.UNKNOWN;
        }
    }

    /** END_TRANSACTION, oneway, to where a send to the half's broker group goes now; a failure is only logged. */
    private void endTransaction(SendResult half, TransactionState state) {
        String group = half.queue().brokerName();
        String addr = instance.routes().leaderFor(group, instance.faults());
        if (addr == null) {
            LOG.warn("no address of {} to end the transaction of {}; the broker will check back", group, half.msgId());
            return;
        }
        EndTransactionRequestHeader h = new EndTransactionRequestHeader(config.group(), half.queueOffset(),
                commitLogOffset(half.offsetMsgId()), state.wireCode(), false, half.msgId(), half.msgId(),
                half.queue().topic(), group);
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.END_TRANSACTION, h).markOneway();
        try {
            instance.remoting().invokeOneway(addr, req, config.sendTimeoutMs());
        } catch (Exception e) { // call boundary: the broker's check-back resolves the half instead
            LOG.warn("END_TRANSACTION {} of {} to {} failed: {}; the broker will check back", state, half.msgId(),
                    addr, e.toString());
        }
    }

    /** The commit-log offset inside an offset msgId: its last 16 hex digits (docs/protocol.md §3.3). */
    static long commitLogOffset(String offsetMsgId) {
        if (offsetMsgId == null || offsetMsgId.length() < 16) {
            throw new IllegalArgumentException("not an offset msgId: " + offsetMsgId);
        }
        return Long.parseUnsignedLong(offsetMsgId.substring(offsetMsgId.length() - 16), 16);
    }

    private SendResult awaitHalf(CompletableFuture<SendResult> f) throws SendException, InterruptedException {
        try {
            return f.get(config.sendTimeoutMs() + 2_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SendException se) {
                throw se;
            }
            throw new SendException(SendException.CLIENT_SIDE, "half message send failed: " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new SendException(SendException.CLIENT_SIDE, "no outcome of the half message within "
                    + config.sendTimeoutMs() + " ms", e);
        }
    }

    /**
     * A broker's CHECK_TRANSACTION_STATE, on the callback executor: ours if the half's PGROUP is our group; asks
     * the listener and answers END_TRANSACTION on the check's connection.
     */
    private boolean onCheck(RequestContext ctx, RemotingCommand req) {
        if (!lifecycle.isStarted() || req.bodyLength() == 0) {
            return false;
        }
        CheckTransactionStateRequestHeader h;
        ReceivedMessage m;
        try {
            h = CheckTransactionStateRequestHeader.decode(req.extFieldsOrEmpty());
            MessageQueue q = new MessageQueue(h.topic() == null ? "" : h.topic(), h.bname() == null ? ""
                    : h.bname(), 0);
            List<ReceivedMessage> ms = PulledMessageDecoder.decode(Unpooled.wrappedBuffer(req.bodyBytes()), q);
            if (ms.size() != 1) {
                LOG.warn("transaction check from {} carries {} messages, not one", ctx.remoteAddress(), ms.size());
                return false;
            }
            m = ms.get(0);
        } catch (RemotingCommandException | RuntimeException bad) { // a malformed check: nothing to answer
            LOG.warn("unreadable transaction check from {}: {}", ctx.remoteAddress(), bad.toString());
            return false;
        }
        if (!config.group().equals(m.property("PGROUP"))) {
            return false;
        }
        TransactionState state;
        try {
            state = listener.checkLocal(m);
        } catch (RuntimeException e) { // the application's failure: the broker asks again later
            LOG.warn("transaction check of {} failed; answering UNKNOWN", m.msgId(), e);
            state = null;
        }
        answerCheck(ctx, h, m, state == null ? TransactionState.UNKNOWN : state);
        return true;
    }

    private void answerCheck(RequestContext ctx, CheckTransactionStateRequestHeader h, ReceivedMessage m,
                             TransactionState state) {
        String uniq = m.property("UNIQ_KEY") != null ? m.property("UNIQ_KEY") : h.msgId();
        EndTransactionRequestHeader e = new EndTransactionRequestHeader(config.group(), h.tranStateTableOffset(),
                h.commitLogOffset(), state.wireCode(), true, uniq, h.transactionId(), m.topic(), h.bname());
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.END_TRANSACTION, e).markOneway();
        instance.remoting().invokeOneway(ctx.channel(), req, config.sendTimeoutMs()).whenComplete((v, err) -> {
            if (err != null) {
                LOG.info("answer {} to the check of {} not sent: {}", state, uniq, err.toString());
            }
        });
    }
}
