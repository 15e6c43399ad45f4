package io.raftmq.tools.bench.client;

import io.raftmq.client.Verify;
import io.raftmq.tools.bench.BenchCli;
import io.raftmq.tools.bench.LiveProgress;
import io.raftmq.tools.bench.ProcessMeter;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Pull throughput with a broker-side filter, through the OFFICIAL RocketMQ 5.3.3 push consumer: one topic is filled
 * with {@code --messages} messages where message i carries tag {@code T<i mod 10>} and user property
 * {@code a = i mod 10}; then, per round, three fresh consumer groups read the whole topic from its first offset, one
 * per subscription, in this order: no filter ({@code *}, every message delivered), a tag filter ({@code T0}, 10 %
 * delivered) and a SQL92 filter ({@code a = 0}, 10 % delivered; docs/consumer-protocol.md "SQL92 filters"). Every
 * run scans every queue offset of the topic; what differs is where the messages are dropped (the ConsumeQueue's tag
 * hash, the stored properties) and how many cross the wire. Per run it prints
 * {@code RESULT mode=pull-filter filter=.. round=.. scanned=.. delivered=.. scanned_s=.. delivered_s=..
 * broker_cpu_us_per_scanned=..}: rates over the time from the consumer's start to its last message, broker CPU
 * (with {@code --data}, the cluster's directory) over the same window divided by the offsets scanned. Exits 1 when
 * a run misses a message or is handed one its filter does not match. Usage: {@code bin/raftmq-bench pull-filter}.
 */
public final class FilterPullBench {
    private static final long STALL_MAX_MS = 15_000;
    private static final List<String> FILTERS = List.of("none", "tag", "sql");

    private FilterPullBench() {
    }

    static final String USAGE = String.join("\n",
            "bin/raftmq-bench pull-filter [--namesrv 127.0.0.1:9876] [--messages 100000] [--size 256] [--queues 8]",
            "    [--rounds 3] [--data DIR]",
            "Fills a fresh topic (tag T<i%10>, property a=i%10), then per round consumes all of it three times with",
            "fresh groups: no filter, tag T0, SQL92 'a = 0'. --data: the cluster's directory, for broker CPU.");

    /** Parses the flags (see {@link TopicRoundsConfig}); the filters need a multiple of 10 messages. */
    static TopicRoundsConfig parse(String[] args) {
        TopicRoundsConfig c = TopicRoundsConfig.parse(args, 256);
        Verify.argument(c.messages() % 10 == 0, "need --messages a multiple of 10");
        return c;
    }

    /** One consumer run: what it was handed and how fast. */
    private record Run(String filter, long delivered, long mismatched, long elapsedNs, double brokerUsPerScanned) {
    }

    public static void main(String[] args) {
        BenchCli.main(args, "pull-filter bench", USAGE, FilterPullBench::parse, FilterPullBench::run);
    }

    static int run(TopicRoundsConfig c) throws Exception {
        String runId = Long.toHexString(System.currentTimeMillis());
        String topic = "FilterPullBench_" + runId;
        fill(c, topic);
        ProcessMeter meter = ProcessMeter.ofDataDir(c.dataDir());
        boolean ok = true;
        for (int round = 1; round <= c.rounds(); round++) {
            for (String filter : FILTERS) {
                Run r = consume(c, meter, topic, "FilterPullCG_" + filter + "_" + round + "_" + runId, filter);
                long expected = filter.equals("none") ? c.messages() : c.messages() / 10;
                ok &= r.delivered() == expected && r.mismatched() == 0;
                double secs = r.elapsedNs() / 1e9;
                System.out.printf(Locale.ROOT, "RESULT mode=pull-filter filter=%s round=%d scanned=%d delivered=%d"
                        + " expected=%d mismatched=%d scanned_s=%.0f delivered_s=%.0f broker_cpu_us_per_scanned=%.2f%n",
                    filter, round, c.messages(), r.delivered(), expected, r.mismatched(), c.messages() / secs,
                    r.delivered() / secs, r.brokerUsPerScanned());
            }
        }
        return ok ? 0 : 1;
    }

    /** Message i: tag T(i%10), user property a = i%10, a body of --size bytes. */
    private static void fill(TopicRoundsConfig c, String topic) throws Exception {
        byte[] body = new byte[c.size()];
        Arrays.fill(body, (byte) 'x');
        BatchFill.fill(c.namesrv(), topic, c.queues(), c.messages(), i -> {
            Message m = new Message(topic, "T" + (i % 10), body);
            m.putUserProperty("a", Integer.toString(i % 10));
            return m;
        });
    }

    /** Reads the whole topic with a fresh group and one filter; waits until nothing new came for 15 s or all did. */
    private static Run consume(TopicRoundsConfig c, ProcessMeter meter, String topic, String group, String filter)
            throws Exception {
        long expected = filter.equals("none") ? c.messages() : c.messages() / 10;
        LongAdder got = new LongAdder();
        LongAdder mismatched = new LongAdder();
        AtomicLong lastNs = new AtomicLong();
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(c.namesrv());
        consumer.setInstanceName("filterpull-c-" + System.nanoTime());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        switch (filter) {
            case "tag" -> consumer.subscribe(topic, "T0");
            case "sql" -> consumer.subscribe(topic, MessageSelector.bySql("a = 0"));
            default -> consumer.subscribe(topic, "*");
        }
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                if (!filter.equals("none") && !("T0".equals(m.getTags()) && "0".equals(m.getUserProperty("a")))) {
                    mismatched.increment();
                }
            }
            got.add(msgs.size());
            lastNs.set(System.nanoTime());
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        ProcessMeter.Sample from = meter.sample();
        long start = System.nanoTime();
        consumer.start();
        ProcessMeter.Sample to;
        try {
            LiveProgress.awaitCount("consume", got::sum, expected, STALL_MAX_MS);
            to = meter.sample();
        } finally {
            consumer.shutdown();
        }
        long elapsed = Math.max(1, lastNs.get() - start);
        return new Run(filter, got.sum(), mismatched.sum(), elapsed,
            meter.brokersUsPerMessage(from, to, c.messages()));
    }
}
