package io.raftmq.tools.bench.commitlog;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.ForceStats;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.tools.bench.LatencyRecorder;
import io.raftmq.tools.bench.LiveProgress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Command-line benchmark of the commit log (run through {@code bin/raftmq-bench commitlog}). N threads append
 * messages of --size bytes in batches of --batch for --seconds (the first fifth, at most 2 s, is warm-up and not
 * counted). SYNC: each thread waits until its batch is durable (group commit); latency = append call to durable.
 * By default SYNC threads call {@link CommitLog#appendCoalesced} (the log assigns indices and coalesces concurrent
 * appends into one write + one force); {@code --sync-append locked} keeps the earlier path for comparison: a
 * bench-side lock picks {@code lastIndex() + 1}, {@link CommitLog#append} writes, {@link CommitLog#awaitDurable}
 * waits.
 * ASYNC: the flush agent forces every 200 ms; latency = append call to return. Old segments are deleted as the run
 * goes, so disk use stays around two segments. Ends with exactly one RESULT line (MB = 10^6 bytes); the scratch
 * directory is deleted afterwards.
 */
public final class CommitLogBench {
    private CommitLogBench() {
    }

    /** The command line (picocli), validated by {@link #parse}. */
    @Command(name = "raftmq-bench commitlog",
        description = "Appends to one commit log from N threads and prints one RESULT line.")
    static final class Options {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "this help")
        boolean help;
        @Option(names = "--size", description = "message bytes (default ${DEFAULT-VALUE})")
        int size = 1024;
        @Option(names = "--seconds", description = "run length, warm-up included (default ${DEFAULT-VALUE})")
        int seconds = 20;
        @Option(names = "--flush", description = "sync or async (default ${DEFAULT-VALUE})")
        FlushMode flush = FlushMode.SYNC;
        @Option(names = "--threads", description = "appending threads (default ${DEFAULT-VALUE})")
        int threads = 1;
        @Option(names = "--batch", description = "messages per append (default ${DEFAULT-VALUE})")
        int batch = 1;
        @Option(names = "--dir", description = "parent of the scratch directory (default: java.io.tmpdir)")
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        @Option(names = "--io", description = "channel or mapped (default ${DEFAULT-VALUE})")
        IoMode io = IoMode.CHANNEL;
        @Option(names = "--segment-mb", description = "segment size in MiB (default ${DEFAULT-VALUE})")
        long segmentMb = 1024;
        @Option(names = "--prealloc-mb", description = "preallocation window in MiB (default: one segment)")
        long preallocMb = -1;
        @Option(names = "--sync-append", description = "coalesced or locked (default ${DEFAULT-VALUE})")
        SyncAppend syncAppend = SyncAppend.COALESCED;

        /** Parses and checks {@code args}; a bad command line is a {@link ParameterException}. */
        static Options parse(String... args) {
            Options o = new Options();
            CommandLine cl = commandLine(o);
            cl.parseArgs(args);
            if (o.flush == FlushMode.MANUAL || o.size < 1 || o.seconds < 1 || o.threads < 1 || o.batch < 1) {
                throw new ParameterException(cl, "bad arguments: --flush is sync or async; --size, --seconds,"
                    + " --threads and --batch are at least 1");
            }
            return o;
        }

        long segmentBytes() {
            return segmentMb << 20;
        }

        long preallocBytes() {
            return preallocMb < 0 ? segmentBytes() : preallocMb << 20;
        }

        boolean lockedSync() {
            return syncAppend == SyncAppend.LOCKED;
        }
    }

    /** How SYNC threads append: through {@link CommitLog#appendCoalesced} or the bench-side lock. */
    enum SyncAppend { COALESCED, LOCKED }

    static CommandLine commandLine(Options o) {
        return new CommandLine(o).setCaseInsensitiveEnumValuesAllowed(true);
    }

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (ParameterException e) {
            System.err.println(e.getMessage());
            e.getCommandLine().usage(System.err);
            System.exit(2);
            return;
        }
        if (o.help) {
            commandLine(o).usage(System.out);
            return;
        }
        Path work = Files.createTempDirectory(Files.createDirectories(o.dir), "raftmq-bench-");
        try {
            System.out.println(run(o, work));
        } finally {
            deleteTree(work);
        }
    }

    static String run(Options o, Path work) throws InterruptedException {
        int recordMax = (int) Math.min(o.segmentBytes(), Math.max(4 << 20, o.size + 64));
        CommitLogConfig cfg = CommitLogConfig.builder(work).segmentBytes(o.segmentBytes()).flushMode(o.flush)
            .ioMode(o.io).retentionAgeMs(0).recordBytesMax(recordMax)
            .writeBufferBytes(Math.max(recordMax, (o.size + 64) * o.batch))
            .preallocateAheadBytes(o.preallocBytes()).build();
        byte[] payload = new byte[o.size];
        new Random(42).nextBytes(payload);
        ReentrantLock order = new ReentrantLock();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        LongAdder messages = new LongAdder();
        LatencyRecorder latency = new LatencyRecorder();
        Thread[] threads = new Thread[o.threads];
        try (CommitLog log = CommitLog.open(cfg, null)) {
            for (int t = 0; t < threads.length; t++) {
                threads[t] = new Thread(() -> appendLoop(log, o, payload, order, running, measuring, messages,
                    latency),
                    "bench-" + t);
                threads[t].start();
            }
            long warmupMs = Math.min(2000, o.seconds * 200L);
            long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.seconds);
            Thread.sleep(warmupMs);
            measuring.set(true);
            ForceStats forces0 = log.forceStats();
            long startNs = System.nanoTime();
            try (LiveProgress live = LiveProgress.start("append", messages::sum)) {
                while (System.nanoTime() < endNs) {
                    Thread.sleep(200);
                    log.deleteExpired(log.lastIndex(), System.currentTimeMillis());
                }
            }
            measuring.set(false);
            long elapsedNs = System.nanoTime() - startNs;
            ForceStats delta = log.forceStats().since(forces0);
            long forces = delta.forces();
            long cycles = delta.cycles();
            System.err.printf(Locale.ROOT, "forces=%d msgs_per_force=%.1f avg_force_us=%.0f cycles=%d"
                    + " batches_per_cycle=%.1f avg_wake_us=%.0f%n", forces,
                forces == 0 ? 0.0 : messages.sum() / (double) forces,
                forces == 0 ? 0.0 : delta.forceNanos() / 1e3 / forces, cycles,
                cycles == 0 ? 0.0 : delta.cycleBatches() / (double) cycles,
                cycles == 0 ? 0.0 : delta.wakeNanos() / 1e3 / cycles);
            running.set(false);
            for (Thread th : threads) {
                th.join();
            }
            return result(o, messages.sum(), elapsedNs, latency.snapshot());
        }
    }

    private static void appendLoop(CommitLog log, Options o, byte[] payload, ReentrantLock order,
        AtomicBoolean running, AtomicBoolean measuring, LongAdder messages, LatencyRecorder h) {
        AppendBatch b = new AppendBatch(o.batch);
        ByteBuffer body = ByteBuffer.wrap(payload);
        long timeoutNs = TimeUnit.SECONDS.toNanos(30);
        while (running.get()) {
            long t0 = System.nanoTime();
            if (o.flush == FlushMode.SYNC && !o.lockedSync()) {
                b.clear();
                for (int i = 0; i < o.batch; i++) {
                    b.add(1, 0, (byte) 0, 0, body);
                }
                log.appendCoalesced(b, timeoutNs);
                if (measuring.get()) {
                    h.recordNanos(System.nanoTime() - t0);
                    messages.add(o.batch);
                }
                continue;
            }
            order.lock();
            try {
                b.clear();
                long next = log.lastIndex() + 1;
                for (int i = 0; i < o.batch; i++) {
                    b.add(1, next + i, (byte) 0, 0, body);
                }
                log.append(b);
            } finally {
                order.unlock();
            }
            if (o.flush == FlushMode.SYNC) {
                log.awaitDurable(b.endPosition(), timeoutNs);
            }
            if (measuring.get()) {
                h.recordNanos(System.nanoTime() - t0);
                messages.add(o.batch);
            }
        }
    }

    private static String result(Options o, long msgs, long elapsedNs, LatencyRecorder.Snapshot all) {
        double seconds = elapsedNs / 1e9;
        double msgPerS = msgs / seconds;
        double mbPerS = msgPerS * o.size / 1e6;
        return String.format(Locale.ROOT, "RESULT mode=commitlog flush=%s threads=%d size=%d msg_s=%.0f mb_s=%.1f"
                + " p50_us=%.0f p99_us=%.0f", o.flush.name().toLowerCase(Locale.ROOT), o.threads, o.size,
            msgPerS, mbPerS, all.quantileMicros(0.50), all.quantileMicros(0.99));
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
