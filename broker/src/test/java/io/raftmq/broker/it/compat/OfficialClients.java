package io.raftmq.broker.it.compat;

import io.raftmq.broker.it.TestCluster;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.exception.RemotingException;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Test helper: creates official RocketMQ 5.3.3 clients (producer, push and lite-pull consumers, mqadmin) bound to a
 * {@link TestCluster}'s NameServer, each with a unique instance name (so every one gets its own client instance,
 * threads and clientID), and shuts all of them down in reverse order on {@link #close}. Consumers started here
 * record what they receive in a {@link Received}.
 */
final class OfficialClients implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final TestCluster cluster;
    private final Deque<Runnable> shutdowns = new ArrayDeque<>();

    OfficialClients(TestCluster cluster) {
        this.cluster = cluster;
    }

    /** What one consumer received: body → how many times, plus the queues the bodies came from. */
    static final class Received {
        final Map<String, AtomicInteger> bodies = new ConcurrentHashMap<>();
        final Map<Integer, Boolean> queueIds = new ConcurrentHashMap<>();
        final List<MessageExt> messages = java.util.Collections.synchronizedList(new ArrayList<>());

        void add(MessageExt m) {
            bodies.computeIfAbsent(body(m), k -> new AtomicInteger()).incrementAndGet();
            queueIds.put(m.getQueueId(), Boolean.TRUE);
            messages.add(m);
        }

        int total() {
            int n = 0;
            for (AtomicInteger c : bodies.values()) {
                n += c.get();
            }
            return n;
        }
    }

    static String body(MessageExt m) {
        return new String(m.getBody(), StandardCharsets.UTF_8);
    }

    private static String instance(String what) {
        return what + "-" + SEQ.incrementAndGet() + "-" + System.nanoTime();
    }

    DefaultMQProducer producer(String group) throws MQClientException {
        return producer(group, p -> { });
    }

    /** A started producer, {@code configure} applied before the start (e.g. a shorter route poll). */
    DefaultMQProducer producer(String group, Consumer<DefaultMQProducer> configure) throws MQClientException {
        DefaultMQProducer p = new DefaultMQProducer(group);
        p.setNamesrvAddr(cluster.namesrv());
        p.setInstanceName(instance("p"));
        p.setSendMsgTimeout(5000);
        configure.accept(p);
        p.start();
        shutdowns.push(p::shutdown);
        return p;
    }

    /** Sends {@code n} messages with bodies {@code prefix-i} and keys {@code prefix-i}; asserts SEND_OK. */
    static List<SendResult> sendAll(DefaultMQProducer p, String topic, String prefix, int n)
            throws MQClientException, RemotingException, MQBrokerException, InterruptedException {
        List<SendResult> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Message m = new Message(topic, "TagA", (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
            m.setKeys(prefix + "-" + i);
            SendResult r = p.send(m);
            if (r.getSendStatus() != SendStatus.SEND_OK) {
                throw new AssertionError("send " + i + " not OK: " + r);
            }
            out.add(r);
        }
        return out;
    }

    /** A started push consumer (concurrent listener, CONSUME_FROM_FIRST_OFFSET) recording into {@code into}. */
    DefaultMQPushConsumer push(String group, String topic, MessageModel model, Received into)
            throws MQClientException {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(cluster.namesrv());
        c.setInstanceName(instance("c"));
        c.setMessageModel(model);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        // the listener sees a batch before the consumer updates its offset (after the listener returns): shutdown
        // waits for running consume tasks before it persists the offsets, so tests that wait for every message and
        // then shut down commit the last batch too (by default it does not wait; a lag check failed in CI)
        c.setAwaitTerminationMillisWhenShutdown(10_000);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            msgs.forEach(into::add);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        shutdowns.push(c::shutdown);
        return c;
    }

    /** A lite pull consumer, configured but not started (the caller subscribes or assigns first). */
    DefaultLitePullConsumer litePull(String group) {
        DefaultLitePullConsumer c = new DefaultLitePullConsumer(group);
        c.setNamesrvAddr(cluster.namesrv());
        c.setInstanceName(instance("l"));
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setPollTimeoutMillis(1000);
        shutdowns.push(c::shutdown);
        return c;
    }

    DefaultMQAdminExt admin() throws MQClientException {
        DefaultMQAdminExt a = new DefaultMQAdminExt(5000);
        a.setNamesrvAddr(cluster.namesrv());
        a.setInstanceName(instance("admin"));
        a.start();
        shutdowns.push(a::shutdown);
        return a;
    }

    @Override
    public void close() {
        while (!shutdowns.isEmpty()) {
            shutdowns.pop().run();
        }
    }
}
