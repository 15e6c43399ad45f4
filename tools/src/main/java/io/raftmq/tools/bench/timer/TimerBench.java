package io.raftmq.tools.bench.timer;

import io.raftmq.tools.bench.BenchCli;
import io.raftmq.tools.bench.LatencyRecorder;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.impl.factory.MQClientInstance;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Timer-message benchmark through the OFFICIAL RocketMQ 5.3.3 client: {@code bin/raftmq-bench timer}, against a
 * running cluster ({@code bin/raftmq-cluster start}). In one run:
 * <ol>
 *   <li>a push consumer subscribes to a fresh timer topic;</li>
 *   <li>plain phase: {@code --plain-count} ordinary sync sends to a second fresh topic (the comparison rate);</li>
 *   <li>enqueue phase: {@code --count} sync sends with setDeliverTimeMs, each due a lead plus a seeded-uniform
 *       draw over {@code --spread-seconds} after its send (so a slow enqueue never makes a timer due before it is
 *       sent); prints
 *       {@code RESULT mode=timer-enqueue count=.. msg_s=.. plain_msg_s=.. errors=..};</li>
 *   <li>with {@code --data}: each member's heap used after a full GC ({@code jcmd PID GC.run}, then
 *       {@code GC.heap_info}), the leader's in {@code RESULT mode=timer-heap leader=.. heap_used_mb=..};</li>
 *   <li>waits for every delivery (deadline: the last due time + 60 s); prints
 *       {@code RESULT mode=timer-deliver received=.. missing=.. duplicates=.. early=.. lag_p50_ms=.. lag_p99_ms=..
 *       lag_max_ms=..} (lag = receive time - due time; early = received before due).</li>
 * </ol>
 * Exits 1 if a send failed, or a timer was lost, repeated or early; 2 on bad flags.
 */
public final class TimerBench {
    private static final int QUEUES = 8;
    private static final int PRODUCERS_MAX = 4;
    private static final long ROUTE_WAIT_MS = 30_000;
    private static final long DELIVERY_GRACE_MS = 60_000;
    private static final Pattern HEAP_USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private TimerBench() {
    }

    public static void main(String[] args) {
        BenchCli.main(args, "timer bench", TimerBenchConfig.USAGE, TimerBenchConfig::parse, TimerBench::run);
    }

    static int run(TimerBenchConfig c) throws Exception {
        String runId = Long.toHexString(System.currentTimeMillis());
        String timerTopic = "TimerBench_" + runId;
        String plainTopic = "TimerBenchPlain_" + runId;
        System.err.printf(Locale.ROOT, "timer bench: %d timers over %d s (lead %d s), %d plain, %d threads, %d B,"
            + " seed %d%n", c.count(), c.spreadMs() / 1000, c.leadMs() / 1000, c.plainCount(), c.threadsMax(),
            c.sizeBytes(), c.seed());
        List<DefaultMQProducer> producers = startProducers(c, runId);
        Deliveries got = new Deliveries(c.count());
        DefaultMQPushConsumer consumer = null;
        try {
            ensureTopic(producers.get(0), timerTopic);
            ensureTopic(producers.get(0), plainTopic);
            consumer = startConsumer(c, timerTopic, runId, got);
            byte[] plainBody = new byte[c.sizeBytes()];
            Phase plain = sendAll(producers, c.threadsMax(), c.plainCount(), i -> new Message(plainTopic, plainBody));
            long[] offsets = dueOffsets(c);
            AtomicLong lastDue = new AtomicLong();
            Phase enqueue = sendAll(producers, c.threadsMax(), c.count(), i -> {
                long due = System.currentTimeMillis() + offsets[i];
                lastDue.accumulateAndGet(due, Math::max);
                return timer(timerTopic, i, due, c);
            });
            System.out.printf(Locale.ROOT, "RESULT mode=timer-enqueue count=%d msg_s=%.0f plain_msg_s=%.0f"
                + " errors=%d%n", c.count(), enqueue.rate(c.count()), plain.rate(c.plainCount()),
                enqueue.errors.get() + plain.errors.get());
            if (c.dataDir() != null) {
                reportHeap(producers.get(0), timerTopic, Path.of(c.dataDir()));
            }
            long deadline = lastDue.get() + DELIVERY_GRACE_MS;
            while (got.received.get() < c.count() && System.currentTimeMillis() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            }
            LatencyRecorder.Snapshot lag = got.lag.snapshot();
            int missing = c.count() - got.distinct.get();
            System.out.printf(Locale.ROOT, "RESULT mode=timer-deliver received=%d missing=%d duplicates=%d early=%d"
                + " lag_p50_ms=%.1f lag_p99_ms=%.1f lag_max_ms=%.1f%n", got.received.get(), missing,
                got.duplicates.get(), got.early.get(), lag.quantileMillis(0.5), lag.quantileMillis(0.99),
                lag.quantileMillis(1.0));
            boolean ok = enqueue.errors.get() == 0 && plain.errors.get() == 0 && missing == 0
                && got.duplicates.get() == 0 && got.early.get() == 0;
            return ok ? 0 : 1;
        } finally {
            if (consumer != null) {
                consumer.shutdown();
            }
            producers.forEach(DefaultMQProducer::shutdown);
        }
    }

