package io.raftmq.commitlog.bench;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.ForceStats;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.IoMode;
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

    /** Parsed command line. */
    record Options(int size, int seconds, FlushMode flush, int threads, int batch, Path dir, IoMode io,
        long segmentBytes, long preallocBytes, boolean legacySync) {
        static Options parse(String[] args) {
            int size = 1024;
            int seconds = 20;
            FlushMode flush = FlushMode.SYNC;
            int threads = 1;
            int batch = 1;
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            IoMode io = IoMode.CHANNEL;
            long segmentBytes = 1L << 30;
            long preallocBytes = -1;
            boolean legacySync = false;
            for (int i = 0; i < args.length; i += 2) {
                String v = i + 1 < args.length ? args[i + 1] : usage("missing value for " + args[i]);
                switch (args[i]) {
                    case "--size" -> size = Integer.parseInt(v);
                    case "--seconds" -> seconds = Integer.parseInt(v);
                    case "--flush" -> flush = FlushMode.valueOf(v.toUpperCase(Locale.ROOT));
                    case "--threads" -> threads = Integer.parseInt(v);
                    case "--batch" -> batch = Integer.parseInt(v);
                    case "--dir" -> dir = Path.of(v);
                    case "--io" -> io = IoMode.valueOf(v.toUpperCase(Locale.ROOT));
                    case "--segment-mb" -> segmentBytes = Long.parseLong(v) << 20;
                    case "--prealloc-mb" -> preallocBytes = Long.parseLong(v) << 20;
                    case "--sync-append" -> legacySync = lockedSyncAppend(v);
                    default -> usage("unknown flag " + args[i]);
                }
            }
            if (flush == FlushMode.MANUAL || size < 1 || seconds < 1 || threads < 1 || batch < 1) {
                usage("bad arguments");
            }
            return new Options(size, seconds, flush, threads, batch, dir, io, segmentBytes, preallocBytes,
                legacySync);
        }

        private static boolean lockedSyncAppend(String v) {
            if (!"locked".equals(v) && !"coalesced".equals(v)) {
                usage("--sync-append is coalesced or locked");
            }
            return "locked".equals(v);
        }

        private static String usage(String why) {
            throw new IllegalArgumentException(why + "; usage: --size BYTES --seconds S --flush sync|async"
                + " --threads N --batch B --dir DIR [--io channel|mapped] [--segment-mb MB] [--prealloc-mb MB]"
                + " [--sync-append coalesced|locked]");
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        Path work = Files.createTempDirectory(Files.createDirectories(o.dir()), "raftmq-bench-");
        try {
            System.out.println(run(o, work));
        } finally {
            deleteTree(work);
        }
    }

    static String run(Options o, Path work) throws InterruptedException {
        int recordMax = (int) Math.min(o.segmentBytes(), Math.max(4 << 20, o.size() + 64));
        CommitLogConfig cfg = CommitLogConfig.builder(work).segmentBytes(o.segmentBytes()).flushMode(o.flush())
            .ioMode(o.io()).retentionAgeMs(0).recordBytesMax(recordMax)
            .writeBufferBytes(Math.max(recordMax, (o.size() + 64) * o.batch()))
            .preallocateAheadBytes(o.preallocBytes() < 0 ? o.segmentBytes() : o.preallocBytes()).build();
        byte[] payload = new byte[o.size()];
        new Random(42).nextBytes(payload);
        ReentrantLock order = new ReentrantLock();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean running = new AtomicBoolean(true);
        LongAdder messages = new LongAdder();
        LatencyHistogram[] hist = new LatencyHistogram[o.threads()];
        Thread[] threads = new Thread[o.threads()];
        try (CommitLog log = CommitLog.open(cfg, null)) {
            for (int t = 0; t < threads.length; t++) {
                LatencyHistogram h = hist[t] = new LatencyHistogram();
                threads[t] = new Thread(() -> appendLoop(log, o, payload, order, running, measuring, messages, h),
                    "bench-" + t);
                threads[t].start();
            }
            long warmupMs = Math.min(2000, o.seconds() * 200L);
            long endNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.seconds());
            Thread.sleep(warmupMs);
            measuring.set(true);
            ForceStats forces0 = log.forceStats();
            long startNs = System.nanoTime();
            while (System.nanoTime() < endNs) {
                Thread.sleep(200);
                log.deleteExpired(log.lastIndex(), System.currentTimeMillis());
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
            return result(o, messages.sum(), elapsedNs, hist);
        }
    }

    private static void appendLoop(CommitLog log, Options o, byte[] payload, ReentrantLock order,
        AtomicBoolean running, AtomicBoolean measuring, LongAdder messages, LatencyHistogram h) {
        AppendBatch b = new AppendBatch(o.batch());
        ByteBuffer body = ByteBuffer.wrap(payload);
        long timeoutNs = TimeUnit.SECONDS.toNanos(30);
        while (running.get()) {
            long t0 = System.nanoTime();
            if (o.flush() == FlushMode.SYNC && !o.legacySync()) {
                b.clear();
                for (int i = 0; i < o.batch(); i++) {
                    b.add(1, 0, (byte) 0, 0, body);
                }
                log.appendCoalesced(b, timeoutNs);
                if (measuring.get()) {
                    h.record(System.nanoTime() - t0);
                    messages.add(o.batch());
                }
                continue;
            }
            order.lock();
            try {
                b.clear();
                long next = log.lastIndex() + 1;
                for (int i = 0; i < o.batch(); i++) {
                    b.add(1, next + i, (byte) 0, 0, body);
                }
                log.append(b);
            } finally {
                order.unlock();
            }
            if (o.flush() == FlushMode.SYNC) {
                log.awaitDurable(b.endPosition(), timeoutNs);
            }
            if (measuring.get()) {
                h.record(System.nanoTime() - t0);
                messages.add(o.batch());
            }
        }
    }

    private static String result(Options o, long msgs, long elapsedNs, LatencyHistogram[] hist) {
        LatencyHistogram all = new LatencyHistogram();
        for (LatencyHistogram h : hist) {
            all.merge(h);
        }
        double seconds = elapsedNs / 1e9;
        double msgPerS = msgs / seconds;
        double mbPerS = msgPerS * o.size() / 1e6;
        return String.format(Locale.ROOT, "RESULT mode=commitlog flush=%s threads=%d size=%d msg_s=%.0f mb_s=%.1f"
                + " p50_us=%.0f p99_us=%.0f", o.flush().name().toLowerCase(Locale.ROOT), o.threads(), o.size(),
            msgPerS, mbPerS, all.quantileNs(0.50) / 1e3, all.quantileNs(0.99) / 1e3);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
