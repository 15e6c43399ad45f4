package io.raftmq.broker.schedule;

import io.raftmq.commitlog.error.Verify;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The derived on-disk index of parked messages by due time: one file per {@link #BUCKET_MS} of due time under
 * {@code <storePathRootDir>/timer/}, named by the bucket's first ms, holding fixed entries in apply order:
 * <pre>
 *  0             8                   16          20
 *  +-------------+-------------------+-----------+
 *  | dueMs (i64) | physicalOffset    | size (i32)|
 *  |             | (i64)             |           |
 *  +-------------+-------------------+-----------+   big-endian, repeated
 * </pre>
 * No CRC and no fsync per append. A broker keeps the files across a restart ({@link #openKept}): its timer snapshot
 * part ({@link DueSnapshotPart}) records each bucket's entry count at the snapshot, and at start the files are cut
 * back to those counts ({@link #restore}) before the log after the snapshot is replayed, which appends the rest
 * again; the snapshot store forces the files ({@link #flush}) before it writes a snapshot, so the counted entries
 * are durable. Without a snapshot, or when a leader's snapshot is installed, the directory is wiped
 * ({@link #reset}) and the replay rebuilds it. The heap holds a counter and the first offset per non-empty
 * bucket, never anything per parked message; a reader loads one bucket at a time ({@link #load}), sorted by (due,
 * apply order). Buckets that end at or below the replicated cursor are deleted ({@link #dropThrough}).
 *
 * <p>Threads: appends on the raft agent thread, loads on the delivery thread; every method is synchronized except
 * the file read of {@link #load}, which reads only entries counted before it started.
 */
public final class DueIndex implements Closeable, Flushable {
    private static final Logger LOG = LoggerFactory.getLogger(DueIndex.class);
    /** Width of one bucket file in due time. */
    public static final long BUCKET_MS = 60_000;
    public static final int ENTRY_BYTES = 20;
    /** Append channels kept open (least recently used ones are closed). */
    static final int OPEN_FILES_MAX = 16;
    /** Entries per bucket the sort key can number (the key keeps the entry number in 32 bits). */
    static final int BUCKET_ENTRIES_MAX = Integer.MAX_VALUE / ENTRY_BYTES;

    private final Path dir;
    /** Bucket start ms to its entry count. */
    private final TreeMap<Long, Integer> counts = new TreeMap<>();
    /** Bucket start ms to the physical offset of its first entry (the lowest: entries come in log order). */
    private final TreeMap<Long, Long> firstOffsets = new TreeMap<>();
    private final Map<Long, FileChannel> open = new LinkedHashMap<>(OPEN_FILES_MAX * 2, 0.75f, true);
    private final ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES);
    private long appended;

    /** One bucket as a snapshot records it: its first ms, entry count and first entry's offset. */
    public record Bucket(long bucketMs, int count, long firstOffset) {
    }

    /** Opens {@code dir} empty: any file in it (from an earlier run) is deleted. */
    public DueIndex(Path dir) throws IOException {
        this(dir, true);
    }

    private DueIndex(Path dir, boolean wipe) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        if (wipe) {
            deleteFiles(dir);
        }
    }

    /**
     * Opens {@code dir} keeping its files: the caller then either {@link #restore}s the buckets a snapshot
     * recorded or {@link #reset}s the index, before anything is appended.
     */
    public static DueIndex openKept(Path dir) throws IOException {
        return new DueIndex(dir, false);
    }

    private static void deleteFiles(Path dir) throws IOException {
        try (Stream<Path> old = Files.list(dir)) {
            for (Iterator<Path> it = old.iterator(); it.hasNext(); ) {
                Files.delete(it.next());
            }
        }
    }

    /** The bucket (its first ms) holding {@code dueMs}. */
    public static long bucketOf(long dueMs) {
        return Math.floorDiv(dueMs, BUCKET_MS) * BUCKET_MS;
    }

    /** Appends one parked message. Agent thread. */
    public synchronized void append(long dueMs, long physicalOffset, int size) {
        Verify.argument(dueMs > 0 && physicalOffset >= 0 && size > 0, "bad index entry: due " + dueMs + " at "
            + physicalOffset + " size " + size);
        long bucket = bucketOf(dueMs);
        int n = counts.getOrDefault(bucket, 0);
        Verify.state(n < BUCKET_ENTRIES_MAX, "too many parked messages due in one bucket", n, bucket);
        entry.clear();
        entry.putLong(dueMs).putLong(physicalOffset).putInt(size).flip();
        try {
            FileChannel ch = channel(bucket);
            long at = (long) n * ENTRY_BYTES;
            while (entry.hasRemaining()) {
                at += ch.write(entry, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("timer index append to bucket " + bucket + " failed", e);
        }
        counts.put(bucket, n + 1);
        if (n == 0) {
            firstOffsets.put(bucket, physicalOffset);
        }
        appended++;
    }

    private FileChannel channel(long bucket) throws IOException {
        FileChannel ch = open.get(bucket);
        if (ch != null) {
            return ch;
        }
        if (open.size() >= OPEN_FILES_MAX) {
            Iterator<Map.Entry<Long, FileChannel>> eldest = open.entrySet().iterator();
            eldest.next().getValue().close();
            eldest.remove();
        }
        ch = FileChannel.open(file(bucket), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        open.put(bucket, ch);
        return ch;
    }

    private Path file(long bucket) {
        return dir.resolve(Long.toString(bucket));
    }

    /** The first non-empty bucket starting at or after {@code fromMs}'s bucket, or -1. */
    public synchronized long bucketAtOrAfter(long fromMs) {
        Long b = counts.ceilingKey(bucketOf(fromMs));
        return b == null ? -1 : b;
    }

    /** Entries in {@code bucket} now (0 when absent or dropped). */
    public synchronized int count(long bucket) {
        return counts.getOrDefault(bucket, 0);
    }

    /** Number of buckets held (a gauge). */
    public synchronized int buckets() {
        return counts.size();
    }

    /** Entries appended since the start (a counter). */
    public synchronized long appended() {
        return appended;
    }

    /**
     * Deletes every bucket that ends at or before {@code cursorMs}: nothing due there is left to deliver, and a
     * parked message applied later with such a due time is handled as late ({@link DueState}). Agent thread.
     */
    public synchronized void dropThrough(long cursorMs) {
        while (!counts.isEmpty() && counts.firstKey() + BUCKET_MS - 1 <= cursorMs) {
            long bucket = counts.pollFirstEntry().getKey();
            firstOffsets.remove(bucket);
            try {
                FileChannel ch = open.remove(bucket);
                if (ch != null) {
                    ch.close();
                }
                Files.deleteIfExists(file(bucket));
            } catch (IOException e) {
                throw new UncheckedIOException("timer index bucket " + bucket + " cannot be deleted", e);
            }
        }
    }

    /**
     * The entries of {@code bucket} counted now, sorted by due time then apply order (= commit log order). A
     * bucket deleted meanwhile reads as empty. Delivery thread.
     */
    public Slice load(long bucket) {
        return extend(new Slice(bucket, 0));
    }

    /**
     * {@code loaded} with the entries appended to its bucket since it was read: only those are read from the file
     * and merged in (the bucket being filled is re-read every tick during an enqueue). Delivery thread.
     */
    public Slice extend(Slice loaded) {
        long bucket = loaded.bucket;
        int n = count(bucket);
        int from = loaded.size();
        if (n <= from) {
            return n == from ? loaded : new Slice(bucket, 0);
        }
        ByteBuffer buf = ByteBuffer.allocate((n - from) * ENTRY_BYTES);
        try (FileChannel ch = FileChannel.open(file(bucket), StandardOpenOption.READ)) {
            long at = (long) from * ENTRY_BYTES;
            while (buf.hasRemaining()) {
                if (ch.read(buf, at + buf.position()) < 0) {
                    throw new IOException("timer index bucket " + bucket + " is shorter than its " + n + " entries");
                }
            }
        } catch (NoSuchFileException gone) {
            return new Slice(bucket, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("timer index bucket " + bucket + " cannot be read", e);
        }
        return Slice.merge(loaded, Slice.sorted(bucket, buf));
    }

    /**
     * The lowest physical offset of an entry still held ({@link Long#MAX_VALUE}: none): delivery may still read
     * the message there (docs/snapshots.md rule 3; delivered ones are counted too until their bucket is dropped,
     * which only errs low). Any thread.
     */
    public synchronized long lowestOffset() {
        long low = Long.MAX_VALUE;
        for (long o : firstOffsets.values()) {
            low = Math.min(low, o);
        }
        return low;
    }

    /** Every bucket held, in bucket order (what a snapshot records). Agent thread. */
    public synchronized List<Bucket> bucketList() {
        List<Bucket> out = new ArrayList<>(counts.size());
        for (Map.Entry<Long, Integer> e : counts.entrySet()) {
            out.add(new Bucket(e.getKey(), e.getValue(), firstOffsets.get(e.getKey())));
        }
        return out;
    }

    /** Empties the index and deletes every file (a start without snapshot, an installed snapshot). */
    public synchronized void reset() throws IOException {
        closeChannels();
        counts.clear();
        firstOffsets.clear();
        deleteFiles(dir);
    }

    /**
     * Cuts the files back to the buckets a snapshot recorded: files of other buckets are deleted, longer files
     * truncated to their recorded count. A recorded bucket whose file is missing was dropped after the snapshot
     * (the replay drops it again before anything could read it) and is left out, with a WARN in case it was lost
     * otherwise.
     *
     * @throws IllegalArgumentException a file holds fewer entries than recorded (damaged): the snapshot cannot
     *                                  be used with these files
     * @throws IOException              a file cannot be listed, truncated or deleted
     */
    public synchronized void restore(List<Bucket> buckets) throws IOException {
        closeChannels();
        counts.clear();
        firstOffsets.clear();
        Map<String, Bucket> byName = new HashMap<>();
        for (Bucket b : buckets) {
            byName.put(Long.toString(b.bucketMs()), b);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Iterator<Path> it = files.iterator(); it.hasNext(); ) {
                Path f = it.next();
                if (!byName.containsKey(f.getFileName().toString())) {
                    Files.delete(f);
                }
            }
        }
        for (Bucket b : buckets) {
            restoreBucket(b);
        }
    }

    private void restoreBucket(Bucket b) throws IOException {
        Path f = file(b.bucketMs());
        long want = (long) b.count() * ENTRY_BYTES;
        if (!Files.exists(f)) {
            LOG.warn("timer index bucket {} ({} entries at the snapshot) is missing: dropped after the snapshot was "
                + "taken, or lost", f, b.count());
            return;
        }
        long size = Files.size(f);
        if (size < want) {
            throw new IllegalArgumentException("timer index bucket " + f + " holds " + size + " bytes, the snapshot "
                + "recorded " + b.count() + " entries (" + want + " bytes)");
        }
        if (size > want) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(want);
            }
        }
        counts.put(b.bucketMs(), b.count());
        firstOffsets.put(b.bucketMs(), b.firstOffset());
    }

    /** Forces every bucket file to disk (before a snapshot that counts their entries is written). Any thread. */
    @Override
    public void flush() throws IOException {
        List<Long> buckets;
        synchronized (this) {
            buckets = new ArrayList<>(counts.keySet());
        }
        for (long b : buckets) {
            try (FileChannel ch = FileChannel.open(file(b), StandardOpenOption.WRITE)) {
                ch.force(false);
            } catch (NoSuchFileException dropped) {
                // dropped meanwhile: nothing in it is needed any more
            }
        }
    }

    private void closeChannels() throws IOException {
        for (FileChannel ch : open.values()) {
            ch.close();
        }
        open.clear();
    }

    @Override
    public synchronized void close() throws IOException {
        for (FileChannel ch : open.values()) {
            ch.close();
        }
        open.clear();
    }

    /** One bucket's entries, sorted by (due, apply order). */
    public static final class Slice {
        private final long bucket;
        private final long[] dueMs;
        private final long[] offsets;
        private final int[] sizes;

        Slice(long bucket, int n) {
            this.bucket = bucket;
            this.dueMs = new long[n];
            this.offsets = new long[n];
            this.sizes = new int[n];
        }

        /** The entries in {@code buf} (in append order) sorted by (due, append order). */
        private static Slice sorted(long bucket, ByteBuffer buf) {
            int n = buf.capacity() / ENTRY_BYTES;
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                long due = buf.getLong(i * ENTRY_BYTES);
                Verify.state(bucketOf(due) == bucket, "index entry outside its bucket", due, bucket);
                keys[i] = (due - bucket) << 32 | i;
            }
            Arrays.sort(keys);
            Slice s = new Slice(bucket, n);
            for (int k = 0; k < n; k++) {
                int i = (int) keys[k];
                s.dueMs[k] = buf.getLong(i * ENTRY_BYTES);
                s.offsets[k] = buf.getLong(i * ENTRY_BYTES + 8);
                s.sizes[k] = buf.getInt(i * ENTRY_BYTES + 16);
            }
            return s;
        }

        /** {@code older} and {@code newer} (appended later) merged; on equal due times the older entry first. */
        private static Slice merge(Slice older, Slice newer) {
            Slice m = new Slice(older.bucket, older.size() + newer.size());
            int i = 0;
            int j = 0;
            for (int k = 0; k < m.size(); k++) {
                boolean takeOlder = j >= newer.size() || i < older.size() && older.dueMs[i] <= newer.dueMs[j];
                Slice from = takeOlder ? older : newer;
                int at = takeOlder ? i++ : j++;
                m.dueMs[k] = from.dueMs[at];
                m.offsets[k] = from.offsets[at];
                m.sizes[k] = from.sizes[at];
            }
            return m;
        }

        public long bucket() {
            return bucket;
        }

        public int size() {
            return dueMs.length;
        }

        public long dueMs(int i) {
            return dueMs[i];
        }

        public long physicalOffset(int i) {
            return offsets[i];
        }

        public int messageSize(int i) {
            return sizes[i];
        }
    }
}
