package io.raftmq.chaos.bench;

import io.raftmq.client.Verify;

import java.util.ArrayList;
import java.util.List;

/**
 * The settings of one {@link ClientBench} run, parsed from its command line once and validated with clear messages.
 * Flags (defaults in brackets): {@code --namesrv} [127.0.0.1:9876], {@code --threads} sender threads [64],
 * {@code --size} body bytes [1024], {@code --seconds} send duration [30], {@code --topic} [ClientBench_&lt;run id&gt;,
 * a fresh topic per run], {@code --producers} DefaultMQProducer instances the threads are spread over [4],
 * {@code --queues} queues of a topic the bench creates [16], {@code --pull-batch} messages per pull [32],
 * {@code --seed} body randomness [time].
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
 */
record ClientBenchConfig(String namesrv, int threadsMax, int sizeBytes, long durationMs, long warmupMs, String topic,
                         int producersMax, int queuesMax, int pullBatchMax, long seed) {
    static final String USAGE = String.join("\n",
        "bin/raftmq-bench client [--namesrv 127.0.0.1:9876] [--threads 64] [--size 1024] [--seconds 30]",
        "    [--topic T (default: a fresh ClientBench_<run id>)] [--producers 4] [--queues 16 (when created)]",
        "    [--pull-batch 32] [--seed N]",
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
    }

    /** Parses {@code --flag value} pairs; unknown flags and missing values are rejected. */
    static ClientBenchConfig parse(String[] args) {
        String namesrv = "127.0.0.1:9876";
        String topic = null;
        int threads = 64;
        int size = 1024;
        long seconds = 30;
        int producers = 4;
        int queues = 16;
        int pullBatch = 32;
        long seed = System.nanoTime();
        List<String> a = new ArrayList<>(List.of(args));
        Verify.argument(a.size() % 2 == 0, "flags come in '--name value' pairs: " + a);
        for (int i = 0; i < a.size(); i += 2) {
            String v = a.get(i + 1);
            switch (a.get(i)) {
                case "--namesrv" -> namesrv = v;
                case "--topic" -> topic = v;
                case "--threads" -> threads = number(a.get(i), v);
                case "--size" -> size = number(a.get(i), v);
                case "--seconds" -> seconds = number(a.get(i), v);
                case "--producers" -> producers = number(a.get(i), v);
                case "--queues" -> queues = number(a.get(i), v);
                case "--pull-batch" -> pullBatch = number(a.get(i), v);
                case "--seed" -> seed = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown flag " + a.get(i));
            }
        }
        long durationMs = seconds * 1000;
        return new ClientBenchConfig(namesrv, threads, size, durationMs, Math.min(2000, durationMs / 5), topic,
            Math.min(producers, threads), queues, pullBatch, seed);
    }

    private static int number(String flag, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, got " + v, e);
        }
    }
}
