package io.raftmq.commitlog.indexfile;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.StorageFile;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;

/**
 * One index file (docs/protocol.md §3.9): a 40-byte header, {@code slotCount} 4-byte hash slots, then {@code
 * entryCount} 20-byte entries. Entry numbers start at 1 (0 means "none"), so a file holds {@code entryCount - 1}
 * entries; entry n sits at {@code 40 + slotCount * 4 + n * 20}. The file has its full length from creation
 * (unwritten bytes are zeros) and is read and written through the {@link StorageProvider} port by positional I/O;
 * the header is also kept in memory and rewritten whole after each change.
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
 * file and see entries no newer than the indexCount they read (it is published last). A query racing
 * {@link #close()} gets an {@link IOException}.
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

    private final StorageFile file;
    private final int slotCount;
    private final int entryCount;
    /** In-memory copy of the header; the writer changes it and rewrites the header bytes. */
    private volatile long beginTimestamp;
    private volatile long endTimestamp;
    private volatile long beginPhyOffset;
    private volatile long endPhyOffset;
    private int usedSlots;
    /** Invariant: 1 <= indexCount <= entryCount; entries [1, indexCount) are written. Published last. */
    private volatile int indexCount;
    /** Writer-thread scratch. */
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
    private final ByteBuffer entry = ByteBuffer.allocate(ENTRY_SIZE);
    private final ByteBuffer slot = ByteBuffer.allocate(SLOT_SIZE);

    private IndexFile(StorageFile file, int slotCount, int entryCount) {
        this.file = file;
        this.slotCount = slotCount;
        this.entryCount = entryCount;
    }

    /** Bytes of a file with these counts. */
    public static long fileLength(int slotCount, int entryCount) {
        return HEADER_SIZE + (long) slotCount * SLOT_SIZE + (long) entryCount * ENTRY_SIZE;
    }

    /** Checks counts give a file of at most 2 GiB that holds at least one entry. */
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
    public static IndexFile create(StorageProvider storage, Path path, int slotCount, int entryCount)
            throws IOException {
        checkCounts(slotCount, entryCount);
        if (storage.size(path) >= 0) {
            throw new FileAlreadyExistsException(path.toString());
        }
        IndexFile f = new IndexFile(storage.open(path, fileLength(slotCount, entryCount)), slotCount, entryCount);
        try {
            f.indexCount = 1;
            f.writeHeader();
            return f;
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /**
     * Opens an existing file and validates its length and header.
     *
     * @throws IndexFileCorruptException if validation fails
     */
    public static IndexFile open(StorageProvider storage, Path path, int slotCount, int entryCount)
            throws IOException {
        checkCounts(slotCount, entryCount);
        long length = fileLength(slotCount, entryCount);
        long size = storage.size(path);
        if (size != length) {
            throw new IndexFileCorruptException(path + ": length " + size + ", expected " + length);
        }
        IndexFile f = new IndexFile(storage.open(path, length), slotCount, entryCount);
        try {
            f.readHeader();
            f.validateHeader();
            return f;
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private void readHeader() throws IOException {
        file.read(0, header.clear());
        beginTimestamp = header.getLong(BEGIN_TIMESTAMP_OFFSET);
        endTimestamp = header.getLong(END_TIMESTAMP_OFFSET);
        beginPhyOffset = header.getLong(BEGIN_PHY_OFFSET_OFFSET);
        endPhyOffset = header.getLong(END_PHY_OFFSET_OFFSET);
        usedSlots = header.getInt(HASH_SLOT_COUNT_OFFSET);
        indexCount = header.getInt(INDEX_COUNT_OFFSET);
    }

    private void writeHeader() throws IOException {
        header.clear();
        header.putLong(beginTimestamp).putLong(endTimestamp).putLong(beginPhyOffset).putLong(endPhyOffset)
                .putInt(usedSlots).putInt(indexCount).flip();
        file.write(0, header);
    }

    private void validateHeader() throws IOException {
        if (indexCount < 1 || indexCount > entryCount || usedSlots < 0 || usedSlots > Math.min(slotCount,
                indexCount - 1)) {
            throw new IndexFileCorruptException(path() + ": bad counts, indexCount " + indexCount
                    + ", slots in use " + usedSlots);
        }
        if (indexCount == 1) {
            return;
        }
        long endPhy = endPhyOffset;
        if (beginPhyOffset < 0 || beginPhyOffset > endPhy || entryPhyOffset(indexCount - 1) != endPhy
                || entryPhyOffset(1) != beginPhyOffset || beginTimestamp > endTimestamp) {
            throw new IndexFileCorruptException(path() + ": header offsets/timestamps disagree with the entries");
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
        return beginTimestamp;
    }

    public long endTimestamp() {
        return endTimestamp;
    }

    public long beginPhyOffset() {
        return beginPhyOffset;
    }

    public long endPhyOffset() {
        return endPhyOffset;
    }

    public Path path() {
        return file.path();
    }

    /**
     * Adds an entry for {@code key}; physical offsets must be non-decreasing across calls. Writes the entry, then
     * its slot, then the header.
     *
     * @return false if the file is full (nothing written)
     * @throws IOException on I/O failure (the file is then unusable; the owner rebuilds it)
     */
    public boolean put(String key, long phyOffset, long storeTimestampMs) throws IOException {
        int n = indexCount;
        if (n >= entryCount) {
            return false;
        }
        Verify.state(n == 1 || phyOffset >= endPhyOffset, "index entries out of physical order", phyOffset,
                endPhyOffset);
        if (n == 1) {
            beginTimestamp = storeTimestampMs;
            beginPhyOffset = phyOffset;
        }
        int hash = keyHash(key);
        long slotPos = slotPosition(hash);
        int prev = readInt(slotPos, slot);
        if (prev <= 0 || prev >= n) {
            prev = 0;
            usedSlots++;
        }
        long diffSeconds = (storeTimestampMs - beginTimestamp) / 1000;
        entry.clear();
        entry.putInt(hash).putLong(phyOffset).putInt((int) Math.max(0, Math.min(Integer.MAX_VALUE, diffSeconds)))
                .putInt(prev).flip();
        file.write(entryPosition(n), entry);
        writeInt(slotPos, n);
        endTimestamp = Math.max(storeTimestampMs, endTimestamp);
        endPhyOffset = phyOffset;
        publishCount(n + 1);
        return true;
    }

    /**
     * Appends to {@code out} the physical offsets of entries for {@code key} whose time (second granularity)
     * overlaps [beginMs, endMs], newest first, until {@code out} is full or the chain reaches an entry below
     * {@code physicalFloor} (older entries are older still).
     */
    public void query(String key, long beginMs, long endMs, long physicalFloor, OffsetCollector out)
            throws IOException {
        int hash = keyHash(key);
        int limit = indexCount;
        ByteBuffer e = ByteBuffer.allocate(ENTRY_SIZE);
        int n = readInt(slotPosition(hash), ByteBuffer.allocate(SLOT_SIZE));
        long base = beginTimestamp;
        while (n > 0 && n < limit && !out.isFull()) {
            file.read(entryPosition(n), e.clear());
            long entryMs = base + e.getInt(ENTRY_TIME_DIFF_OFFSET) * 1000L;
            long physical = e.getLong(ENTRY_PHY_OFFSET_OFFSET);
            if (physical < physicalFloor) {
                return;
            }
            if (e.getInt(ENTRY_KEY_HASH_OFFSET) == hash && entryMs <= endMs && entryMs + 999 >= beginMs) {
                out.add(physical);
            }
            limit = n;
            n = e.getInt(ENTRY_PREV_INDEX_OFFSET);
        }
    }

    /**
     * Undoes, newest first, every entry whose physical offset is {@code >= physicalPosition}, restoring the
     * slots to their previous entries. Returns the entries left.
     *
     * @throws IndexFileCorruptException if an entry's slot does not point at it (the file was damaged)
     */
    public int truncateFromPhysical(long physicalPosition) throws IOException {
        int n = indexCount - 1;
        while (n >= 1 && entryPhyOffset(n) >= physicalPosition) {
            file.read(entryPosition(n), entry.clear());
            long slotPos = slotPosition(entry.getInt(ENTRY_KEY_HASH_OFFSET));
            if (readInt(slotPos, slot) != n) {
                throw new IndexFileCorruptException(path() + ": slot does not point at entry " + n
                        + " being undone");
            }
            int prev = entry.getInt(ENTRY_PREV_INDEX_OFFSET);
            writeInt(slotPos, prev);
            if (prev == 0) {
                usedSlots--;
            }
            file.write(entryPosition(n), ByteBuffer.allocate(ENTRY_SIZE));
            n--;
        }
        resetEnd(n);
        return n;
    }

    private void resetEnd(int lastEntry) throws IOException {
        if (lastEntry == 0) {
            beginTimestamp = 0;
            endTimestamp = 0;
            beginPhyOffset = 0;
            endPhyOffset = 0;
        } else {
            file.read(entryPosition(lastEntry), entry.clear());
            endTimestamp = beginTimestamp + entry.getInt(ENTRY_TIME_DIFF_OFFSET) * 1000L + 999;
            endPhyOffset = entry.getLong(ENTRY_PHY_OFFSET_OFFSET);
        }
        publishCount(lastEntry + 1);
    }

    /** Publishes the new count to queries (the entries it covers are written), then rewrites the header. */
    private void publishCount(int count) throws IOException {
        indexCount = count;
        writeHeader();
    }

    /** Forces the file to disk. */
    public void flush() throws IOException {
        file.force();
    }

    /** Closes the file. */
    @Override
    public void close() throws IOException {
        file.close();
    }

    private long entryPhyOffset(int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        file.read(entryPosition(n) + ENTRY_PHY_OFFSET_OFFSET, b);
        return b.getLong(0);
    }

    private int readInt(long position, ByteBuffer scratch) throws IOException {
        file.read(position, scratch.clear());
        return scratch.getInt(0);
    }

    private void writeInt(long position, int value) throws IOException {
        slot.clear();
        slot.putInt(value).flip();
        file.write(position, slot);
    }

    private long slotPosition(int hash) {
        return HEADER_SIZE + (long) (hash % slotCount) * SLOT_SIZE;
    }

    private long entryPosition(int n) {
        return HEADER_SIZE + (long) slotCount * SLOT_SIZE + (long) n * ENTRY_SIZE;
    }

    /** Receives query results; bounded by the caller's maxNum. */
    public interface OffsetCollector {
        /** True when no more results are wanted. */
        boolean isFull();

        /** Adds one physical offset. */
        void add(long physicalOffset);
    }
}
