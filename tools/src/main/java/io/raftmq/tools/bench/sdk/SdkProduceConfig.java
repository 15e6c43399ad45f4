package io.raftmq.tools.bench.sdk;

import io.raftmq.client.Verify;
import io.raftmq.tools.bench.BenchCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;

/**
 * The settings of one {@link SdkProduceBench} run, parsed once and validated with messages naming the flag.
 *
 * @param client        "raftmq" (our SDK) or "official" (RocketMQ 5.3.3 DefaultMQProducer)
 * @param namesrv       NameServer host:port
 * @param topic         topic (created with {@code queues} queues unless routed)
 * @param threads       sender threads doing synchronous sends back to back
 * @param sizeBytes     body bytes
 * @param durationMs    measured window
 * @param warmupMs      sends before the window, not counted
 * @param producers     producer instances the threads are spread over (each its own connections)
 * @param queues        queues when the bench creates the topic
 * @param brokerPids    broker processes whose CPU is counted per message (empty: read {@code dataDir/pids/n*.pid})
 * @param dataDir       the cluster's data directory (bin/raftmq-cluster --data), for its pid files
 */
record SdkProduceConfig(String client, String namesrv, String topic, int threads, int sizeBytes, long durationMs,
                        long warmupMs, int producers, int queues, List<Long> brokerPids, String dataDir) {
    static final String USAGE = String.join("\n",
        "bin/raftmq-bench produce --client raftmq|official [--namesrv 127.0.0.1:9876] [--topic SdkBench]",
        "    [--threads 16] [--size 1024] [--seconds 20] [--warmup-seconds 5] [--producers 1] [--queues 16]",
        "    [--broker-pids PID,PID,...] [--data ./data (the cluster's pid files, when --broker-pids is not given)]",
        "Synchronous sends back to back from every thread; live msg/s and p99 on stderr each second; one line",
        "RESULT mode=produce client=.. threads=.. size=.. msg_s=.. p50_ms=.. p99_ms=.. p999_ms=.. cpu_us_per_msg=..",
        "broker_cpu_us_per_msg=.. errors=.. (CPU: user + system of this process and of the brokers over the window).",
        "Exit 1 if a send failed.");

    SdkProduceConfig {
        Verify.argument(client.equals("raftmq") || client.equals("official"),
            "--client must be raftmq or official, got " + client);
        Verify.argument(namesrv.indexOf(':') > 0, "--namesrv must be host:port, got " + namesrv);
        Verify.argument(topic.matches("[A-Za-z0-9_-]{1,127}"), "--topic: letters, digits, '_', '-', got " + topic);
        Verify.argument(threads >= 1 && threads <= 4096, "--threads must be 1..4096, got " + threads);
        Verify.argument(sizeBytes >= 1 && sizeBytes <= 4 << 20, "--size must be 1..4194304, got " + sizeBytes);
        Verify.argument(durationMs >= 1000, "--seconds must be at least 1");
        Verify.argument(warmupMs >= 0, "--warmup-seconds must be >= 0");
        Verify.argument(producers >= 1 && producers <= threads, "--producers must be 1..threads, got " + producers);
        Verify.argument(queues >= 1 && queues <= 1024, "--queues must be 1..1024, got " + queues);
    }

    static SdkProduceConfig parse(String[] args) {
        Flags f = BenchCli.parseFlags(new Flags(), args);
        List<Long> pids = f.brokerPids == null || f.brokerPids.isBlank() ? List.of()
            : java.util.Arrays.stream(f.brokerPids.split(",")).map(String::trim).map(Long::parseLong).toList();
        return new SdkProduceConfig(f.client, f.namesrv, f.topic, f.threads, f.size, f.seconds * 1000,
            f.warmupSeconds * 1000, f.producers, f.queues, pids, f.data);
    }

    /** The raw command line. */
    @Command(name = "raftmq-bench produce")
    private static final class Flags {
        @Option(names = "--client", required = true)
        String client;
        @Option(names = "--namesrv")
        String namesrv = "127.0.0.1:9876";
        @Option(names = "--topic")
        String topic = "SdkBench";
        @Option(names = "--threads")
        int threads = 16;
        @Option(names = "--size")
        int size = 1024;
        @Option(names = "--seconds")
        long seconds = 20;
        @Option(names = "--warmup-seconds")
        long warmupSeconds = 5;
        @Option(names = "--producers")
        int producers = 1;
        @Option(names = "--queues")
        int queues = 16;
        @Option(names = "--broker-pids")
        String brokerPids;
        @Option(names = "--data")
        String data = "data";
    }
}
