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
 * the header is also kept in memory.
 *
 * <p>Writes are batched ({@link IndexStaging}): {@link #put} stages the entry in memory and does no I/O;
 * {@link #publish()} (the dispatcher calls it at the end of each batch, and a put when the staging buffer is
 * full) writes the staged entries with one write and makes them visible to queries; {@link #flush()} publishes,
 * forces, writes the header, forces, then writes the changed pages of the slot table and forces, so after a flush
 * the file is byte-for-byte what writing each entry, its slot and the header in turn would have produced, and no
 * crash part-way leaves a slot pointing past the header's count. Until then the slot table and header on disk may
 * lag the entries (a crash loses what was not flushed, as before).
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
 * backwards, and entries whose hash differs are skipped. Threading: one writer; concurrent queries read slots
 * from the writer's in-memory mirror while it exists (from the first put until the file is flushed full;
 * otherwise from the file) and entries from the file, and follow no entry at or beyond the published
 * indexCount. A query racing {@link #close()} gets an {@link IOException}.
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
    /** Entries staged between publishes (a 40 KiB buffer). */
    static final int STAGING_CAPACITY = 2048;

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
    /** Writer: the next entry number; entries [indexCount, nextEntry) are staged. */
    private int nextEntry;
    /** Writer state while the file is written (null before its first put, and once flushed full). */
    private volatile IndexStaging staging;
    /** True for a file created by this process (its slot table is zeros: no need to read it). */
    private boolean fresh;
    /** Writer-thread scratch. */
    private final ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE);
    private final ByteBuffer entry = ByteBuffer.allocate(ENTRY_SIZE);
    private final ByteBuffer slot = ByteBuffer.allocate(SLOT_SIZE);
    private final ByteBuffer zeroEntry = ByteBuffer.allocate(ENTRY_SIZE);

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
            f.nextEntry = 1;
            f.fresh = true;
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
        nextEntry = indexCount;
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

    /** True when no entry fits any more (writer). */
    public boolean isFull() {
        return nextEntry >= entryCount;
    }

    /** Number of entries published to queries. */
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
     * Stages an entry for {@code key} (no I/O unless the staging buffer fills and is published); physical
     * offsets must be non-decreasing across calls. Queries see it after the next {@link #publish()}.
     *
     * @return false if the file is full (nothing staged)
     * @throws IOException on I/O failure (the file is then unusable; the owner rebuilds it)
     */
    public boolean put(String key, long phyOffset, long storeTimestampMs) throws IOException {
        int n = nextEntry;
        if (n >= entryCount) {
            return false;
        }
        Verify.state(n == 1 || phyOffset >= endPhyOffset, "index entries out of physical order", phyOffset,
                endPhyOffset);
        IndexStaging s = writerState();
        if (n == 1) {
            beginTimestamp = storeTimestampMs;
            beginPhyOffset = phyOffset;
        }
        int hash = keyHash(key);
        int slotIndex = hash % slotCount;
        int prev = s.current(slotIndex);
        if (prev <= 0 || prev >= n) {
            prev = 0;
            usedSlots++;
        }
        long diffSeconds = (storeTimestampMs - beginTimestamp) / 1000;
        boolean bufferFull = s.stage(slotIndex, n, hash, phyOffset,
                (int) Math.max(0, Math.min(Integer.MAX_VALUE, diffSeconds)), prev);
        nextEntry = n + 1;
        endTimestamp = Math.max(storeTimestampMs, endTimestamp);
        endPhyOffset = phyOffset;
        if (bufferFull) {
            publish();
        }
        return true;
    }

    private IndexStaging writerState() throws IOException {
        IndexStaging s = staging;
        if (s == null) {
            s = IndexStaging.load(file, HEADER_SIZE, slotCount, STAGING_CAPACITY, fresh);
            staging = s;
        }
        return s;
    }

    /**
     * Writes the staged entries (one write), publishes them to queries, then points the mirror's slots at them.
     * Writer only.
     */
    public void publish() throws IOException {
        IndexStaging s = staging;
        if (s == null || s.stagedCount() == 0) {
            return;
        }
        s.writeStaged(file, entryPosition(s.firstStaged()));
        indexCount = nextEntry;
        s.applyStaged();
    }

    /**
     * Writes the staged entries, forces, writes the header, forces, then writes the changed slot-table pages (not
     * forced). The forces order what a power loss may keep (a disk persists unforced pages in any order): the
     * entries are durable before the count that covers them, and the count before any slot that points at them,
     * so no crash leaves a slot pointing at or past the header's count, which would hide every older entry of that
     * slot's chain from queries. A flush cut short leaves stale slots that recovery's undo of the entries beyond
     * the checkpoint detects (the owner rebuilds); docs/storage.md "Recovery".
     */
    private void writeState() throws IOException {
        IndexStaging s = staging;
        if (s == null || (s.stagedCount() == 0 && !s.hasDirtySlots())) {
            return;
        }
        publish();
        file.force();
        writeHeader();
        file.force();
        s.writeDirtySlots(file, HEADER_SIZE);
        if (isFull()) {
            staging = null;
            fresh = false;
        }
    }

    /**
     * Appends to {@code out} the physical offsets of entries for {@code key} whose time (second granularity)
     * overlaps [beginMs, endMs], newest first, until {@code out} is full or the chain reaches an entry below
     * {@code physicalFloor} (older entries are older still).
     */
    public void query(String key, long beginMs, long endMs, long physicalFloor, OffsetCollector out)
            throws IOException {
        int hash = keyHash(key);
        IndexStaging s = staging;
        int n = s != null ? s.slot(hash % slotCount) : readInt(slotPosition(hash), ByteBuffer.allocate(SLOT_SIZE));
        int limit = indexCount; // read after the slot: a slot published to the mirror is below it
        ByteBuffer e = ByteBuffer.allocate(ENTRY_SIZE);
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
     * slots to their previous entries. Writes out staged state first (see {@link #flush()}), then works on the
     * file, keeping the mirror in step. Crash-safe in this order: the restored slots are forced before the
     * header's count drops (a count below a slot that still points at an undone entry would hide that slot's
     * older entries for good, and no later undo would see it), then the new header is forced, then the undone
     * entries are zeroed (beyond the count, so not forced). A crash part-way leaves the old count with some slots
     * restored: the next undo meets a slot that does not point at the entry it undoes and reports corruption
     * (the owner rebuilds; docs/storage.md "Recovery"). Returns the entries left.
     *
     * @throws IndexFileCorruptException if an entry's slot does not point at it (the file was damaged, or an
     *                                   earlier undo was cut short)
     */
    public int truncateFromPhysical(long physicalPosition) throws IOException {
        writeState();
        int count = indexCount;
        int n = restoreSlotsFrom(physicalPosition);
        if (n == count - 1) {
            return n;
        }
        file.force();
        resetEnd(n);
        file.force();
        for (int undone = n + 1; undone < count; undone++) {
            file.write(entryPosition(undone), zeroEntry.clear());
        }
        return n;
    }

    /** Points each slot of an entry at or beyond {@code physicalPosition} back at its previous entry, newest first. */
    private int restoreSlotsFrom(long physicalPosition) throws IOException {
        IndexStaging s = staging;
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
            if (s != null) {
                s.set((int) ((slotPos - HEADER_SIZE) / SLOT_SIZE), prev);
            }
            if (prev == 0) {
                usedSlots--;
            }
            n--;
        }
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
        nextEntry = count;
        writeHeader();
    }

    /**
     * Publishes, writes the header, then the slot-table pages changed since the last flush, then forces the
     * file: the file on disk then holds exactly the entries published. A full file drops its mirror here.
     */
    public void flush() throws IOException {
        writeState();
        file.force();
    }

    /** Closes the file; staged and unflushed state is dropped (as by a crash): flush first to keep it. */
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
