package io.raftmq.tools.bench.sdk;

import io.raftmq.client.Verify;
import io.raftmq.client.consumer.ConcurrentListener;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
import io.raftmq.client.consumer.PushConsumer;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.tools.bench.BenchCli;
import io.raftmq.tools.bench.LiveProgress;
import io.raftmq.tools.bench.ProcessMeter;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Push-consumer benchmark of our SDK against the official RocketMQ 5.3.3 client, same setup for both:
 * {@code bin/raftmq-bench consume --client raftmq|official}. Against a running cluster it optionally preloads
 * {@code --preload} messages of {@code --size} bytes into {@code --topic} (created with {@code --queues} queues;
 * SDK batch sends from 8 threads), then starts a push consumer of a fresh group from the first offset with the
 * official defaults for both clients (20 consume threads, one message per listener call, pulls of 32) whose listener
 * only counts, and waits until {@code --messages} were consumed (or nothing came for 15 s). Prints
 * {@code RESULT mode=consume client=.. msgs=.. msg_s=.. cpu_us_per_msg=.. broker_cpu_us_per_msg=..}: messages over
 * the time from the consumer's start to its last message, and user + system CPU of this JVM and of the brokers (pid
 * files under {@code --data}) over that time per message. Exits 1 when fewer than {@code --messages} arrived.
 */
public final class SdkConsumeBench {
    private static final long STALL_MAX_MS = 15_000;
    private static final int PRELOAD_THREADS = 8;
    private static final int PRELOAD_BATCH = 32;

    private SdkConsumeBench() {
    }

    /** The run's settings (defaults in the usage text). */
    record Config(String client, String namesrv, String topic, int messages, int preload, int size, int queues,
                  String dataDir) {
        static final String USAGE = String.join("\n",
            "bin/raftmq-bench consume --client raftmq|official [--namesrv 127.0.0.1:9876] [--topic SdkConsumeBench]",
            "    [--messages 300000] [--preload 0] [--size 1024] [--queues 8] [--data ./data]",
            "Preloads --preload messages (0: the topic already holds them), then consumes --messages with a fresh",
            "push consumer group from the first offset; one RESULT line; exit 1 if fewer arrived.");

        Config {
            Verify.argument(client.equals("raftmq") || client.equals("official"),
                "--client must be raftmq or official");
            Verify.argument(messages >= 1 && preload >= 0 && size >= 1 && queues >= 1 && queues <= 1024,
                "need --messages >= 1, --preload >= 0, --size >= 1, --queues 1..1024");
        }

        static Config parse(String[] args) {
            Flags f = BenchCli.parseFlags(new Flags(), args);
            return new Config(f.client, f.namesrv, f.topic, f.messages, f.preload, f.size, f.queues, f.data);
        }
    }

    /** The raw command line. */
    @Command(name = "raftmq-bench consume")
    private static final class Flags {
        @Option(names = "--client", required = true)
        String client;
        @Option(names = "--namesrv")
        String namesrv = "127.0.0.1:9876";
        @Option(names = "--topic")
        String topic = "SdkConsumeBench";
        @Option(names = "--messages")
        int messages = 300_000;
        @Option(names = "--preload")
        int preload;
        @Option(names = "--size")
        int size = 1024;
        @Option(names = "--queues")
        int queues = 8;
        @Option(names = "--data")
        String data;
    }

    public static void main(String[] args) {
        BenchCli.main(args, "consume bench", Config.USAGE, Config::parse, SdkConsumeBench::run);
    }

