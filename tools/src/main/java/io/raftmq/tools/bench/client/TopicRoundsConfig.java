package io.raftmq.tools.bench.client;

import io.raftmq.client.Verify;
import io.raftmq.tools.bench.BenchCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The settings of the benches that fill a fresh topic and then consume all of it in rounds ({@code pull-filter},
 * {@code consume-pop}): the NameServer, how many messages of which size on how many queues, how many rounds, and
 * the cluster's data directory (for the members' CPU; null: not measured).
 */
record TopicRoundsConfig(String namesrv, int messages, int size, int queues, int rounds, String dataDir) {
    TopicRoundsConfig {
        Verify.argument(messages >= 1 && size >= 8 && queues >= 1 && queues <= 64 && rounds >= 1,
            "need --messages >= 1, --size >= 8, --queues 1..64, --rounds >= 1");
    }

    /** Parses the flags; {@code defaultSize} is the bench's own --size default. */
    static TopicRoundsConfig parse(String[] args, int defaultSize) {
        Flags f = new Flags();
        f.size = defaultSize;
        BenchCli.parseFlags(f, args);
        return new TopicRoundsConfig(f.namesrv, f.messages, f.size, f.queues, f.rounds, f.data);
    }

    /** The raw command line. */
    @Command(name = "raftmq-bench")
    private static final class Flags {
        @Option(names = "--namesrv")
        String namesrv = "127.0.0.1:9876";
        @Option(names = "--messages")
        int messages = 100_000;
        @Option(names = "--size")
        int size;
        @Option(names = "--queues")
        int queues = 8;
        @Option(names = "--rounds")
        int rounds = 3;
        @Option(names = "--data")
        String data;
    }
}
