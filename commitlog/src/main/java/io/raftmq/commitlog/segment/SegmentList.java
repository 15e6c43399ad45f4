package io.raftmq.commitlog.segment;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.StorageFile;
import io.raftmq.commitlog.io.StorageProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ordered set of equally sized segment files in one directory, each named by its base as a 20-digit
 * zero-padded decimal number divided by a name unit (plus an optional suffix). Bases are multiples of the segment size,
 * so the segment holding a position p has base {@code p - p % size}.
 *
 * <p>Thread-safety: readers call {@link #find} lock-free on a volatile copy-on-write array; mutations
 * ({@link #create}, {@link #removeFrom}, {@link #removeBefore}) are serialized by the owner's append lock.
 */
public final class SegmentList {
    private static final Segment[] EMPTY = new Segment[0];
    private final StorageProvider storage;
    private final Path dir;
    private final String suffix;
    private final long segmentSize;
    private final long nameUnit;
    private volatile Segment[] segments = EMPTY;

    /**
     * @param nameUnit a file is named by base / nameUnit (1 for log segments: the base position; the unit length
     *                 for index segments: the first index)
     */
    public SegmentList(StorageProvider storage, Path dir, String suffix, long segmentSize, long nameUnit) {
        this.nameUnit = nameUnit;
        this.storage = storage;
        this.dir = dir;
        this.suffix = suffix;
        this.segmentSize = segmentSize;
    }

    /** Opens every existing segment file of the directory (startup only). Files with foreign names are ignored. */
    public void load() throws IOException {
        storage.createDirectories(dir);
        List<Segment> found = new ArrayList<>();
        for (String name : storage.list(dir)) {
            long base = parse(name);
            if (base < 0) {
                continue;
            }
            Verify.state(base % segmentSize == 0, "segment base not a multiple of the segment size", base,
                segmentSize);
            found.add(new Segment(base, storage.open(dir.resolve(name), segmentSize)));
        }
        segments = found.toArray(EMPTY);
    }

    private long parse(String name) {
        if (name.length() != 20 + suffix.length() || !name.endsWith(suffix)) {
            return -1;
        }
        for (int i = 0; i < 20; i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(name.substring(0, 20)) * nameUnit;
    }

    public String fileName(long base) {
        return String.format("%020d%s", base / nameUnit, suffix);
    }

    public Path dir() {
        return dir;
    }

    public long segmentSize() {
        return segmentSize;
    }

    /** Base of the segment that holds {@code position}. */
    public long baseOf(long position) {
        return position - Math.floorMod(position, segmentSize);
    }

    /** The segment holding {@code position}, or null. Lock-free. */
    public Segment find(long position) {
        Segment[] s = segments;
        int lo = 0;
        int hi = s.length - 1;
        long base = baseOf(position);
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long b = s[mid].base();
            if (b < base) {
                lo = mid + 1;
            } else if (b > base) {
                hi = mid - 1;
            } else {
                return s[mid];
            }
        }
        return null;
    }

    /** Snapshot of the segments, oldest first. */
    public Segment[] all() {
        return segments;
    }

    public Segment first() {
        Segment[] s = segments;
        return s.length == 0 ? null : s[0];
    }

    public Segment last() {
        Segment[] s = segments;
        return s.length == 0 ? null : s[s.length - 1];
    }

    /** Returns the segment with {@code base}, creating its file if absent. Bases must be created in order. */
    public Segment getOrCreate(long base) throws IOException {
        Verify.state(base % segmentSize == 0, "unaligned segment base", base, segmentSize);
        Segment existing = find(base);
        if (existing != null) {
            return existing;
        }
        Segment last = last();
        Verify.state(last == null || last.base() < base, "segments must be created in order", base,
            last == null ? -1 : last.base());
        storage.createDirectories(dir);
        StorageFile f = storage.open(dir.resolve(fileName(base)), segmentSize);
        Segment seg = new Segment(base, f);
        Segment[] s = segments;
        Segment[] n = Arrays.copyOf(s, s.length + 1);
        n[s.length] = seg;
        segments = n;
        storage.syncDirectory(dir);
        return seg;
    }

    /**
     * Removes, closes (once readers are done) and deletes every segment with base >= {@code base}, the last one first:
     * a process killed in the middle leaves the segments from the first on, without a hole (a log cut back must never
     * keep valid records behind the part it already removed, docs/storage.md "CommitLog recovery").
     */
    public int removeFrom(long base) throws IOException {
        Segment[] s = segments;
        int keep = 0;
        while (keep < s.length && s[keep].base() < base) {
            keep++;
        }
        segments = Arrays.copyOf(s, keep);
        for (int i = s.length - 1; i >= keep; i--) {
            dispose(s[i]);
        }
        if (keep < s.length) {
            storage.syncDirectory(dir);
        }
        return s.length - keep;
    }

    /** Removes, closes and deletes every segment whose end is <= {@code position}. */
    public int removeBefore(long position) throws IOException {
        Segment[] s = segments;
        int drop = 0;
        while (drop < s.length && s[drop].end() <= position) {
            drop++;
        }
        segments = Arrays.copyOfRange(s, drop, s.length);
        for (int i = 0; i < drop; i++) {
            dispose(s[i]);
        }
        if (drop > 0) {
            storage.syncDirectory(dir);
        }
        return drop;
    }

    private void dispose(Segment seg) throws IOException {
        seg.retire();
        storage.delete(seg.file().path());
    }

    /** Closes every segment (shutdown). */
    public void closeAll() {
        Segment[] s = segments;
        segments = EMPTY;
        for (Segment seg : s) {
            seg.retire();
        }
    }
}
