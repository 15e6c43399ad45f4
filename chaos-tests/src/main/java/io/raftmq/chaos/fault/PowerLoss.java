package io.raftmq.chaos.fault;

import io.raftmq.chaos.fault.os.Exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Lost un-fsynced writes, as a power loss of a whole machine leaves them, on files of stopped processes.
 *
 * <p><b>Knowing what was fsynced.</b> Every broker runs with an {@code LD_PRELOAD} shim
 * ({@code fsync-shim.c} beside this class, built by {@link #build} with gcc into a work directory) that keeps, per
 * inode, the end of the last non-zero byte written, and on each successful {@code fsync}/{@code fdatasync} logs that
 * mark and the file size seen before the sync began ({@link Durable}). The broker writes every file through
 * {@code FileChannel} (commit-log segments in the default CHANNEL mode, ConsumeQueues, index files, checkpoints,
 * the raft hard state, membership and repair files, snapshots) and makes it durable with {@code force}, which
 * is {@code fdatasync}/{@code fsync}: all of it goes through the shim. Mapped files ({@code ioMode=MAPPED}, msync)
 * would not.
 *
 * <p><b>The cut</b> ({@link #cut}): for every regular file under a directory, with {@code D} its durable mark (0 if
 * it was never fsynced) and {@code E} the end of its last non-zero byte now: if {@code E > D}, a seeded point
 * {@code C} in {@code [D, E]} is drawn and the bytes {@code [C, E)} are zeroed; then a file longer than
 * {@code max(C, size at its last fsync)} is truncated to that. So the durable prefix is always kept and any
 * un-fsynced suffix may go, as on a real power loss of an appending writer.
 *
 * <p><b>Blind spots.</b> Only a suffix is lost: an un-fsynced overwrite below the mark (a checkpoint rewritten in
 * place, the zeroing of a truncation) keeps its new bytes, and renames, creations and deletions are taken as
 * durable (directory fsyncs are not modelled); torn sectors inside the durable prefix are the damaged-files fault's
 * job ({@link FileDamage}).
 */
public final class PowerLoss {
    /** The environment variable naming the shim's log directory. */
    public static final String LOG_DIR_ENV = "RAFTMQ_FSYNC_LOG_DIR";
    private static final long GCC_TIMEOUT_MS = 60_000;
    private static final int SCAN_BYTES = 1 << 20;

    private final Path library;
    private final Path logDir;

    private PowerLoss(Path library, Path logDir) {
        this.library = library;
        this.logDir = logDir;
    }

    /**
     * Compiles the shim into {@code workDir} (gcc must be installed) and creates its log directory there.
     *
     * @throws IOException gcc failed or is missing (its output in the message)
     */
    public static PowerLoss build(Path workDir) throws IOException {
        Files.createDirectories(workDir);
        Path src = workDir.resolve("fsync-shim.c");
        try (InputStream in = PowerLoss.class.getResourceAsStream("fsync-shim.c")) {
            if (in == null) {
                throw new IOException("fsync-shim.c missing from the class path");
            }
            Files.write(src, in.readAllBytes());
        }
        Path so = workDir.resolve("libraftmq-fsync-shim.so");
        Exec.run(List.of("gcc", "-shared", "-fPIC", "-O2", "-Wall", "-o", so.toString(), src.toString(), "-ldl",
            "-lpthread"), GCC_TIMEOUT_MS);
        Path logs = Files.createDirectories(workDir.resolve("fsync-logs"));
        return new PowerLoss(so, logs);
    }

    /** The environment of a process whose fsyncs are recorded ({@code ClusterOptions.withEnvironment}). */
    public Map<String, String> environment() {
        return Map.of("LD_PRELOAD", library.toString(), LOG_DIR_ENV, logDir.toString());
    }

    public Path logDir() {
        return logDir;
    }

    /**
     * What the shim logged for one inode: the highest durable mark and the largest size at an fsync.
     *
     * @param mark bytes before it were written (non-zero) before some fsync of the file returned
     * @param size the file's size when an fsync began
     */
    public record Durable(long mark, long size) {
    }

    /** Every inode's {@link Durable}, keyed {@code "dev:ino"}, from all the shim's logs so far. */
    public Map<String, Durable> durable() throws IOException {
        Map<String, Durable> out = new HashMap<>();
        try (Stream<Path> logs = Files.list(logDir)) {
            for (Path log : logs.toList()) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    String[] f = line.split(" ", 5);
                    if (f.length == 5) { // a line torn by the kill is incomplete: ignored
                        Durable d = new Durable(Long.parseLong(f[2]), Long.parseLong(f[3]));
                        out.merge(f[0] + ":" + f[1], d, (a, b) -> new Durable(Math.max(a.mark, b.mark),
                            Math.max(a.size, b.size)));
                    }
                }
            }
        }
        return out;
    }

    /** What {@link #cut} did to one file. */
    public record Cut(Path file, long durableMark, long dataEnd, long cutAt, long lengthBefore, long lengthAfter) {
        /** Bytes of data lost (zeroed or cut off). */
        public long lostBytes() {
            return Math.max(0, dataEnd - cutAt);
        }
    }

    /**
     * Cuts every regular file under {@code root} back to a seeded point between its durable mark and its data end.
     * Every process writing there must be dead.
     *
     * @return one entry per file that lost data or length
     */
    public List<Cut> cut(Path root, Random random) throws IOException {
        Map<String, Durable> durable = durable();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<Cut> out = new ArrayList<>();
        for (Path f : files) {
            Durable d = durable.getOrDefault(key(f), new Durable(0, 0));
            Cut c = cutFile(f, d, random);
            if (c.lostBytes() > 0 || c.lengthAfter() != c.lengthBefore()) {
                out.add(c);
            }
        }
        return out;
    }

    static Cut cutFile(Path f, Durable d, Random random) throws IOException {
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            long end = dataEnd(ch);
            long cutAt = end;
            if (end > d.mark()) {
                cutAt = d.mark() + (long) (random.nextDouble() * (end - d.mark() + 1));
                cutAt = Math.min(cutAt, end);
                zero(ch, cutAt, end);
            }
            long length = Math.max(cutAt, d.size());
            if (length < size) {
                ch.truncate(length);
            }
            ch.force(true);
            return new Cut(f, d.mark(), end, cutAt, size, Math.min(size, length));
        }
    }

    /** The inode key of {@code f} as the shim logs it. */
    static String key(Path f) {
        try {
            return Files.getAttribute(f, "unix:dev") + ":" + Files.getAttribute(f, "unix:ino");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One past the last non-zero byte of the file (0 if all zero), read backwards a MiB at a time. */
    static long dataEnd(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SCAN_BYTES);
        long pos = ch.size();
        while (pos > 0) {
            int n = (int) Math.min(SCAN_BYTES, pos);
            b.clear().limit(n);
            long from = pos - n;
            while (b.hasRemaining()) {
                if (ch.read(b, from + b.position()) < 0) {
                    throw new IOException("file shrank while scanned");
                }
            }
            for (int i = n - 1; i >= 0; i--) {
                if (b.get(i) != 0) {
                    return from + i + 1;
                }
            }
            pos = from;
        }
        return 0;
    }

    private static void zero(FileChannel ch, long from, long to) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate(SCAN_BYTES);
        for (long p = from; p < to; ) {
            zeros.clear().limit((int) Math.min(SCAN_BYTES, to - p));
            p += ch.write(zeros, p);
        }
    }
}