    static int run(Config c) throws Exception {
        if (c.preload() > 0) {
            SdkProduceBench.ensureTopic(c.namesrv(), c.topic(), c.queues());
            preload(c);
        }
        ProcessMeter meter = ProcessMeter.ofDataDir(c.dataDir());
        LongAdder got = new LongAdder();
        AtomicLong lastNs = new AtomicLong();
        String group = "SdkConsumeBenchCG_" + c.client() + "_" + Long.toHexString(System.currentTimeMillis());
        System.err.printf(Locale.ROOT, "consume bench: client %s, %d messages of %s, group %s, load %s%n", c.client(),
            c.messages(), c.topic(), group, ProcessMeter.loadAverage());
        ProcessMeter.Sample from = meter.sample();
        long start = System.nanoTime();
        AutoCloseable consumer = c.client().equals("raftmq") ? ours(c, group, got, lastNs)
            : official(c, group, got, lastNs);
        try {
            LiveProgress.awaitCount("consume", got::sum, c.messages(), STALL_MAX_MS);
        } finally {
            ProcessMeter.Sample to = meter.sample();
            long msgs = got.sum();
            long elapsedNs = Math.max(1, lastNs.get() - start);
            consumer.close();
            System.out.printf(Locale.ROOT, "RESULT mode=consume client=%s msgs=%d msg_s=%.0f cpu_us_per_msg=%.1f"
                + " broker_cpu_us_per_msg=%.1f%n", c.client(), msgs, msgs * 1e9 / elapsedNs,
                meter.clientUsPerMessage(from, to, msgs), meter.brokersUsPerMessage(from, to, msgs));
            System.err.println("load " + ProcessMeter.loadAverage());
        }
        return got.sum() >= c.messages() ? 0 : 1;
    }

    private static AutoCloseable ours(Config c, String group, LongAdder got, AtomicLong lastNs) {
        PushConsumer p = PushConsumer.concurrent(ConsumerConfig.builder().namesrv(c.namesrv()).group(group)
            .subscribe(c.topic(), "*").consumeFrom(ConsumeFrom.FIRST).build(), msgs -> {
                got.add(msgs.size());
                lastNs.set(System.nanoTime());
                return ConcurrentListener.Status.SUCCESS;
            });
        p.start();
        return p;
    }

    private static AutoCloseable official(Config c, String group, LongAdder got, AtomicLong lastNs)
            throws Exception {
        DefaultMQPushConsumer p = new DefaultMQPushConsumer(group);
        p.setNamesrvAddr(c.namesrv());
        p.setInstanceName("sdkconsume-" + ProcessHandle.current().pid());
        p.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        p.subscribe(c.topic(), "*");
        p.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            got.add(msgs.size());
            lastNs.set(System.nanoTime());
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        p.start();
        return p::shutdown;
    }

    /** Sends {@code preload} random bodies in SDK batches from several threads. */
    private static void preload(Config c) throws Exception {
        try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("SdkConsumeBenchPG")
            .build())) {
            p.start();
            AtomicLong next = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            List<Exception> errors = Collections.synchronizedList(new ArrayList<>());
            long t0 = System.nanoTime();
            for (int t = 0; t < PRELOAD_THREADS; t++) {
                SplittableRandom rnd = new SplittableRandom(t);
                Thread th = new Thread(() -> {
                    long from;
                    while ((from = next.getAndAdd(PRELOAD_BATCH)) < c.preload()) {
                        List<Message> batch = new ArrayList<>();
                        for (long i = from; i < Math.min(c.preload(), from + PRELOAD_BATCH); i++) {
                            byte[] body = new byte[c.size()];
                            rnd.nextBytes(body);
                            batch.add(new Message(c.topic(), body));
                        }
                        try {
                            p.sendBatch(batch);
                        } catch (Exception e) { // CLI: report at the end
                            errors.add(e);
                            return;
                        }
                    }
                }, "preload-" + t);
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join();
            }
            if (!errors.isEmpty()) {
                throw new IllegalStateException("preload failed: " + errors.get(0), errors.get(0));
            }
            System.err.printf(Locale.ROOT, "preloaded %d messages of %d B in %.1f s%n", c.preload(), c.size(),
                (System.nanoTime() - t0) / 1e9);
        }
    }
}
