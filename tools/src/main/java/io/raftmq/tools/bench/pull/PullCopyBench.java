package io.raftmq.tools.bench.pull;

import io.raftmq.tools.bench.BenchCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * The last step of a pull, alone (run through {@code bin/raftmq-bench pull-copy}): {@code --batch} records of
 * {@code --size} bytes, every {@code --queues}-th record of a segment-like file (so with 16 queues interleaved in the
 * log no two pulled records touch; with 1 queue they form one contiguous run), sent to a loopback socket behind an
 * 8-byte pull header, by one of three strategies:
 * <ul>
 *   <li>{@code copy}: one {@code pread} per record into one direct buffer, then one write (the broker's path today,
 *       docs/benchmarks.md "Consume: one copy per pulled message");</li>
 *   <li>{@code coalesce}: one {@code pread} per contiguous run of records, then one write;</li>
 *   <li>{@code sendfile}: the header written, then one {@code FileChannel.transferTo} (sendfile) per contiguous run:
 *       the zero-copy path a Netty {@code FileRegion} would take.</li>
 * </ul>
 * A reader thread drains the socket and checks that every record arrives whole and in order (each record starts with
 * its own index), so the strategies are proven to send the same bytes. The figure that matters is the sending
 * thread's CPU (user + system, from the JVM's thread CPU clock) per record. One RESULT line per strategy and round.
 */
public final class PullCopyBench {
    /** How the records of one pull reach the socket. */
    enum Strategy { COPY, COALESCE, SENDFILE }

    private PullCopyBench() {
    }

    /** The command line (picocli). */
    @Command(name = "raftmq-bench pull-copy", description = "Sends pulls of file records to a loopback socket.")
    static final class Options {
        @Option(names = "--size", description = "record bytes (default ${DEFAULT-VALUE})")
        int size = 1024;
        @Option(names = "--batch", description = "records per pull (default ${DEFAULT-VALUE})")
        int batch = 32;
        @Option(names = "--queues", description = "queues interleaved in the file (default ${DEFAULT-VALUE})")
        int queues = 16;
        @Option(names = "--seconds", description = "seconds per strategy and round (default ${DEFAULT-VALUE})")
        double seconds = 5;
        @Option(names = "--rounds", description = "rounds over the strategies (default ${DEFAULT-VALUE})")
        int rounds = 2;
        @Option(names = "--strategy", description = "copy, coalesce, sendfile or all (default ${DEFAULT-VALUE})")
        String strategy = "all";
        @Option(names = "--file-mib", description = "file size in MiB (default ${DEFAULT-VALUE})")
        int fileMib = 128;
        @Option(names = "--dir", description = "parent of the scratch file (default: java.io.tmpdir)")
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));

        List<Strategy> strategies() {
            if (strategy.equalsIgnoreCase("all")) {
                return List.of(Strategy.values());
            }
            return List.of(Strategy.valueOf(strategy.toUpperCase(Locale.ROOT)));
        }

        Options validated() {
            if (size < Long.BYTES || batch < 1 || queues < 1 || seconds <= 0 || rounds < 1 || fileMib < 1) {
                throw new IllegalArgumentException("--size >= 8, --batch, --queues, --rounds, --file-mib >= 1,"
                    + " --seconds > 0");
            }
            strategies(); // a bad --strategy fails here
            long span = (long) batch * queues * size;
            if (span * 2 > (long) fileMib << 20) {
                throw new IllegalArgumentException("--file-mib too small for --batch x --queues x --size");
            }
            return this;
        }
    }

    /** One measured run. */
    record Result(Strategy strategy, long pulls, long cpuNanos, long wallNanos, long syscalls) {
        String line(Options o) {
            long records = pulls * o.batch;
            return String.format(Locale.ROOT, "RESULT mode=pull-copy strategy=%s queues=%d batch=%d size=%d"
                    + " pulls_s=%.0f msg_s=%.0f cpu_ns_per_msg=%.1f syscalls_per_pull=%.1f",
                strategy.name().toLowerCase(Locale.ROOT), o.queues, o.batch, o.size, pulls * 1e9 / wallNanos,
                records * 1e9 / wallNanos, (double) cpuNanos / records, (double) syscalls / pulls);
        }
    }

    public static void main(String[] args) {
        BenchCli.main(args, "pull-copy bench", "bin/raftmq-bench pull-copy [--size B] [--batch N] [--queues N]"
                + " [--seconds S] [--rounds N] [--strategy copy|coalesce|sendfile|all] [--file-mib M] [--dir DIR]",
            a -> BenchCli.parseFlags(new Options(), a).validated(), PullCopyBench::run);
    }

    static int run(Options o) throws IOException, InterruptedException {
        Path file = Files.createTempFile(o.dir, "pull-copy", ".log");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
            int records = RecordFile.fill(ch, o.size, o.fileMib);
            for (int round = 0; round < o.rounds; round++) {
                for (Strategy s : o.strategies()) {
                    System.out.println(measure(o, s, ch, records).line(o));
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return 0;
    }

    /** Sends pulls with {@code s} for {@code --seconds} to a fresh drained loopback connection. */
    static Result measure(Options o, Strategy s, FileChannel ch, int records) throws IOException, InterruptedException {
        try (Drain drain = Drain.start(o.size, o.batch, o.queues)) {
            SocketChannel out = drain.connect();
            PullSender sender = new PullSender(ch, out, o.size, o.batch, o.queues, records);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long deadline = System.nanoTime() + (long) (o.seconds * 1e9);
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long pulls = 0;
            while (System.nanoTime() < deadline) {
                for (int i = 0; i < 64; i++) {
                    sender.send(s, pulls++);
                }
            }
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - t0;
            out.shutdownOutput();
            drain.awaitAll(pulls);
            return new Result(s, pulls, cpu, wall, sender.syscalls());
        }
    }
}
