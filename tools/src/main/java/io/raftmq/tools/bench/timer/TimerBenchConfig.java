package io.raftmq.tools.bench.timer;

import io.raftmq.client.Verify;
import io.raftmq.tools.bench.BenchCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The settings of one {@link TimerBench} run, parsed from its command line once and validated. Flags (defaults in
 * brackets): {@code --namesrv} [127.0.0.1:9876], {@code --count} timer messages [50000], {@code --spread-seconds}
 * due times spread over this many seconds after the lead [60], {@code --plain-count} plain messages sent
 * first for comparison [= count, at most 50000], {@code --threads} sender threads [16], {@code --size} body bytes
 * [256], {@code --lead-seconds} the earliest due time after a timer's send [5], {@code --data} the cluster's data
 * directory, to read the members' pid files for the heap measurement [none: heap not measured], {@code --seed}.
 *
 * @param namesrv      NameServer address host:port
 * @param count        timer messages
 * @param spreadMs     a timer is due at send + leadMs + uniform [0, spreadMs)
 * @param plainCount   plain messages of the comparison phase
 * @param threadsMax   sender threads (synchronous sends back to back)
 * @param sizeBytes    body size (at least 16: due time and sequence number)
 * @param leadMs       the earliest due time after a timer's send
 * @param dataDir      the cluster's data directory (pids/n*.pid), or null
 * @param seed         seed of the due times
 */
record TimerBenchConfig(String namesrv, int count, long spreadMs, int plainCount, int threadsMax, int sizeBytes,
                        long leadMs, String dataDir, long seed) {
    static final String USAGE = String.join("\n",
        "bin/raftmq-bench timer [--namesrv 127.0.0.1:9876] [--count 50000] [--spread-seconds 60]",
        "    [--plain-count N (default: count, at most 50000)] [--threads 16] [--size 256] [--lead-seconds 5]",
        "    [--data DIR (the cluster's data dir: measures each member's heap with jcmd)] [--seed N]",
        "Plain sends, then timer sends (setDeliverTimeMs) through the official client, while a push consumer",
        "records each timer's delivery lag (receive - due).",
        "Exit 1 if a send failed or a timer was lost, repeated or early.");

    TimerBenchConfig {
        Verify.argument(namesrv.indexOf(':') > 0, "--namesrv must be host:port, got " + namesrv);
        Verify.argument(count >= 1 && count <= 100_000_000, "--count must be 1..100000000, got " + count);
        Verify.argument(spreadMs >= 1000, "--spread-seconds must be at least 1");
        Verify.argument(plainCount >= 0, "--plain-count must not be negative");
        Verify.argument(threadsMax >= 1 && threadsMax <= 1024, "--threads must be 1..1024, got " + threadsMax);
        Verify.argument(sizeBytes >= 16 && sizeBytes <= 4 * 1024 * 1024, "--size must be 16..4194304, got "
            + sizeBytes);
        Verify.argument(leadMs >= 1000, "--lead-seconds must be at least 1");
    }

    /** Parses the flags (picocli); bad flags or values are an {@link IllegalArgumentException} naming them. */
    static TimerBenchConfig parse(String[] args) {
        Flags f = BenchCli.parseFlags(new Flags(), args);
        int plain = f.plainCount >= 0 ? f.plainCount : Math.min(f.count, 50_000);
        return new TimerBenchConfig(f.namesrv, f.count, f.spreadSeconds * 1000, plain, f.threads, f.size,
            f.leadSeconds * 1000, f.data, f.seed);
    }

    /** The raw command line, before the range checks of the record. */
    @Command(name = "raftmq-bench timer")
    private static final class Flags {
        @Option(names = "--namesrv")
        String namesrv = "127.0.0.1:9876";
        @Option(names = "--count")
        int count = 50_000;
        @Option(names = "--spread-seconds")
        long spreadSeconds = 60;
        @Option(names = "--plain-count")
        int plainCount = -1;
        @Option(names = "--threads")
        int threads = 16;
        @Option(names = "--size")
        int size = 256;
        @Option(names = "--lead-seconds")
        long leadSeconds = 5;
        @Option(names = "--data")
        String data;
        @Option(names = "--seed")
        long seed = System.nanoTime();
    }
}
