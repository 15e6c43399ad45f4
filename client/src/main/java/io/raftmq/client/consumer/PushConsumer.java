package io.raftmq.client.consumer;

import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.instance.ClientLifecycle;
import io.raftmq.client.protocol.body.ConsumerData;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.SubscriptionData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The RaftMQ push consumer: pulls the queues it is assigned with long polling and runs a listener on them
 * (docs/sdk.md "Consumers").
 * <pre>
 * PushConsumer c = PushConsumer.concurrent(ConsumerConfig.builder().namesrv("127.0.0.1:9876").group("CG")
 *         .subscribe("Orders", "paid || refunded").build(), messages -&gt; ConcurrentListener.Status.SUCCESS);
 * c.start();
 * ...
 * c.shutdown();
 * </pre>
 * Parts: {@link Rebalancer} (which queues), {@link PullDriver} (one long poll in flight per queue, on the client
 * instance's event loop), a {@link ConsumeService} (listeners on a bounded executor), an {@link OffsetStore} (broker
 * or local file). Timers on the event loop: heartbeat to every member of every broker group in use
 * ({@code heartbeatIntervalMs}), rebalance ({@code rebalanceIntervalMs}, and at once when a broker sends
 * NOTIFY_CONSUMER_IDS_CHANGED), offset commit ({@code commitIntervalMs}), orderly lock renewal (20 s).
 * Lifecycle: construct, {@link #start()}, {@link #shutdown()} (idempotent), which stops pulls, lets running listener
 * calls end, commits offsets, releases orderly locks, unregisters from the brokers (so the group rebalances at once)
 * and, with its own client instance, closes every connection and ends every thread.
 */
public final class PushConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PushConsumer.class);
    static final long LOCK_RENEW_MS = 20_000;
    /** How long shutdown waits for listener calls and for the last commit. */
    static final long SHUTDOWN_WAIT_MS = 5_000;
    private static final AtomicLong SEQ = new AtomicLong();

    private final ConsumerConfig config;
    private final ClientInstance instance;
    private final ClientLifecycle lifecycle;
    private final Object listener;
    private final String clientId = newClientId();
    private final long subVersion = System.currentTimeMillis();
    private final Consumer<String> idsChanged = this::onConsumerIdsChanged;
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private ConsumerRpc rpc;
    private OffsetStore offsets;
    private ConsumeService consume;
    private PullDriver pulls;
    private Rebalancer rebalancer;
    private GroupMembership membership;

    /** A consumer with a {@link ConcurrentListener} and its own client instance. */
    public static PushConsumer concurrent(ConsumerConfig config, ConcurrentListener listener) {
        return new PushConsumer(config, new ClientInstance(config.client()), true, listener);
    }

    /** A consumer with an {@link OrderlyListener} and its own client instance. */
    public static PushConsumer orderly(ConsumerConfig config, OrderlyListener listener) {
        return new PushConsumer(config, new ClientInstance(config.client()), true, listener);
    }

    /** A concurrent consumer on a shared, started client instance (not shut down by {@link #shutdown()}). */
    public static PushConsumer concurrent(ConsumerConfig config, ClientInstance shared, ConcurrentListener listener) {
        return new PushConsumer(config, shared, false, listener);
    }

    /** An orderly consumer on a shared, started client instance (not shut down by {@link #shutdown()}). */
    public static PushConsumer orderly(ConsumerConfig config, ClientInstance shared, OrderlyListener listener) {
        return new PushConsumer(config, shared, false, listener);
    }

    private PushConsumer(ConsumerConfig config, ClientInstance instance, boolean ownsInstance, Object listener) {
        if (listener == null) {
            throw new IllegalArgumentException("a listener is needed");
        }
        if (config.subscriptions().isEmpty()) {
            throw new IllegalArgumentException("a push consumer subscribes to at least one topic (subscribe)");
        }
        this.config = config;
        this.instance = instance;
        this.lifecycle = new ClientLifecycle(instance, ownsInstance, "consumer");
        this.listener = listener;
    }

    /** {@code <ip>@<pid>#<n>}: unique per consumer of a process and per start, like the official clientID. */
    static String newClientId() {
        String ip;
        try {
            ip = InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) { // no resolvable host name: the pid and counter still make it unique
            ip = "127.0.0.1";
        }
        return ip + "@" + ProcessHandle.current().pid() + "#" + System.nanoTime() + "-" + SEQ.incrementAndGet();
    }

    /**
     * Starts the consumer: heartbeats (registering the group's subscriptions on every member), then the first
     * rebalance, then the timers.
     *
     * @throws IllegalStateException if already started, or when the BROADCASTING offsets file is damaged
     */
    public synchronized void start() {
        lifecycle.beginStart();
        rpc = new ConsumerRpc(instance, config.group(), clientId);
        offsets = config.model() == MessageModel.CLUSTERING ? new RemoteOffsetStore(rpc)
                : new LocalOffsetStore(config.offsetDir(), config.group());
        ConsumeExecutor executor = new ConsumeExecutor(config.group(), config.consumeThreads(),
                config.consumeQueueMax(), instance.timers());
        boolean orderly = listener instanceof OrderlyListener;
        consume = orderly ? new OrderlyConsumeService(config, (OrderlyListener) listener, rpc, offsets, executor)
                : new ConcurrentConsumeService(config, (ConcurrentListener) listener, rpc, offsets, executor);
        pulls = new PullDriver(config, rpc, offsets, consume, subVersion,
                topic -> config.subscriptions().getOrDefault(topic, TagFilter.ALL), true);
        rebalancer = new Rebalancer(config, rpc, offsets, pulls, orderly, this::topics);
        instance.addConsumerIdsListener(idsChanged);
        lifecycle.markStarted();
        membership = new GroupMembership(rpc, config.group(), rebalancer::topics, this::consumerData);
        membership.heartbeatAll().whenComplete((v, e) -> rebalancer.request());
        every(config.heartbeatIntervalMs(), membership::heartbeatAll);
        every(config.rebalanceIntervalMs(), rebalancer::request);
        every(config.commitIntervalMs(), () -> offsets.commit(rebalancer.assigned()));
        if (orderly && config.model() == MessageModel.CLUSTERING) {
            every(LOCK_RENEW_MS, () -> rebalancer.lockAll(rebalancer.assigned()));
        }
    }

    /** The subscribed topics, plus the retry topic in CLUSTERING. */
    private List<String> topics() {
        List<String> t = new ArrayList<>(config.subscriptions().keySet());
        if (config.model() == MessageModel.CLUSTERING) {
            t.add(Rebalancer.RETRY_PREFIX + config.group());
        }
        return t;
    }

    private void every(long periodMs, Runnable task) {
        timers.add(instance.timers().scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (RuntimeException e) { // timer boundary: one failed run must not cancel the timer
                LOG.warn("consumer {} timer task failed", config.group(), e);
            }
        }, periodMs, periodMs, TimeUnit.MILLISECONDS));
    }

    private void onConsumerIdsChanged(String group) {
        if (lifecycle.isStarted() && group.equals(config.group())) {
            rebalancer.request();
        }
    }

    /** What heartbeats say of this consumer: group, model and subscriptions (and the retry topic in CLUSTERING). */
    ConsumerData consumerData() {
        List<SubscriptionData> subs = new ArrayList<>();
        for (Map.Entry<String, TagFilter> s : config.subscriptions().entrySet()) {
            subs.add(s.getValue().toSubscription(s.getKey(), subVersion));
        }
        if (config.model() == MessageModel.CLUSTERING) {
            subs.add(TagFilter.ALL.toSubscription(Rebalancer.RETRY_PREFIX + config.group(), subVersion));
        }
        return new ConsumerData(config.group(), ConsumerData.CONSUME_PASSIVELY, config.model().name(),
                config.consumeFrom().wireName(), subs, false);
    }

    /**
     * Stops the consumer (see the class comment); returns once listener calls ended (or after
     * {@link #SHUTDOWN_WAIT_MS}) and offsets were committed. Idempotent.
     */
    public synchronized void shutdown() {
        if (!lifecycle.markStopped()) {
            return;
        }
        for (ScheduledFuture<?> t : timers) {
            t.cancel(false);
        }
        timers.clear();
        instance.removeConsumerIdsListener(idsChanged);
        pulls.stop();
        List<ProcessQueue> queues = rebalancer.stop();
        consume.shutdown(SHUTDOWN_WAIT_MS);
        List<MessageQueue> mqs = new ArrayList<>();
        for (ProcessQueue pq : queues) {
            mqs.add(pq.queue);
        }
        awaitQuietly(offsets.commit(mqs), "offset commit");
        if (listener instanceof OrderlyListener && config.model() == MessageModel.CLUSTERING) {
            awaitQuietly(unlockAll(mqs), "unlock");
        }
        awaitQuietly(membership.unregisterAll(), "unregister");
        lifecycle.endShutdown();
    }

    private CompletableFuture<Void> unlockAll(List<MessageQueue> mqs) {
        Map<String, Set<MessageQueue>> byBroker = new TreeMap<>();
        for (MessageQueue mq : mqs) {
            byBroker.computeIfAbsent(mq.brokerName(), k -> new TreeSet<>()).add(mq);
        }
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        byBroker.forEach((b, set) -> calls.add(rpc.unlock(b, set).exceptionally(e -> null)));
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]));
    }

    private void awaitQuietly(CompletableFuture<?> f, String what) {
        try {
            f.get(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("consumer {} shutdown: {} did not complete: {}", config.group(), what, e.toString());
        }
    }

    @Override
    public void close() {
        shutdown();
    }

    public ConsumerConfig config() {
        return config;
    }

    /** This consumer's client id (what the brokers list for the group). */
    public String clientId() {
        return clientId;
    }

    /** The client instance (shared with other clients built on it). */
    public ClientInstance instance() {
        return instance;
    }

    /** The queues this consumer pulls now. */
    public Set<MessageQueue> assignment() {
        return lifecycle.isStarted() ? rebalancer.assigned() : Set.of();
    }

    /** The committed-or-pending offset of {@code mq} in memory, -1 if none. */
    public long offset(MessageQueue mq) {
        return offsets == null ? -1 : offsets.offset(mq);
    }

    /** Listener threads alive now (0 after shutdown). */
    public int consumeThreadsAlive() {
        return consume == null ? 0 : consume.liveThreads();
    }

    /** Times a queue's pulls paused because its cached messages or bytes were over the limits. */
    public long flowControlPauses() {
        return pulls == null ? 0 : pulls.flowControlled();
    }

    /** Rebalances now (normally timer- and broker-driven). */
    public void rebalance() {
        if (lifecycle.isStarted()) {
            rebalancer.request();
        }
    }
}
