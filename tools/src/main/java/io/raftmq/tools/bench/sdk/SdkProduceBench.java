package io.raftmq.tools.bench.sdk;

import io.raftmq.client.instance.ClientConfig;
import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.CreateTopicRequestHeader;
import io.raftmq.client.route.TopicRoute;
import io.raftmq.tools.bench.BenchCli;
import io.raftmq.tools.bench.LatencyRecorder;
import io.raftmq.tools.bench.ProcessMeter;
import org.apache.rocketmq.client.producer.DefaultMQProducer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Producer benchmark of our SDK against the official RocketMQ 5.3.3 client, same loop for both:
 * {@code bin/raftmq-bench produce --client raftmq|official}. Against a running cluster ({@code bin/raftmq-cluster
 * start}) it creates the topic unless routed (UPDATE_AND_CREATE_TOPIC to each routed leader), starts
 * {@code --producers} producers and {@code --threads} threads doing synchronous sends of random bodies back to back,
 * prints live msg/s and p99 each second on stderr, and after the warm-up measures for {@code --seconds}: one line
 * {@code RESULT mode=produce client=.. threads=.. size=.. msg_s=.. p50_ms=.. p99_ms=.. p999_ms=.. cpu_us_per_msg=..
 * broker_cpu_us_per_msg=.. errors=..}, where the CPU figures are user + system time of this JVM and of the broker
 * processes (their pid files, or {@code --broker-pids}) over the window, divided by the sends acknowledged in it.
 */
public final class SdkProduceBench {

    private SdkProduceBench() {
    }

    public static void main(String[] args) {
        BenchCli.main(args, "produce bench", SdkProduceConfig.USAGE, SdkProduceConfig::parse, SdkProduceBench::run);
    }

