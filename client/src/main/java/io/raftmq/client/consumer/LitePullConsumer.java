package io.raftmq.client.consumer;

import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.instance.ClientLifecycle;
import io.raftmq.client.protocol.body.ConsumerData;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.SubscriptionData;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The RaftMQ lite pull consumer: the application polls. Queues are either assigned ({@link #assign}) or divided
 * among the group's consumers like a push consumer's ({@link #subscribe}, CLUSTERING, rebalanced every
 * {@code rebalanceIntervalMs} and when the brokers say the group changed). Behind {@link #poll}, the same
 * {@link PullDriver} as the push consumer keeps one long poll in flight per queue on the event loop and buffers what
 * it gets (bounded per queue by {@code cachedMessagesMax}/{@code cachedBytesMax}); {@code poll} hands out buffered
 * batches. A polled message counts as consumed: the queue's offset moves past it, and is committed every
 * {@code commitIntervalMs} with {@code autoCommit}, else only by {@link #commitSync()}. There is no send-back: a
 * message the application cannot handle is its own business (seek back to see it again).
 * <pre>
 * LitePullConsumer c = new LitePullConsumer(ConsumerConfig.builder().namesrv(ns).group("LG").autoCommit(false)
 *         .consumeFrom(ConsumeFrom.FIRST).build());
 * c.start();
 * c.assign(c.fetchQueues("Orders"));
 * List&lt;ReceivedMessage&gt; got = c.poll(1000);
 * c.commitSync();
 * c.shutdown();
 * </pre>
 * Thread-safety: {@code poll} from one thread at a time; the other methods from any thread.
 */
public final class LitePullConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LitePullConsumer.class);
    private static final long SHUTDOWN_WAIT_MS = 5_000;

    private final ConsumerConfig config;
    private final ClientInstance instance;
    private final ClientLifecycle lifecycle;
    private final String clientId = PushConsumer.newClientId();
    private final long subVersion = System.currentTimeMillis();
    private final Map<String, TagFilter> subscriptions = new ConcurrentHashMap<>();
    /** Batches pulled and not yet polled; bounded by the per-queue flow control of the pulls. */
    private final LinkedBlockingQueue<Batch> buffer = new LinkedBlockingQueue<>();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private final Consumer<String> idsChanged = this::onConsumerIdsChanged;
    private ConsumerRpc rpc;
    private OffsetStore offsets;
    private PullDriver pulls;
    private Rebalancer rebalancer;
    private GroupMembership membership;
    private boolean subscribed;

    private record Batch(ProcessQueue pq, List<ReceivedMessage> messages) {
    }

    /** Puts what the pulls get into {@link #buffer}. */
    private final class Buffering implements ConsumeService {
        @Override
        public void submit(ProcessQueue pq, List<ReceivedMessage> messages) {
            buffer.add(new Batch(pq, messages));
        }

        @Override
        public void shutdown(long waitMs) {
            buffer.clear();
        }

        @Override
        public int liveThreads() {
            return 0;
        }
    }

    /** A lite pull consumer with its own client instance; subscriptions of {@code config} are subscribed at start. */
    public LitePullConsumer(ConsumerConfig config) {
        this(config, new ClientInstance(config.client()), true);
    }

    /** A lite pull consumer on a shared, started client instance (not shut down by {@link #shutdown()}). */
    public LitePullConsumer(ConsumerConfig config, ClientInstance shared) {
        this(config, shared, false);
    }

    private LitePullConsumer(ConsumerConfig config, ClientInstance instance, boolean ownsInstance) {
        this.config = config;
        this.instance = instance;
        this.lifecycle = new ClientLifecycle(instance, ownsInstance, "consumer");
        subscriptions.putAll(config.subscriptions());
    }

    /** Starts the client side (no queue is pulled until {@link #assign} or {@link #subscribe}). */
    public synchronized void start() {
        lifecycle.beginStart();
        rpc = new ConsumerRpc(instance, config.group(), clientId);
        offsets = config.model() == MessageModel.CLUSTERING ? new RemoteOffsetStore(rpc)
                : new LocalOffsetStore(config.offsetDir(), config.group());
        pulls = new PullDriver(config, rpc, offsets, new Buffering(), subVersion,
                topic -> subscriptions.getOrDefault(topic, TagFilter.ALL), false);
        rebalancer = new Rebalancer(config, rpc, offsets, pulls, false, () -> new ArrayList<>(subscriptions.keySet()));
        membership = new GroupMembership(rpc, config.group(), rebalancer::topics, this::consumerData);
        lifecycle.markStarted();
        if (config.autoCommit()) {
            every(config.commitIntervalMs(), () -> offsets.commit(rebalancer.assigned()));
        }
        if (!subscriptions.isEmpty()) {
            startSubscribed();
        }
    }

    private void every(long periodMs, Runnable task) {
        timers.add(instance.timers().scheduleWithFixedDelay(task, periodMs, periodMs, TimeUnit.MILLISECONDS));
    }

    private ConsumerData consumerData() {
        List<SubscriptionData> subs = new ArrayList<>();
        subscriptions.forEach((t, f) -> subs.add(f.toSubscription(t, subVersion)));
        return new ConsumerData(config.group(), ConsumerData.CONSUME_ACTIVELY, config.model().name(),
                config.consumeFrom().wireName(), subs, false);
    }

    private void startSubscribed() {
        subscribed = true;
        membership.heartbeatAll().whenComplete((v, e) -> rebalancer.request());
        every(config.heartbeatIntervalMs(), membership::heartbeatAll);
        every(config.rebalanceIntervalMs(), rebalancer::request);
        instance.addConsumerIdsListener(idsChanged);
    }

    private void onConsumerIdsChanged(String group) {
        if (lifecycle.isStarted() && subscribed && group.equals(config.group())) {
            rebalancer.request();
        }
    }

    /**
     * Subscribes {@code topic} ({@code *} or {@code TagA || TagB}): its queues are divided among the group's
     * consumers. Not combinable with {@link #assign}.
     */
    public synchronized void subscribe(String topic, String tagExpression) {
        checkStarted();
        subscriptions.put(topic, TagFilter.parse(tagExpression));
        if (!subscribed) {
            startSubscribed();
        } else {
            membership.heartbeatAll().whenComplete((v, e) -> rebalancer.request());
        }
    }

    /** The readable queues of {@code topic}, sorted (fetches its route). */
    public List<MessageQueue> fetchQueues(String topic) throws InterruptedException {
        checkStarted();
        return await(instance.refreshRoute(topic), "route of " + topic).readQueues();
    }

    /** Pulls exactly {@code mqs} from now on (each from its stored offset, or where {@code consumeFrom} says). */
    public void assign(Collection<MessageQueue> mqs) throws InterruptedException {
        checkStarted();
        if (subscribed) {
            throw new IllegalStateException("assign and subscribe do not combine");
        }
        await(rebalancer.assign(mqs), "assignment");
    }

    /** The queues pulled now. */
    public Set<MessageQueue> assignment() {
        return lifecycle.isStarted() ? rebalancer.assigned() : Set.of();
    }

    /**
     * Waits up to {@code timeoutMs} for messages and returns those buffered (at least one batch, up to about
     * {@code pullBatchMax} messages), or an empty list. What it returns counts as consumed (see the class comment).
     */
    public List<ReceivedMessage> poll(long timeoutMs) throws InterruptedException {
        checkStarted();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        List<ReceivedMessage> out = new ArrayList<>();
        while (out.size() < config.pullBatchMax()) {
            long left = deadline - System.nanoTime();
            Batch b = out.isEmpty() ? buffer.poll(Math.max(0, left), TimeUnit.NANOSECONDS) : buffer.poll();
            if (b == null) {
                break;
            }
            if (b.pq.dropped()) {
                continue; // reassigned or sought: the new pulls deliver from the right place
            }
            long commit = b.pq.remove(b.messages);
            offsets.update(b.pq.queue, commit, true);
            out.addAll(b.messages);
        }
        return out;
    }

    /** Pulls {@code mq} from {@code offset} on (buffered messages of it are discarded); the offset is set there. */
    public void seek(MessageQueue mq, long offset) {
        checkStarted();
        if (offset < 0 || !rebalancer.seek(mq, offset)) {
            throw new IllegalArgumentException("cannot seek " + mq + " to " + offset + ": not assigned or offset < 0");
        }
    }

    /** Seeks {@code mq} to its first message stored at or after {@code timestampMs}. */
    public void seekToTimestamp(MessageQueue mq, long timestampMs) throws InterruptedException {
        checkStarted();
        seek(mq, await(rpc.searchOffset(mq, timestampMs), "offset search"));
    }

    /** Seeks {@code mq} to its first stored message. */
    public void seekToBegin(MessageQueue mq) throws InterruptedException {
        checkStarted();
        seek(mq, await(rpc.minOffset(mq), "min offset"));
    }

    /** Seeks {@code mq} to its end (only messages sent from now on). */
    public void seekToEnd(MessageQueue mq) throws InterruptedException {
        checkStarted();
        seek(mq, await(rpc.maxOffset(mq), "max offset"));
    }

    /** Commits the offsets of every assigned queue now and waits for the brokers (or the file). */
    public void commitSync() throws InterruptedException {
        checkStarted();
        await(offsets.commit(rebalancer.assigned()), "commit");
    }

    /** The offset stored for {@code mq} (asks the broker in CLUSTERING), -1 if none. */
    public long committed(MessageQueue mq) throws InterruptedException {
        checkStarted();
        return config.model() == MessageModel.CLUSTERING ? await(rpc.queryOffset(mq), "offset query")
                : offsets.offset(mq);
    }

    /** The consumed-up-to offset of {@code mq} in memory (what the next commit stores), -1 if none. */
    public long position(MessageQueue mq) {
        return offsets == null ? -1 : offsets.offset(mq);
    }

    private void checkStarted() {
        lifecycle.checkStarted();
    }

    private static <T> T await(CompletableFuture<T> f, String what) throws InterruptedException {
        try {
            return f.get(ConsumerRpc.CALL_TIMEOUT_MS * 3, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " timed out", e);
        }
    }

    /** Stops pulling, commits with {@code autoCommit}, leaves the group, and ends an own instance. Idempotent. */
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
        List<MessageQueue> mqs = new ArrayList<>(rebalancer.assigned());
        rebalancer.stop();
        buffer.clear();
        try {
            if (config.autoCommit()) {
                offsets.commit(mqs).get(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            if (subscribed) {
                membership.unregisterAll().get(SHUTDOWN_WAIT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("lite pull consumer {} shutdown: {}",
                    config.group(), e.toString());
        }
        lifecycle.endShutdown();
    }

    @Override
    public void close() {
        shutdown();
    }
}
