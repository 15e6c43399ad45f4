package io.raftmq.commitlog.indexfile;

import io.raftmq.commitlog.error.Verify;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One index file (docs/protocol.md §3.9): a 40-byte header, {@code slotCount} 4-byte hash slots, then {@code
 * entryCount} 20-byte entries, memory-mapped. Entry numbers start at 1 (0 means "none"), so a file holds
 * {@code entryCount - 1} entries; entry n sits at {@code 40 + slotCount * 4 + n * 20}.
 *
 * <pre>
 * header (40)                              slot (4)                   entry (20)
 * +------------------------------------+   +-----------------------+  +----------------------------------+
 * |  0 beginTimestamp (8) ms           |   | newest entry number   |  |  0 keyHash (4) abs(hashCode)     |
 * |  8 endTimestamp (8) ms             |   | in this bucket, 0=none|  |  4 phyOffset (8)                 |
 * | 16 beginPhyOffset (8)              |   +-----------------------+  | 12 timeDiff (4) s since begin    |
 * | 24 endPhyOffset (8)                |                              | 16 prev entry number, same slot  |
 * | 32 hashSlotCount (4) slots in use  |                              +----------------------------------+
 * | 36 indexCount (4) next entry, >= 1 |
 * +------------------------------------+
 * </pre>
 * keyHash = {@code abs(key.hashCode())} (MIN_VALUE -> 0), slot = keyHash % slotCount. Entries are appended in
 * physical-offset order, which lets {@link #truncateFromPhysical} undo the newest ones exactly.
 *
 * <p>Validation on open covers the header (counts in range, offsets consistent with the last entry). A
 * damaged entry or slot is caught at query time: a chain stops at a link that does not point strictly
 * backwards, and entries whose hash differs are skipped. Threading: one writer; concurrent queries read the
 * mapping and see entries no newer than the indexCount they read (it is written last).
 */
public final class IndexFile implements AutoCloseable {
    public static final int HEADER_SIZE = 40;
    public static final int BEGIN_TIMESTAMP_OFFSET = 0;
    public static final int END_TIMESTAMP_OFFSET = 8;
    public static final int BEGIN_PHY_OFFSET_OFFSET = 16;
    public static final int END_PHY_OFFSET_OFFSET = 24;
    public static final int HASH_SLOT_COUNT_OFFSET = 32;
    public static final int INDEX_COUNT_OFFSET = 36;
    public static final int SLOT_SIZE = 4;
    public static final int ENTRY_SIZE = 20;
    public static final int ENTRY_KEY_HASH_OFFSET = 0;
    public static final int ENTRY_PHY_OFFSET_OFFSET = 4;
    public static final int ENTRY_TIME_DIFF_OFFSET = 12;
    public static final int ENTRY_PREV_INDEX_OFFSET = 16;

    static {
        Verify.state(INDEX_COUNT_OFFSET + 4 == HEADER_SIZE, "header layout", INDEX_COUNT_OFFSET + 4, HEADER_SIZE);
        Verify.state(ENTRY_PREV_INDEX_OFFSET + 4 == ENTRY_SIZE, "entry layout", ENTRY_PREV_INDEX_OFFSET + 4,
                ENTRY_SIZE);
    }

    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final int slotCount;
    private final int entryCount;
    /** Invariant: 1 <= indexCount <= entryCount; entries [1, indexCount) are written. */
    private volatile int indexCount;

    private IndexFile(Path path, FileChannel channel, MappedByteBuffer map, int slotCount, int entryCount) {
        this.path = path;
        this.channel = channel;
        this.map = map;
        this.slotCount = slotCount;
        this.entryCount = entryCount;
    }

    /** Bytes of a file with these counts. */
    public static long fileLength(int slotCount, int entryCount) {
        return HEADER_SIZE + (long) slotCount * SLOT_SIZE + (long) entryCount * ENTRY_SIZE;
    }

    /** Checks counts give a mappable file (at most 2 GiB) that holds at least one entry. */
    public static void checkCounts(int slotCount, int entryCount) {
        Verify.argument(slotCount > 0 && entryCount > 1, "need slotCount > 0 and entryCount > 1");
        Verify.argument(fileLength(slotCount, entryCount) <= Integer.MAX_VALUE, "index file larger than 2 GiB");
    }

    /** The slot-hash of a key: {@code abs(key.hashCode())}, with Integer.MIN_VALUE mapped to 0. */
    public static int keyHash(String key) {
        int h = key.hashCode();
        return h == Integer.MIN_VALUE ? 0 : Math.abs(h);
    }

    /** Creates a new empty file (it must not exist). */
    public static IndexFile create(Path path, int slotCount, int entryCount) throws IOException {
        checkCounts(slotCount, entryCount);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, fileLength(slotCount, entryCount));
        IndexFile f = new IndexFile(path, ch, map, slotCount, entryCount);
        f.map.putInt(INDEX_COUNT_OFFSET, 1);
        f.indexCount = 1;
        return f;
    }

    /**
     * Opens an existing file and validates its length and header.
     *
     * @throws IndexFileCorruptException if validation fails
     */
    public static IndexFile open(Path path, int slotCount, int entryCount) throws IOException {
        checkCounts(slotCount, entryCount);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long length = fileLength(slotCount, entryCount);
            if (ch.size() != length) {
                throw new IndexFileCorruptException(path + ": length " + ch.size() + ", expected " + length);
            }
            IndexFile f = new IndexFile(path, ch, ch.map(FileChannel.MapMode.READ_WRITE, 0, length), slotCount,
                    entryCount);
            f.indexCount = f.map.getInt(INDEX_COUNT_OFFSET);
            f.validateHeader();
            return f;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void validateHeader() throws IndexFileCorruptException {
        int usedSlots = map.getInt(HASH_SLOT_COUNT_OFFSET);
        if (indexCount < 1 || indexCount > entryCount || usedSlots < 0 || usedSlots > Math.min(slotCount,
                indexCount - 1)) {
            throw new IndexFileCorruptException(path + ": bad counts, indexCount " + indexCount + ", slots in use "
                    + usedSlots);
        }
        if (indexCount == 1) {
            return;
        }
        long endPhy = endPhyOffset();
        if (beginPhyOffset() < 0 || beginPhyOffset() > endPhy || entryPhyOffset(indexCount - 1) != endPhy
                || entryPhyOffset(1) != beginPhyOffset() || beginTimestamp() > endTimestamp()) {
            throw new IndexFileCorruptException(path + ": header offsets/timestamps disagree with the entries");
        }
    }

    /** True when no entry fits any more. */
    public boolean isFull() {
        return indexCount >= entryCount;
    }

    /** Number of entries written. */
    public int entries() {
        return indexCount - 1;
    }

    public long beginTimestamp() {
        return map.getLong(BEGIN_TIMESTAMP_OFFSET);
    }

    public long endTimestamp() {
        return map.getLong(END_TIMESTAMP_OFFSET);
    }

    public long beginPhyOffset() {
        return map.getLong(BEGIN_PHY_OFFSET_OFFSET);
    }

    public long endPhyOffset() {
        return map.getLong(END_PHY_OFFSET_OFFSET);
    }

    public Path path() {
        return path;
    }

    /**
     * Adds an entry for {@code key}; physical offsets must be non-decreasing across calls.
     *
     * @return false if the file is full (nothing written)
     */
    public boolean put(String key, long phyOffset, long storeTimestampMs) {
        int n = indexCount;
        if (n >= entryCount) {
            return false;
        }
        Verify.state(n == 1 || phyOffset >= endPhyOffset(), "index entries out of physical order", phyOffset,
                endPhyOffset());
        if (n == 1) {
            map.putLong(BEGIN_TIMESTAMP_OFFSET, storeTimestampMs);
            map.putLong(BEGIN_PHY_OFFSET_OFFSET, phyOffset);
        }
        int hash = keyHash(key);
        int slotPos = slotPosition(hash);
        int prev = map.getInt(slotPos);
        if (prev <= 0 || prev >= n) {
            prev = 0;
            map.putInt(HASH_SLOT_COUNT_OFFSET, map.getInt(HASH_SLOT_COUNT_OFFSET) + 1);
        }
        long diffSeconds = (storeTimestampMs - beginTimestamp()) / 1000;
        int entryPos = entryPosition(n);
        map.putInt(entryPos + ENTRY_KEY_HASH_OFFSET, hash);
        map.putLong(entryPos + ENTRY_PHY_OFFSET_OFFSET, phyOffset);
        map.putInt(entryPos + ENTRY_TIME_DIFF_OFFSET, (int) Math.max(0, Math.min(Integer.MAX_VALUE, diffSeconds)));
        map.putInt(entryPos + ENTRY_PREV_INDEX_OFFSET, prev);
        map.putInt(slotPos, n);
        map.putLong(END_TIMESTAMP_OFFSET, Math.max(storeTimestampMs, endTimestamp()));
        map.putLong(END_PHY_OFFSET_OFFSET, phyOffset);
        map.putInt(INDEX_COUNT_OFFSET, n + 1);
        indexCount = n + 1;
        return true;
    }

    /**
     * Appends to {@code out} the physical offsets of entries for {@code key} whose time (second granularity)
     * overlaps [beginMs, endMs], newest first, until {@code out} is full or the chain reaches an entry below
     * {@code physicalFloor} (older entries are older still).
     */
    public void query(String key, long beginMs, long endMs, long physicalFloor, OffsetCollector out) {
        int hash = keyHash(key);
        int limit = indexCount;
        int n = map.getInt(slotPosition(hash));
        long base = beginTimestamp();
        while (n > 0 && n < limit && !out.isFull()) {
            int entryPos = entryPosition(n);
            long entryMs = base + map.getInt(entryPos + ENTRY_TIME_DIFF_OFFSET) * 1000L;
            long physical = map.getLong(entryPos + ENTRY_PHY_OFFSET_OFFSET);
            if (physical < physicalFloor) {
                return;
            }
            if (map.getInt(entryPos + ENTRY_KEY_HASH_OFFSET) == hash && entryMs <= endMs && entryMs + 999 >= beginMs) {
                out.add(physical);
            }
            int prev = map.getInt(entryPos + ENTRY_PREV_INDEX_OFFSET);
            limit = n;
            n = prev;
        }
    }

    /**
     * Undoes, newest first, every entry whose physical offset is {@code >= physicalPosition}, restoring the
     * slots to their previous entries. Returns the entries left.
     *
     * @throws IndexFileCorruptException if an entry's slot does not point at it (the file was damaged)
     */
    public int truncateFromPhysical(long physicalPosition) throws IndexFileCorruptException {
        int n = indexCount - 1;
        while (n >= 1 && entryPhyOffset(n) >= physicalPosition) {
            int entryPos = entryPosition(n);
            int slotPos = slotPosition(map.getInt(entryPos + ENTRY_KEY_HASH_OFFSET));
            if (map.getInt(slotPos) != n) {
                throw new IndexFileCorruptException(path + ": slot does not point at entry " + n + " being undone");
            }
            int prev = map.getInt(entryPos + ENTRY_PREV_INDEX_OFFSET);
            map.putInt(slotPos, prev);
            if (prev == 0) {
                map.putInt(HASH_SLOT_COUNT_OFFSET, map.getInt(HASH_SLOT_COUNT_OFFSET) - 1);
            }
            for (int k = 0; k < ENTRY_SIZE; k += 4) {
                map.putInt(entryPos + k, 0);
            }
            n--;
        }
        resetEnd(n);
        return n;
    }

    private void resetEnd(int lastEntry) {
        if (lastEntry == 0) {
            for (int k = 0; k < 32; k += 8) {
                map.putLong(k, 0L);
            }
        } else {
            int diff = map.getInt(entryPosition(lastEntry) + ENTRY_TIME_DIFF_OFFSET);
            map.putLong(END_TIMESTAMP_OFFSET, beginTimestamp() + diff * 1000L + 999);
            map.putLong(END_PHY_OFFSET_OFFSET, entryPhyOffset(lastEntry));
        }
        map.putInt(INDEX_COUNT_OFFSET, lastEntry + 1);
        indexCount = lastEntry + 1;
    }

    /** Forces the mapping to disk. */
    public void flush() {
        map.force();
    }

    /** Closes the file channel (the mapping is released by the GC). */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    private long entryPhyOffset(int n) {
        return map.getLong(entryPosition(n) + ENTRY_PHY_OFFSET_OFFSET);
    }

    private int slotPosition(int hash) {
        return HEADER_SIZE + (hash % slotCount) * SLOT_SIZE;
    }

    private int entryPosition(int n) {
        return HEADER_SIZE + slotCount * SLOT_SIZE + n * ENTRY_SIZE;
    }

    /** Receives query results; bounded by the caller's maxNum. */
    public interface OffsetCollector {
        /** True when no more results are wanted. */
        boolean isFull();

        /** Adds one physical offset. */
        void add(long physicalOffset);
    }
}