    static int run(SdkProduceConfig c) throws Exception {
        ensureTopic(c.namesrv(), c.topic(), c.queues());
        List<AutoCloseable> closers = new ArrayList<>();
        List<BenchSender> senders = startProducers(c, closers);
        LatencyRecorder window = new LatencyRecorder();
        LatencyRecorder live = new LatencyRecorder();
        LongAdder acked = new LongAdder();
        LongAdder errors = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < c.threads(); i++) {
            BenchSender s = senders.get(i % senders.size());
            byte[] body = new byte[c.sizeBytes()];
            new SplittableRandom(i).nextBytes(body);
            Thread t = new Thread(() -> loop(c.topic(), s, body, stop, window, live, acked, errors), "bench-" + i);
            t.start();
            threads.add(t);
        }
        ProcessMeter meter = meter(c);
        System.err.printf(Locale.ROOT, "produce bench: client %s, %d threads over %d producers, %d B, warm-up %d s,"
            + " measure %d s, brokers %s, load %s%n", c.client(), c.threads(), c.producers(), c.sizeBytes(),
            c.warmupMs() / 1000, c.durationMs() / 1000, meter.pids(), ProcessMeter.loadAverage());
        progress(c.warmupMs(), acked, live, "warm-up");
        window.snapshot();
        long acked0 = acked.sum();
        long errors0 = errors.sum();
        ProcessMeter.Sample from = meter.sample();
        long t0 = System.nanoTime();
        progress(c.durationMs(), acked, live, "measure");
        long elapsedNs = System.nanoTime() - t0;
        long msgs = acked.sum() - acked0;
        ProcessMeter.Sample to = meter.sample();
        double cpuUs = meter.clientUsPerMessage(from, to, msgs);
        double brokerUs = meter.brokersUsPerMessage(from, to, msgs);
        LatencyRecorder.Snapshot h = window.snapshot();
        long errs = errors.sum() - errors0;
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        for (AutoCloseable a : closers) {
            a.close();
        }
        System.out.printf(Locale.ROOT, "RESULT mode=produce client=%s threads=%d size=%d msg_s=%.0f p50_ms=%.3f"
            + " p99_ms=%.3f p999_ms=%.3f cpu_us_per_msg=%.1f broker_cpu_us_per_msg=%.1f errors=%d%n", c.client(),
            c.threads(), c.sizeBytes(), msgs * 1e9 / elapsedNs, h.quantileMillis(0.5), h.quantileMillis(0.99),
            h.quantileMillis(0.999), cpuUs, brokerUs, errs);
        System.out.println(meter.report(from, to, msgs, elapsedNs));
        System.err.println("load " + ProcessMeter.loadAverage());
        return errs == 0 ? 0 : 1;
    }

    /** The given broker pids, else the members of the cluster under the data directory, if it has pid files. */
    private static ProcessMeter meter(SdkProduceConfig c) throws IOException {
        if (!c.brokerPids().isEmpty()) {
            return ProcessMeter.forPids(c.brokerPids());
        }
        return ProcessMeter.ofDataDir(c.dataDir());
    }

    private static void loop(String topic, BenchSender s, byte[] body, AtomicBoolean stop, LatencyRecorder window,
                             LatencyRecorder live, LongAdder acked, LongAdder errors) {
        try {
            while (!stop.get()) {
                long t0 = System.nanoTime();
                boolean ok = s.send(topic, body);
                long ns = System.nanoTime() - t0;
                if (ok) {
                    acked.increment();
                    window.recordNanos(ns);
                    live.recordNanos(ns);
                } else {
                    errors.increment();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits {@code ms}, printing msg/s and p99 of each second on stderr. */
    private static void progress(long ms, LongAdder acked, LatencyRecorder live, String phase) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        long last = acked.sum();
        while (System.nanoTime() - end < 0) {
            LockSupport.parkNanos(Math.min(1_000_000_000L, end - System.nanoTime()));
            long now = acked.sum();
            LatencyRecorder.Snapshot s = live.snapshot();
            System.err.printf(Locale.ROOT, "%s: %d msg/s, p99 %.2f ms%n", phase, now - last, s.quantileMillis(0.99));
            last = now;
        }
    }

    private static List<BenchSender> startProducers(SdkProduceConfig c, List<AutoCloseable> closers)
            throws Exception {
        List<BenchSender> out = new ArrayList<>();
        for (int i = 0; i < c.producers(); i++) {
            if (c.client().equals("raftmq")) {
                Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("SdkBenchPG")
                    .compressThresholdBytes(Integer.MAX_VALUE).build());
                p.start();
                closers.add(p);
                out.add(BenchSender.raftmq(p));
            } else {
                DefaultMQProducer p = new DefaultMQProducer("SdkBenchPG");
                p.setNamesrvAddr(c.namesrv());
                p.setInstanceName("sdkbench-official-" + i + "-" + ProcessHandle.current().pid());
                p.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
                p.start();
                closers.add(p::shutdown);
                out.add(BenchSender.official(p));
            }
        }
        return out;
    }

    /** Creates the topic on every routed leader of TBW102 unless the NameServer routes it, then waits for it. */
    static void ensureTopic(String namesrv, String topic, int queues) throws Exception {
        ClientInstance ci = new ClientInstance(ClientConfig.defaults(ClientConfig.parseNamesrv(namesrv)));
        ci.start();
        try {
            TopicRoute r = ci.refreshRoute(topic).get(10, TimeUnit.SECONDS);
            if (!r.provisional()) {
                System.err.println("topic " + topic + " exists with " + r.writeQueues().size() + " queues");
                return;
            }
            for (String leader : r.leaders().values()) {
                RemotingCommand req = RemotingCommand.createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC,
                    new CreateTopicRequestHeader(topic, TopicRoute.DEFAULT_TOPIC, queues, queues, 6,
                        "SINGLE_TAG", 0, false, null, null));
                RemotingCommand a = ci.remoting().invokeSync(leader, req, 10_000);
                a.release();
                if (a.code() != ResponseCode.SUCCESS) {
                    throw new IllegalStateException("creating " + topic + " on " + leader + ": " + a.remark());
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ci.refreshRoute(topic).get(10, TimeUnit.SECONDS).provisional()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("topic " + topic + " not routed 30 s after creation");
                }
                LockSupport.parkNanos(100_000_000L);
            }
            System.err.println("created topic " + topic + " with " + queues + " queues");
        } finally {
            ci.shutdown();
        }
    }
}
