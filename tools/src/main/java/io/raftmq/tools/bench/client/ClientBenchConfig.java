package io.raftmq.tools.bench.client;

import io.raftmq.client.Verify;
import io.raftmq.tools.bench.BenchCli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The settings of one {@link ClientBench} run, parsed from its command line once and validated with clear messages.
 * Flags (defaults in brackets): {@code --namesrv} [127.0.0.1:9876], {@code --threads} sender threads [64],
 * {@code --size} body bytes [1024], {@code --seconds} send duration [30], {@code --topic} [ClientBench_&lt;run id&gt;,
 * a fresh topic per run], {@code --producers} DefaultMQProducer instances the threads are spread over [4],
 * {@code --queues} queues of a topic the bench creates [16], {@code --pull-batch} messages per pull [32],
 * {@code --seed} body randomness [time], {@code --rate} total sends per second over all threads [0: unpaced],
 * {@code --cluster-dir} the {@code --data} directory of {@code bin/raftmq-cluster} [none: the bench's own CPU only].
 *
 * @param namesrv      NameServer address host:port
 * @param threadsMax   sender threads (each does synchronous sends back to back)
 * @param sizeBytes    body size; at least {@link BenchBody#HEADER_LENGTH}
 * @param durationMs   send phase length, warm-up included
 * @param warmupMs     first part of the send phase not counted: min(2 s, duration / 5)
 * @param topic        topic name, or null for a fresh one per run
 * @param producersMax producer instances (each its own client instance, so its own connection)
 * @param queuesMax    queue count when the bench creates the topic
 * @param pullBatchMax pullBatchSize of the consumer
 * @param seed         seed of the random body filler
 * @param ratePerSec   total sends per second the threads are paced to (each its share), 0 for back to back; a fixed
 *                     offered load lets runs of two builds be compared in CPU per message at equal batching
 * @param clusterDir   where {@code bin/raftmq-cluster} keeps its pid files ({@code DIR/pids}), or null; the
 *                     members found there are measured ({@link ProcessMeter})
 */
record ClientBenchConfig(String namesrv, int threadsMax, int sizeBytes, long durationMs, long warmupMs, String topic,
                         int producersMax, int queuesMax, int pullBatchMax, long seed, int ratePerSec,
                         String clusterDir) {
    static final String USAGE = String.join("\n",
        "bin/raftmq-bench client [--namesrv 127.0.0.1:9876] [--threads 64] [--size 1024] [--seconds 30]",
        "    [--topic T (default: a fresh ClientBench_<run id>)] [--producers 4] [--queues 16 (when created)]",
        "    [--pull-batch 32] [--seed N] [--rate MSGS_PER_S (default 0: unpaced)]",
        "    [--cluster-dir DIR (bin/raftmq-cluster's --data: measure each member's CPU per message and RSS)]",
        "Sync sends through the official client for the duration (first min(2 s, 1/5) is warm-up), then a consume",
        "of the whole topic from offset 0. Exit 1 if a send failed or an acknowledged message was not consumed.");

    ClientBenchConfig {
        Verify.argument(namesrv.indexOf(':') > 0, "--namesrv must be host:port, got " + namesrv);
        Verify.argument(threadsMax >= 1 && threadsMax <= 4096, "--threads must be 1..4096, got " + threadsMax);
        Verify.argument(sizeBytes >= BenchBody.HEADER_LENGTH && sizeBytes <= 4 * 1024 * 1024,
            "--size must be " + BenchBody.HEADER_LENGTH + "..4194304 bytes, got " + sizeBytes);
        Verify.argument(durationMs >= 1000, "--seconds must be at least 1, got ms " + durationMs);
        Verify.argument(warmupMs >= 0 && warmupMs < durationMs, "warm-up must be shorter than the run");
        Verify.argument(topic == null || topic.matches("[A-Za-z0-9_-]{1,127}"),
            "--topic may use letters, digits, '_' and '-' (at most 127), got " + topic);
        Verify.argument(producersMax >= 1 && producersMax <= threadsMax,
            "--producers must be 1..threads, got " + producersMax);
        Verify.argument(queuesMax >= 1 && queuesMax <= 1024, "--queues must be 1..1024, got " + queuesMax);
        Verify.argument(pullBatchMax >= 1 && pullBatchMax <= 1024, "--pull-batch must be 1..1024, got "
            + pullBatchMax);
        Verify.argument(ratePerSec >= 0 && ratePerSec <= 10_000_000, "--rate must be 0..10000000, got " + ratePerSec);
    }

    /**
     * Parses the flags (picocli); unknown flags, missing and malformed values are an {@link IllegalArgumentException}
     * naming the flag, as are values out of range.
     */
    static ClientBenchConfig parse(String[] args) {
        Flags f = BenchCli.parseFlags(new Flags(), args);
        long durationMs = f.seconds * 1000L;
        return new ClientBenchConfig(f.namesrv, f.threads, f.size, durationMs, Math.min(2000, durationMs / 5), f.topic,
            Math.min(f.producers, f.threads), f.queues, f.pullBatch, f.seed, f.rate, f.clusterDir);
    }

    /** The raw command line, before the range checks of the record. */
    @Command(name = "raftmq-bench client")
    private static final class Flags {
        @Option(names = "--namesrv")
        String namesrv = "127.0.0.1:9876";
        @Option(names = "--topic")
        String topic;
        @Option(names = "--threads")
        int threads = 64;
        @Option(names = "--size")
        int size = 1024;
        @Option(names = "--seconds")
        long seconds = 30;
        @Option(names = "--producers")
        int producers = 4;
        @Option(names = "--queues")
        int queues = 16;
        @Option(names = "--pull-batch")
        int pullBatch = 32;
        @Option(names = "--seed")
        long seed = System.nanoTime();
        @Option(names = "--rate")
        int rate;
        @Option(names = "--cluster-dir")
        String clusterDir;
    }
}