    /** Each timer's due time after its send: the lead plus a seeded uniform draw over the spread. */
    private static long[] dueOffsets(TimerBenchConfig c) {
        SplittableRandom r = new SplittableRandom(c.seed());
        long[] offsets = new long[c.count()];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = c.leadMs() + r.nextLong(c.spreadMs());
        }
        return offsets;
    }

    /** Timer message {@code i}: body = due time, sequence number, zero padding. */
    private static Message timer(String topic, int i, long dueMs, TimerBenchConfig c) {
        byte[] body = new byte[c.sizeBytes()];
        ByteBuffer.wrap(body).putLong(dueMs).putInt(i);
        Message m = new Message(topic, body);
        m.setDeliverTimeMs(dueMs);
        return m;
    }

    /** Errors and elapsed time of one send phase. */
    private static final class Phase {
        final AtomicLong errors = new AtomicLong();
        long elapsedNs;

        double rate(int n) {
            return elapsedNs == 0 ? 0 : n * 1e9 / elapsedNs;
        }
    }

    /** Sends messages 0..n-1 ({@code make}) from {@code threads} threads, round-robin over the producers. */
    private static Phase sendAll(List<DefaultMQProducer> producers, int threads, int n, IntFunction<Message> make)
            throws InterruptedException {
        Phase phase = new Phase();
        AtomicInteger next = new AtomicInteger();
        List<Thread> ts = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            DefaultMQProducer p = producers.get(t % producers.size());
            Thread th = new Thread(() -> {
                for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                    try {
                        if (p.send(make.apply(i)).getSendStatus() != SendStatus.SEND_OK) {
                            phase.errors.incrementAndGet();
                        }
                    } catch (Exception e) { // counted: the run fails at the end
                        if (phase.errors.incrementAndGet() <= 5) {
                            System.err.println("send failed: " + e);
                        }
                    }
                }
            }, "timer-bench-send-" + t);
            th.start();
            ts.add(th);
        }
        for (Thread th : ts) {
            th.join();
        }
        phase.elapsedNs = System.nanoTime() - t0;
        return phase;
    }

    /** What the consumer saw. */
    private static final class Deliveries {
        final AtomicIntegerArray seen;
        final AtomicInteger received = new AtomicInteger();
        final AtomicInteger distinct = new AtomicInteger();
        final AtomicInteger duplicates = new AtomicInteger();
        final AtomicInteger early = new AtomicInteger();
        final LatencyRecorder lag = new LatencyRecorder();

        Deliveries(int n) {
            seen = new AtomicIntegerArray(n);
        }

        void onMessage(byte[] body, long nowMs) {
            ByteBuffer b = ByteBuffer.wrap(body);
            long due = b.getLong();
            int i = b.getInt();
            received.incrementAndGet();
            if (i < 0 || i >= seen.length() || seen.getAndIncrement(i) > 0) {
                duplicates.incrementAndGet();
                return;
            }
            distinct.incrementAndGet();
            if (nowMs < due) {
                early.incrementAndGet();
            }
            lag.recordNanos(TimeUnit.MILLISECONDS.toNanos(nowMs - due));
        }
    }

    private static DefaultMQPushConsumer startConsumer(TimerBenchConfig c, String topic, String runId,
                                                       Deliveries got) throws MQClientException {
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("TimerBenchCG_" + runId);
        consumer.setNamesrvAddr(c.namesrv());
        consumer.setInstanceName("timerbench-c-" + runId);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setConsumeThreadMin(4);
        consumer.setConsumeThreadMax(4);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            long now = System.currentTimeMillis();
            for (MessageExt m : msgs) {
                got.onMessage(m.getBody(), now);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        return consumer;
    }

    private static List<DefaultMQProducer> startProducers(TimerBenchConfig c, String runId) throws MQClientException {
        List<DefaultMQProducer> ps = new ArrayList<>();
        for (int i = 0; i < Math.min(PRODUCERS_MAX, c.threadsMax()); i++) {
            DefaultMQProducer p = new DefaultMQProducer("TimerBenchPG");
            p.setNamesrvAddr(c.namesrv());
            p.setInstanceName("timerbench-p" + i + "-" + runId);
            p.setSendMsgTimeout(10_000);
            p.start();
            ps.add(p);
        }
        return ps;
    }

    /** Creates {@code topic} through TBW102's route and waits until the NameServer routes it. */
    private static void ensureTopic(DefaultMQProducer p, String topic) throws MQClientException {
        p.createTopic(p.getCreateTopicKey(), topic, QUEUES, null);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ROUTE_WAIT_MS);
        while (routedQueues(p, topic) < QUEUES) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("topic " + topic + " not routed " + ROUTE_WAIT_MS + " ms after"
                    + " creation");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static int routedQueues(DefaultMQProducer p, String topic) {
        try {
            return p.fetchPublishMessageQueues(topic).size();
        } catch (MQClientException e) { // not routed (yet)
            return 0;
        }
    }

    /** Each member's heap used after a full GC (jcmd), the leader's on the RESULT line. */
    private static void reportHeap(DefaultMQProducer p, String topic, Path data) throws Exception {
        MQClientInstance f = p.getDefaultMQProducerImpl().getMqClientFactory();
        TopicRouteData route = f.getTopicRouteTable().get(topic);
        String leaderAddr = null;
        for (BrokerData bd : route.getBrokerDatas()) {
            leaderAddr = bd.getBrokerAddrs().get(0L);
        }
        String leader = leaderAddr == null ? "?" : f.getMQClientAPIImpl().getBrokerRuntimeInfo(leaderAddr, 5000)
            .getTable().getOrDefault("raftSelfId", "?");
        long leaderKb = -1;
        for (String member : List.of("n0", "n1", "n2")) {
            Path pidFile = data.resolve("pids").resolve(member + ".pid");
            if (!Files.exists(pidFile)) {
                continue;
            }
            String pid = Files.readString(pidFile).trim();
            jcmd(pid, "GC.run");
            long kb = heapUsedKb(jcmd(pid, "GC.heap_info"));
            System.err.printf(Locale.ROOT, "heap after GC: %s (pid %s%s) %.1f MiB%n", member, pid,
                member.equals(leader) ? ", leader" : "", kb / 1024.0);
            if (member.equals(leader)) {
                leaderKb = kb;
            }
        }
        System.out.printf(Locale.ROOT, "RESULT mode=timer-heap leader=%s heap_used_mb=%.1f%n", leader,
            leaderKb / 1024.0);
    }

    private static String jcmd(String pid, String command) throws IOException, InterruptedException {
        Process proc = new ProcessBuilder("jcmd", pid, command).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        proc.waitFor();
        return out;
    }

    private static long heapUsedKb(String heapInfo) {
        long kb = 0;
        Matcher m = HEAP_USED.matcher(heapInfo);
        while (m.find()) { // young + old (ParallelGC) or the one G1 heap line
            kb += Long.parseLong(m.group(1));
        }
        return kb;
    }
}
