package io.raftmq.tools.bench.client;

import io.raftmq.tools.bench.BenchCli;
import io.raftmq.tools.bench.LiveProgress;
import io.raftmq.tools.bench.ProcessMeter;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageRequestMode;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;

import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pop against push consumption through the OFFICIAL RocketMQ 5.3.3 push consumer, same topic, same run: fills a
 * fresh topic with {@code --messages} messages (the body starts with the message's number), then per round a push
 * consumer (a fresh group pulling from the first offset, client rebalance) and a pop consumer (a fresh group the bench
 * switches to POP with SET_MESSAGE_REQUEST_MODE on every broker of the route, as {@code mqadmin setConsumeMode} does;
 * the consumer with client rebalance off, so it asks QUERY_ASSIGNMENT and pops; docs/consumer-protocol.md "Pop
 * consumption") each consume all of it with client defaults otherwise. Per run it prints
 * {@code RESULT mode=consume-pop kind=push|pop round=.. msgs=.. distinct=.. duplicates=.. msg_s=..
 * broker_cpu_us_per_msg=..}: the rate over the time from the consumer's start to its last new message, broker CPU
 * (with {@code --data}, the cluster's directory) over the same window. Exits 1 when a run misses a message.
 * Usage: {@code bin/raftmq-bench consume-pop}.
 */
public final class PopConsumeBench {
    private static final long STALL_MAX_MS = 15_000;

    private PopConsumeBench() {
    }

    static final String USAGE = String.join("\n",
            "bin/raftmq-bench consume-pop [--namesrv 127.0.0.1:9876] [--messages 100000] [--size 1024] [--queues 8]",
            "    [--rounds 3] [--data DIR]",
            "Fills a fresh topic, then per round consumes all of it with a push consumer and with a pop consumer",
            "(fresh groups, the pop one switched to POP). --data: the cluster's directory, for broker CPU.");

    /** Parses the flags (see {@link TopicRoundsConfig}). */
    static TopicRoundsConfig parse(String[] args) {
        return TopicRoundsConfig.parse(args, 1024);
    }

    /** One consumer run. */
    private record Run(long received, int distinct, long elapsedNs, double brokerUsPerMessage) {
    }

    public static void main(String[] args) {
        BenchCli.main(args, "consume-pop bench", USAGE, PopConsumeBench::parse, PopConsumeBench::run);
    }

    static int run(TopicRoundsConfig c) throws Exception {
        String runId = Long.toHexString(System.currentTimeMillis());
        String topic = "PopConsumeBench_" + runId;
        BatchFill.fill(c.namesrv(), topic, c.queues(), c.messages(), i -> {
            byte[] body = new byte[c.size()];
            ByteBuffer.wrap(body).putInt(i);
            return new Message(topic, body);
        });
        ProcessMeter meter = ProcessMeter.ofDataDir(c.dataDir());
        boolean ok = true;
        for (int round = 1; round <= c.rounds(); round++) {
            for (String kind : new String[] {"push", "pop"}) {
                String group = "PopBenchCG_" + kind + "_" + round + "_" + runId;
                if (kind.equals("pop")) {
                    switchToPop(c.namesrv(), topic, group);
                }
                Run r = consume(c, meter, topic, group, kind.equals("pop"));
                ok &= r.distinct() == c.messages();
                System.out.printf(Locale.ROOT, "RESULT mode=consume-pop kind=%s round=%d msgs=%d distinct=%d"
                        + " duplicates=%d msg_s=%.0f broker_cpu_us_per_msg=%.2f%n", kind, round, c.messages(),
                    r.distinct(), r.received() - r.distinct(), r.distinct() * 1e9 / r.elapsedNs(),
                    r.brokerUsPerMessage());
            }
        }
        return ok ? 0 : 1;
    }

    /** SET_MESSAGE_REQUEST_MODE (POP) for {@code group} on {@code topic} at the master of every broker of its route. */
    private static void switchToPop(String namesrv, String topic, String group) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("PopBenchAdminPG");
        p.setNamesrvAddr(namesrv);
        p.setInstanceName("popbench-admin-" + System.nanoTime());
        p.start();
        try {
            MQClientAPIImpl api = p.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();
            TopicRouteData route = api.getTopicRouteInfoFromNameServer(topic, 3000);
            for (BrokerData b : route.getBrokerDatas()) {
                api.setMessageRequestMode(b.selectBrokerAddr(), topic, group, MessageRequestMode.POP, 0, 5000);
            }
        } finally {
            p.shutdown();
        }
    }

    private static Run consume(TopicRoundsConfig c, ProcessMeter meter, String topic, String group, boolean pop)
            throws Exception {
        AtomicIntegerArray seen = new AtomicIntegerArray(c.messages());
        LongAdder received = new LongAdder();
        LongAdder distinct = new LongAdder();
        AtomicLong lastNs = new AtomicLong();
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(c.namesrv());
        consumer.setInstanceName("popbench-c-" + System.nanoTime());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setClientRebalance(!pop);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                int i = ByteBuffer.wrap(m.getBody()).getInt();
                received.increment();
                if (i >= 0 && i < c.messages() && seen.getAndSet(i, 1) == 0) {
                    distinct.increment();
                    lastNs.set(System.nanoTime());
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        ProcessMeter.Sample from = meter.sample();
        long start = System.nanoTime();
        consumer.start();
        ProcessMeter.Sample to;
        try {
            LiveProgress.awaitCount("consume", distinct::sum, c.messages(), STALL_MAX_MS);
            to = meter.sample();
        } finally {
            consumer.shutdown();
        }
        long n = distinct.sum();
        return new Run(received.sum(), (int) n, Math.max(1, lastNs.get() - start),
            meter.brokersUsPerMessage(from, to, Math.max(1, n)));
    }
}
