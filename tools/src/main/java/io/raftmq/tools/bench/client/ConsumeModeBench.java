package io.raftmq.tools.bench.client;

import io.raftmq.client.Verify;
import io.raftmq.tools.bench.BenchCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Orderly against concurrent consumption through the OFFICIAL RocketMQ 5.3.3 client, in one run on one topic: sends
 * {@code --messages} messages over {@code --keys} keys to a fresh topic of {@code --queues} queues (each key to one
 * queue, in sequence), then lets a {@code MessageListenerConcurrently} push consumer and then a
 * {@code MessageListenerOrderly} one (each its own fresh group, from the first offset, client defaults: 20 consume
 * threads, pull batch 32) consume all of it. The orderly one holds replicated queue locks (docs/messaging.md
 * "Ordered consumption") and consumes each queue on one thread at a time. Prints
 * {@code RESULT mode=consume-concurrent msgs=.. msg_s=..} and {@code RESULT mode=consume-orderly msgs=.. msg_s=..
 * out_of_order=..}; the rate is messages over the time from the consumer's start to its last message.
 * Usage: {@code bin/raftmq-bench consume-mode} ({@link Config#USAGE}). Exits 1 when a consumer
 * misses messages within 120 s or the orderly one sees a key out of order.
 */
public final class ConsumeModeBench {
    private static final long CONSUME_WAIT_MS = 120_000;
    private static final int SEND_THREADS = 16;

    private ConsumeModeBench() {
    }

    /** The run's settings (defaults in the usage text). */
    record Config(String namesrv, int messages, int queues, int keys, int size) {
        static final String USAGE = String.join("\n",
            "bin/raftmq-bench consume-mode [--namesrv 127.0.0.1:9876] [--messages 40000] [--queues 8] [--keys 64]",
            "    [--size 256]",
            "Sends the messages (key k to queue k mod queues, in sequence), then consumes all of them with a",
            "concurrent and then an orderly push consumer; exit 1 if one misses messages or sees a key out of order.");

        Config {
            Verify.argument(messages >= 1 && queues >= 1 && queues <= 1024 && keys >= 1 && size >= 8,
                "need --messages >= 1, --queues 1..1024, --keys >= 1, --size >= 8");
        }

        static Config parse(String[] args) {
            Flags f = BenchCli.parseFlags(new Flags(), args);
            return new Config(f.namesrv, f.messages, f.queues, f.keys, f.size);
        }
    }

    /** The raw command line. */
    @Command(name = "raftmq-bench consume-mode")
    private static final class Flags {
        @Option(names = "--namesrv")
        String namesrv = "127.0.0.1:9876";
        @Option(names = "--messages")
        int messages = 40_000;
        @Option(names = "--queues")
        int queues = 8;
        @Option(names = "--keys")
        int keys = 64;
        @Option(names = "--size")
        int size = 256;
    }

    public static void main(String[] args) {
        BenchCli.main(args, "consume-mode bench", Config.USAGE, Config::parse, ConsumeModeBench::run);
    }

    static int run(Config c) throws Exception {
        long runId = System.currentTimeMillis();
        String topic = "ConsumeModeBench_" + runId;
        send(c.namesrv(), topic, c.messages(), c.queues(), c.keys(), c.size());
        double conc = consume(c.namesrv(), "BenchConcCG_" + runId, topic, c.messages(), c.keys(), false);
        AtomicLong outOfOrder = new AtomicLong();
        double ord = consume(c.namesrv(), "BenchOrdCG_" + runId, topic, c.messages(), c.keys(), true, outOfOrder);
        System.out.printf(Locale.ROOT, "RESULT mode=consume-concurrent msgs=%d msg_s=%.0f%n", c.messages(), conc);
        System.out.printf(Locale.ROOT, "RESULT mode=consume-orderly msgs=%d msg_s=%.0f out_of_order=%d%n",
            c.messages(), ord, outOfOrder.get());
        return conc > 0 && ord > 0 && outOfOrder.get() == 0 ? 0 : 1;
    }

    /** Sends key k's messages to queue k % queues; body = key (4 bytes) + sequence (4 bytes) + padding. */
    private static void send(String namesrv, String topic, int messages, int queues, int keys, int size)
            throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("ConsumeModeBenchPG");
        p.setNamesrvAddr(namesrv);
        p.setInstanceName("consumemode-p-" + System.nanoTime());
        p.start();
        try {
            ClientBench.ensureTopic(p, topic, queues);
            AtomicInteger failed = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            int perKey = messages / keys;
            for (int t = 0; t < SEND_THREADS; t++) {
                int first = t;
                Thread th = new Thread(() -> {
                    for (int k = first; k < keys; k += SEND_THREADS) {
                        for (int s = 0; s < perKey; s++) {
                            byte[] body = ByteBuffer.allocate(Math.max(8, size)).putInt(k).putInt(s).array();
                            try {
                                var r = p.send(new Message(topic, body), (mqs, m, arg) -> mqs.get((Integer) arg
                                    % mqs.size()), k);
                                if (r.getSendStatus() != SendStatus.SEND_OK) {
                                    failed.incrementAndGet();
                                }
                            } catch (Exception e) { // CLI: count and go on
                                failed.incrementAndGet();
                            }
                        }
                    }
                }, "send-" + t);
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join();
            }
            if (failed.get() > 0 || perKey * keys != messages) {
                throw new IllegalStateException(failed.get() + " sends failed (messages must be a multiple of keys)");
            }
            System.err.println("sent " + messages + " messages to " + topic);
        } finally {
            p.shutdown();
        }
    }

    private static double consume(String namesrv, String group, String topic, int messages, int keys,
                                  boolean orderly) throws Exception {
        return consume(namesrv, group, topic, messages, keys, orderly, new AtomicLong());
    }

    /** Consumes everything with a fresh group; returns messages per second, or 0 if not all came in time. */
    private static double consume(String namesrv, String group, String topic, int messages, int keys,
                                  boolean orderly, AtomicLong outOfOrder) throws Exception {
        AtomicInteger got = new AtomicInteger();
        AtomicLong lastNs = new AtomicLong();
        int[] nextSeq = new int[keys];
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(namesrv);
        c.setInstanceName("consumemode-c-" + System.nanoTime());
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        if (orderly) {
            c.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
                for (MessageExt m : msgs) {
                    ByteBuffer b = ByteBuffer.wrap(m.getBody());
                    int k = b.getInt();
                    int s = b.getInt();
                    synchronized (nextSeq) {
                        if (s != nextSeq[k]) {
                            outOfOrder.incrementAndGet();
                        }
                        nextSeq[k] = s + 1;
                    }
                    got.incrementAndGet();
                }
                lastNs.set(System.nanoTime());
                return ConsumeOrderlyStatus.SUCCESS;
            });
        } else {
            c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                got.addAndGet(msgs.size());
                lastNs.set(System.nanoTime());
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
        }
        long start = System.nanoTime();
        c.start();
        try {
            while (got.get() < messages && System.nanoTime() - start < CONSUME_WAIT_MS * 1_000_000) {
                LockSupport.parkNanos(10_000_000L);
            }
        } finally {
            c.shutdown();
        }
        System.err.printf(Locale.ROOT, "%s: %d of %d in %.2f s%n", orderly ? "orderly" : "concurrent", got.get(),
            messages, (lastNs.get() - start) / 1e9);
        return got.get() < messages ? 0 : got.get() * 1e9 / (lastNs.get() - start);
    }
}
