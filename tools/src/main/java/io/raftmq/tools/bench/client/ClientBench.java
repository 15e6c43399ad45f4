package io.raftmq.tools.bench.client;

import io.raftmq.tools.bench.BenchCli;
import io.raftmq.tools.bench.ProcessMeter;
import io.raftmq.tools.bench.LatencyRecorder;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.message.MessageQueue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Broker benchmark through the OFFICIAL RocketMQ 5.3.3 client (test scope in the product, runtime here in tools):
 * {@code bin/raftmq-bench client}.
 * Against a running cluster (e.g. {@code bin/raftmq-cluster start}) it
 * <ol>
 *   <li>starts N {@link DefaultMQProducer}s and creates the topic through TBW102's route (UPDATE_AND_CREATE_TOPIC to
 *       the routed leader) with {@code --queues} queues unless the NameServer already routes it, then waits for
 *       its route;
 *   <li>runs the {@link SendPhase} (sync sends of random bodies from many threads) and prints
 *       {@code RESULT mode=client-send threads=.. size=.. msg_s=.. p50_ms=.. p99_ms=.. p999_ms=.. errors=..},
 *       then the CPU per message over the measured window of each member found under {@code --cluster-dir} and of
 *       the bench JVM, and their RSS at its end ({@link ProcessMeter}):
 *       {@code RESULT mode=client-cpu msgs=.. window_s=.. n0_cpu_us=.. .. brokers_cpu_us=.. client_cpu_us=..
 *       n0_rss_mb=.. ..};
 *   <li>runs the {@link ConsumePhase} (lite pull consumer, every queue from offset 0) and prints
 *       {@code RESULT mode=client-consume msgs=.. msg_s=.. missing=..}.
 * </ol>
 * Exits 1 when any send failed or any acknowledged message was not consumed, 2 on bad flags. The official
 * client's own log goes to {@code rocketmq.log.root} (default {@code target/rocketmqlogs}) at WARN.
 */
public final class ClientBench {
    private static final long ROUTE_WAIT_MS = 30_000;

    private ClientBench() {
    }

    public static void main(String[] args) {
        BenchCli.main(args, "client bench", ClientBenchConfig.USAGE, ClientBenchConfig::parse, ClientBench::run);
    }

    static int run(ClientBenchConfig config) throws MQClientException, InterruptedException, IOException {
        long runId = System.currentTimeMillis();
        String topic = config.topic() != null ? config.topic() : "ClientBench_" + runId;
        System.err.printf(Locale.ROOT, "client bench: topic %s, %d threads over %d producers, %d B, %d s"
                + " (warm-up %d ms), seed %d, load %s%n", topic, config.threadsMax(), config.producersMax(),
            config.sizeBytes(), config.durationMs() / 1000, config.warmupMs(), config.seed(),
            ProcessMeter.loadAverage());
        ProcessMeter meter = ProcessMeter.of(config.clusterDir() == null ? null : Path.of(config.clusterDir()));
        System.err.println("measuring CPU and RSS of " + meter.pids());
        Samples samples = new Samples(meter);
        DefaultMQProducer[] producers = startProducers(config, runId);
        SendPhase.Result sent;
        long cpu0 = cpuNs();
        try {
            ensureTopic(producers[0], topic, config.queuesMax());
            sent = new SendPhase(config, topic, runId, producers, samples).run();
        } finally {
            for (DefaultMQProducer p : producers) {
                p.shutdown();
            }
        }
        LatencyRecorder.Snapshot h = sent.latency();
        double sendRate = sent.measuredSends() * 1e9 / sent.measuredNs();
        System.out.printf(Locale.ROOT, "RESULT mode=client-send threads=%d size=%d msg_s=%.0f p50_ms=%.3f p99_ms=%.3f"
                + " p999_ms=%.3f errors=%d%n", config.threadsMax(), config.sizeBytes(), sendRate,
            h.quantileMillis(0.50), h.quantileMillis(0.99), h.quantileMillis(0.999), sent.errors());
        System.out.println(meter.report(samples.from, samples.to, sent.measuredSends(), sent.measuredNs()));
        System.err.printf(Locale.ROOT, "send: %d acknowledged in all (warm-up included), bench JVM CPU %.1f us/msg,"
            + " load %s%n", sent.acknowledged(), (cpuNs() - cpu0) / 1e3 / Math.max(1, sent.acknowledged()),
            ProcessMeter.loadAverage());

        ConsumePhase.Result got = new ConsumePhase(config, topic, runId).run(sent);
        double consumeRate = got.elapsedNs() == 0 ? 0 : got.msgs() * 1e9 / got.elapsedNs();
        System.out.printf(Locale.ROOT, "RESULT mode=client-consume msgs=%d msg_s=%.0f missing=%d%n", got.msgs(),
            consumeRate, got.missing());
        System.err.printf(Locale.ROOT, "consume: %d duplicates of this run's messages, %.2f s, load %s%n",
            got.duplicates(), got.elapsedNs() / 1e9, ProcessMeter.loadAverage());
        return got.missing() == 0 && sent.errors() == 0 ? 0 : 1;
    }

    /** The process samples at the opening and the closing of the measured window. */
    private static final class Samples implements SendPhase.Window {
        private final ProcessMeter meter;
        private ProcessMeter.Sample from;
        private ProcessMeter.Sample to;

        Samples(ProcessMeter meter) {
            this.meter = meter;
        }

        @Override
        public void opened() {
            from = meter.sample();
        }

        @Override
        public void closed() {
            to = meter.sample();
        }
    }

    /** Producer instances with distinct instance names: each gets its own client instance and connections. */
    private static DefaultMQProducer[] startProducers(ClientBenchConfig config, long runId)
            throws MQClientException {
        DefaultMQProducer[] producers = new DefaultMQProducer[config.producersMax()];
        for (int i = 0; i < producers.length; i++) {
            DefaultMQProducer p = new DefaultMQProducer("ClientBenchPG");
            p.setNamesrvAddr(config.namesrv());
            p.setInstanceName("clientbench-p" + i + "-" + Long.toHexString(runId));
            p.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE); // random bodies do not compress: measure sends
            p.start();
            producers[i] = p;
        }
        return producers;
    }

    /** Creates {@code topic} unless routed already, then waits until the NameServer routes it. */
    static void ensureTopic(DefaultMQProducer p, String topic, int queues) throws MQClientException {
        List<MessageQueue> routed = routedQueues(p, topic);
        if (!routed.isEmpty()) {
            System.err.println("topic " + topic + " exists with " + routed.size() + " write queues");
            return;
        }
        p.createTopic(p.getCreateTopicKey(), topic, queues, null);
        long deadline = System.nanoTime() + ROUTE_WAIT_MS * 1_000_000;
        while (routedQueues(p, topic).size() < queues) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("topic " + topic + " not routed " + ROUTE_WAIT_MS + " ms after"
                    + " creation");
            }
            LockSupport.parkNanos(20_000_000L);
        }
        System.err.println("created topic " + topic + " with " + queues + " queues");
    }

    private static List<MessageQueue> routedQueues(DefaultMQProducer p, String topic) {
        try {
            return p.fetchPublishMessageQueues(topic);
        } catch (MQClientException e) { // not routed (yet)
            return List.of();
        }
    }

    private static long cpuNs() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

}
