package io.raftmq.client.producer;

import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.instance.ClientLifecycle;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.remoting.RemotingException;
import io.raftmq.client.route.TopicRoute;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The RaftMQ producer: sends messages to a RocketMQ-protocol cluster (RaftMQ, or Apache RocketMQ) through
 * SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE, with retries and fast leader failover (docs/sdk.md).
 * <pre>
 * Producer p = new Producer(ProducerConfig.builder().namesrv("127.0.0.1:9876").group("PG").build());
 * p.start();
 * SendResult r = p.send(Message.of("Orders", "hello").keys("order-1"));
 * p.shutdown();
 * </pre>
 * Threads: {@link #send} runs on the caller's thread until its request is written and then waits; the answer and any
 * retry run on the client instance's event loop. {@link #sendAsync} returns at once; its future completes on the
 * instance's callback executor (bounded; when full, on the event loop), never on the event loop otherwise, so
 * dependent stages may block briefly. No thread per request. Thread-safe after {@link #start()}.
 */
public final class Producer implements AutoCloseable {
    /** Queues a broker gives a topic it auto-creates from TBW102 (the official client's default). */
    static final int DEFAULT_TOPIC_QUEUES = 4;

    private final ProducerConfig config;
    private final ClientInstance instance;
    private final ClientLifecycle lifecycle;
    private final Shared shared = new Shared();
    private final UniqIds ids = UniqIds.process();

    /** State the sends of one producer share. */
    static final class Shared {
        private final AtomicInteger nextQueue = new AtomicInteger();

        int nextQueue() {
            return nextQueue.getAndIncrement();
        }
    }

    /** A producer with its own client instance (started and shut down with it). */
    public Producer(ProducerConfig config) {
        this(config, new ClientInstance(config.client()), true);
    }

    /** A producer on a shared, already started client instance (not shut down by {@link #shutdown()}). */
    public Producer(ProducerConfig config, ClientInstance shared) {
        this(config, shared, false);
    }

    private Producer(ProducerConfig config, ClientInstance instance, boolean ownsInstance) {
        this.config = config;
        this.instance = instance;
        this.lifecycle = new ClientLifecycle(instance, ownsInstance, "producer");
    }

    public synchronized void start() {
        lifecycle.beginStart();
        lifecycle.markStarted();
    }

    /**
     * Stops the producer; with its own instance, closes every connection, fails sends in flight and ends its threads
     * before returning. Idempotent.
     */
    public synchronized void shutdown() {
        lifecycle.markStopped();
        lifecycle.endShutdown();
    }

    @Override
    public void close() {
        shutdown();
    }

    public ProducerConfig config() {
        return config;
    }

    /** The client instance (routes, fault state; shared with other clients built on it). */
    public ClientInstance instance() {
        return instance;
    }

    /**
     * Sends and waits for the answer, retrying as described in docs/sdk.md.
     *
     * @throws SendException        when every attempt failed, or the send timed out
     * @throws InterruptedException if interrupted while waiting (the send may still complete)
     * @throws IllegalArgumentException if the message is invalid (topic, sizes, property names)
     */
    public SendResult send(Message msg) throws SendException, InterruptedException {
        return await(call(msg, null, null, false).start());
    }

    /** Sends to the queue {@code selector} picks (on every attempt: ordered sends), and waits. */
    public SendResult send(Message msg, MessageQueueSelector selector, Object arg)
            throws SendException, InterruptedException {
        return await(call(msg, selector, arg, false).start());
    }

    /** Sends without waiting; the future fails with {@link SendException}. */
    public CompletableFuture<SendResult> sendAsync(Message msg) {
        return call(msg, null, null, true).start();
    }

    /** {@link #sendAsync(Message)} to the queue {@code selector} picks. */
    public CompletableFuture<SendResult> sendAsync(Message msg, MessageQueueSelector selector, Object arg) {
        return call(msg, selector, arg, true).start();
    }

    /** Sends {@code msgs} (one topic, no delay) as one SEND_BATCH_MESSAGE and waits; never compressed. */
    public SendResult sendBatch(List<Message> msgs) throws SendException, InterruptedException {
        return await(batchCall(msgs, false).start());
    }

    /** {@link #sendBatch} without waiting. */
    public CompletableFuture<SendResult> sendBatchAsync(List<Message> msgs) {
        return batchCall(msgs, true).start();
    }

    /**
     * Sends once without an answer (no retry): returns when the request is written. The message is lost if the
     * broker cannot take it.
     *
     * @throws SendException        if there is no route or the request could not be written
     * @throws InterruptedException if interrupted
     */
    public void sendOneway(Message msg) throws SendException, InterruptedException {
        SendCall.Payload p = payload(msg);
        TopicRoute route;
        try {
            route = instance.route(msg.topic()).get(config.sendTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new SendException(SendException.CLIENT_SIDE, "no route for topic " + msg.topic() + ": " + e, e);
        }
        if (route.writeQueues().isEmpty()) {
            throw new SendException(SendException.CLIENT_SIDE, "topic " + msg.topic() + " has no writable queue",
                    null);
        }
        List<MessageQueue> qs = route.writeQueues();
        MessageQueue mq = qs.get(Math.floorMod(shared.nextQueue(), qs.size()));
        String addr = instance.routes().leaderFor(mq.brokerName(), instance.faults());
        if (addr == null) {
            throw new SendException(SendException.CLIENT_SIDE, "no address known for broker group "
                    + mq.brokerName(), null);
        }
        SendMessageRequestHeader h = new SendMessageRequestHeader(config.group(), msg.topic(),
                TopicRoute.DEFAULT_TOPIC, DEFAULT_TOPIC_QUEUES, mq.queueId(), p.sysFlag(), System.currentTimeMillis(),
                msg.flag(), p.properties(), 0, false, false, null, mq.brokerName());
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2, h.asV2()).setBody(p.body());
        try {
            instance.remoting().invokeOneway(addr, req, config.sendTimeoutMs());
        } catch (RemotingException e) {
            instance.faults().markFailed(addr);
            instance.refreshRoute(msg.topic());
            throw new SendException(SendException.CLIENT_SIDE, "oneway send to " + addr + " failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Sends {@code msg} as the half message of a transaction ({@link TransactionProducer}): its properties gain
     * {@code halfProperties} (TRAN_MSG, PGROUP) and its sysFlag {@code halfSysFlag}; retried as any send.
     */
    CompletableFuture<SendResult> sendHalf(Message msg, String halfProperties, int halfSysFlag) {
        checkStarted();
        SendCall.Payload p = payload(msg);
        SendCall.Payload half = new SendCall.Payload(p.message(), p.requestCode(), p.body(), p.sysFlag() | halfSysFlag,
                p.properties() + halfProperties, p.msgId());
        return new SendCall(instance, config, shared, half, null, null, false).start();
    }

    private SendCall call(Message msg, MessageQueueSelector selector, Object arg, boolean async) {
        checkStarted();
        return new SendCall(instance, config, shared, payload(msg), selector, arg, async);
    }

    private SendCall.Payload payload(Message msg) {
        MessageCodec.validate(msg, config.bodyBytesMax());
        String uniq = ids.next(System.currentTimeMillis());
        String props = MessageCodec.properties(msg, uniq);
        byte[] body = msg.body();
        int sysFlag = 0;
        if (body.length >= config.compressThresholdBytes()) {
            byte[] z = MessageCodec.compress(body);
            if (z != null) {
                body = z;
                sysFlag |= MessageCodec.SYSFLAG_COMPRESSED_ZLIB;
            }
        }
        return new SendCall.Payload(msg, RequestCode.SEND_MESSAGE_V2, body, sysFlag, props, uniq);
    }

    private SendCall batchCall(List<Message> msgs, boolean async) {
        checkStarted();
        if (msgs == null || msgs.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one message");
        }
        String topic = msgs.get(0).topic();
        List<String> props = new ArrayList<>(msgs.size());
        StringBuilder ids = new StringBuilder(msgs.size() * 33);
        long now = System.currentTimeMillis();
        for (Message m : msgs) {
            MessageCodec.validate(m, config.bodyBytesMax());
            if (!m.topic().equals(topic)) {
                throw new IllegalArgumentException("all messages of a batch need one topic: " + topic + " and "
                        + m.topic());
            }
            if (m.delayTimeLevel() > 0 || m.deliverTimeMs() > 0) {
                throw new IllegalArgumentException("batched messages may not have a delay or delivery time");
            }
            if (topic.startsWith("%RETRY%")) {
                throw new IllegalArgumentException("a batch may not go to a retry topic: " + topic);
            }
            String uniq = this.ids.next(now);
            props.add(MessageCodec.properties(m, uniq));
            ids.append(ids.length() == 0 ? "" : ",").append(uniq);
        }
        byte[] body = MessageCodec.batchBody(msgs, props, config.bodyBytesMax());
        SendCall.Payload p = new SendCall.Payload(msgs.get(0), RequestCode.SEND_BATCH_MESSAGE, body, 0,
                MessageCodec.batchProperties(), ids.toString());
        return new SendCall(instance, config, shared, p, null, null, async);
    }

    private void checkStarted() {
        lifecycle.checkStarted();
    }

    private SendResult await(CompletableFuture<SendResult> f) throws SendException, InterruptedException {
        try {
            return f.get(config.sendTimeoutMs() + 2_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SendException se) {
                throw se;
            }
            throw new SendException(SendException.CLIENT_SIDE, "send failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new SendException(SendException.CLIENT_SIDE, "no outcome within " + config.sendTimeoutMs()
                    + " ms", e);
        }
    }
}
