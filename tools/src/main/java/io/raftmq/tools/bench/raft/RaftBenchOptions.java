package io.raftmq.tools.bench.raft;

import io.raftmq.raft.driver.DurabilityMode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The command line of {@code raftmq-bench raft} (picocli), parsed and checked once by {@link #parse}: a bad value
 * throws a {@link ParameterException} that names the flag. Defaults that depend on other flags (the warm-up) and
 * derived values ({@link #killEveryNs}) are filled in there.
 */
@Command(name = "raftmq-bench raft", description = "N Raft nodes over loopback TCP; prints RESULT lines.")
final class RaftBenchOptions {
    /** Default warm-up (not measured): the JIT compiles the hot paths (C2 keeps a core busy for seconds). */
    private static final int WARMUP_SECONDS_DEFAULT = 5;
    private static final long KILL_EVERY_NS_MIN = TimeUnit.SECONDS.toNanos(1);

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
    boolean help;
    @Option(names = "--nodes", description = "Raft nodes, 1..9 (default ${DEFAULT-VALUE})")
    int nodes = 3;
    @Option(names = "--size", description = "entry payload bytes (default ${DEFAULT-VALUE})")
    int size = 1024;
    @Option(names = "--seconds", description = "measured seconds (default ${DEFAULT-VALUE})")
    int seconds = 20;
    @Option(names = "--clients", description = "proposing threads (default ${DEFAULT-VALUE})")
    int clients = 4;
    @Option(names = "--inflight", description = "proposals in flight (default ${DEFAULT-VALUE})")
    int inflight = 4096;
    @Option(names = "--rate", description = "proposals per second, 0 = unlimited (default ${DEFAULT-VALUE})")
    int rate;
    @Option(names = "--durability", converter = DurabilityConverter.class,
        description = "quorum-fsync or quorum-memory (default quorum-fsync)")
    DurabilityMode durability = DurabilityMode.QUORUM_FSYNC;
    @Option(names = "--kill-leader-every", paramLabel = "S",
        description = "kill the leader every S seconds (decimals allowed; default 0 = off)")
    double killEverySeconds;
    @Option(names = "--kill-follower", description = "with --kill-leader-every: kill a follower instead, restarted"
        + " 1 s later (about a broker process's restart), so the restarted member is one the leader replicated to")
    boolean killFollower;
    @Option(names = "--dir", description = "keep the nodes' files here (default: a temp dir, deleted)")
    Path dir;
    @Option(names = "--tail-cache", description = "entries kept by reference per node (default ${DEFAULT-VALUE})")
    int tailCache = 8192;
    @Option(names = "--warmup", description = "unmeasured seconds first (default min(5, max(1, seconds/4)))")
    int warmupSeconds = -1;
    @Option(names = "--segment-mib", description = "commit log segment size in MiB (default ${DEFAULT-VALUE})")
    int segmentMib = 256;
    /** {@code --kill-leader-every} in nanoseconds; 0 = no kills. */
    long killEveryNs;

    static RaftBenchOptions parse(String... args) {
        RaftBenchOptions o = new RaftBenchOptions();
        CommandLine cl = new CommandLine(o);
        cl.parseArgs(args);
        if (o.help) {
            return o;
        }
        require(cl, Double.isFinite(o.killEverySeconds) && o.killEverySeconds >= 0
            && o.killEverySeconds <= 86_400, "--kill-leader-every must be in [0, 86400] seconds");
        o.killEveryNs = Math.round(o.killEverySeconds * 1e9);
        if (o.warmupSeconds < 0) {
            o.warmupSeconds = Math.min(WARMUP_SECONDS_DEFAULT, Math.max(1, o.seconds / 4));
        }
        require(cl, o.nodes >= 1 && o.nodes <= 9, "--nodes must be in [1, 9]");
        require(cl, o.size >= 0 && o.size <= 1 << 20, "--size must be in [0, 1048576] bytes");
        require(cl, o.seconds >= 1, "--seconds must be >= 1");
        require(cl, o.clients >= 1, "--clients must be >= 1");
        require(cl, o.inflight >= 1, "--inflight must be >= 1");
        require(cl, o.rate >= 0 && o.rate <= 1_000_000_000, "--rate must be in [0 (unlimited), 1e9] proposals/s");
        require(cl, o.killEveryNs == 0 || o.killEveryNs >= KILL_EVERY_NS_MIN,
            "--kill-leader-every must be 0 (off) or >= 1 second");
        require(cl, o.killEveryNs == 0 || o.nodes >= 3, "--kill-leader-every needs --nodes >= 3");
        require(cl, !o.killFollower || o.killEveryNs > 0, "--kill-follower needs --kill-leader-every");
        require(cl, o.segmentMib >= 1 && o.segmentMib <= 1024, "--segment-mib must be in [1, 1024]");
        require(cl, o.tailCache >= 1 && o.tailCache <= 1 << 24, "--tail-cache must be in [1, 16777216]");
        return o;
    }

    private static void require(CommandLine cl, boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(cl, message);
        }
    }

    /** quorum-fsync / quorum-memory, as written in broker configurations. */
    static final class DurabilityConverter implements CommandLine.ITypeConverter<DurabilityMode> {
        @Override
        public DurabilityMode convert(String v) {
            return switch (v) {
                case "quorum-fsync" -> DurabilityMode.QUORUM_FSYNC;
                case "quorum-memory" -> DurabilityMode.QUORUM_MEMORY;
                default -> throw new CommandLine.TypeConversionException(
                    "expects quorum-fsync or quorum-memory, got '" + v + "'");
            };
        }
    }
}
