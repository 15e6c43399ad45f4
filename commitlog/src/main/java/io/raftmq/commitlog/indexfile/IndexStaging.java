package io.raftmq.commitlog.indexfile;

import io.raftmq.commitlog.io.StorageFile;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Writer-side state of an {@link IndexFile} being written: an in-memory mirror of its slot table, the entries
 * staged since the last publish and the slot updates they make. A put costs no I/O: it appends its 20-byte
 * entry to the staging buffer and records its slot update in a small map (so chains inside one batch link
 * right). {@link IndexFile#publish()} writes the staged entries with one write (they are contiguous), publishes
 * the entry count, then {@link #applyStaged() applies} the slot updates to the mirror; {@link IndexFile#flush()}
 * writes the slot-table pages changed since the last flush ({@link #writeDirtySlots}), as contiguous runs.
 *
 * <p>Threading: one writer calls everything but {@link #slot}; queries call {@link #slot} from any thread. A
 * mirror slot is set (release) only after the entry it names is written and covered by the published count,
 * and a query reads the slot (acquire) before the count, so it never follows a slot to an unwritten entry.
 */
final class IndexStaging {
    /** Slots per dirty-tracking page: 4 KiB of the slot table. */
    static final int PAGE_SLOTS = 1024;
    private static final int IO_CHUNK_SLOTS = 16 * PAGE_SLOTS;

    private final AtomicIntegerArray slots;
    private final long[] dirtyPages;
    private final ByteBuffer entries;
    private final int[] stagedSlot;
    /** Open-addressing map slot -> newest staged entry; a cell is live when its generation is current. */
    private final int[] mapSlot;
    private final int[] mapEntry;
    private final int[] mapGeneration;
    private final int mapMask;
    private int generation = 1;
    private int staged;
    private int firstStaged;

    private IndexStaging(int slotCount, int capacity) {
        slots = new AtomicIntegerArray(slotCount);
        dirtyPages = new long[(pageCount(slotCount) + 63) / 64];
        entries = ByteBuffer.allocate(capacity * IndexFile.ENTRY_SIZE);
        stagedSlot = new int[capacity];
        int mapSize = Integer.highestOneBit(capacity * 4 - 1) << 1;
        mapSlot = new int[mapSize];
        mapEntry = new int[mapSize];
        mapGeneration = new int[mapSize];
        mapMask = mapSize - 1;
    }

    /**
     * A staging area for a file whose slot table starts at {@code slotTablePosition}: read from the file, or
     * all zeros for a new file ({@code fresh}). Holds up to {@code capacity} entries between publishes.
     */
    static IndexStaging load(StorageFile file, long slotTablePosition, int slotCount, int capacity, boolean fresh)
            throws IOException {
        IndexStaging s = new IndexStaging(slotCount, capacity);
        if (!fresh) {
            ByteBuffer chunk = ByteBuffer.allocate(IO_CHUNK_SLOTS * IndexFile.SLOT_SIZE);
            for (int from = 0; from < slotCount; from += IO_CHUNK_SLOTS) {
                int count = Math.min(IO_CHUNK_SLOTS, slotCount - from);
                chunk.clear().limit(count * IndexFile.SLOT_SIZE);
                file.read(slotTablePosition + (long) from * IndexFile.SLOT_SIZE, chunk);
                for (int i = 0; i < count; i++) {
                    s.slots.setPlain(from + i, chunk.getInt(i * IndexFile.SLOT_SIZE));
                }
            }
        }
        return s;
    }

    private static int pageCount(int slotCount) {
        return (slotCount + PAGE_SLOTS - 1) / PAGE_SLOTS;
    }

    /** A slot as published to queries (any thread). */
    int slot(int index) {
        return slots.getAcquire(index);
    }

    /** The writer's view of a slot: its newest staged entry, else the mirror. */
    int current(int index) {
        for (int i = mix(index); mapGeneration[i] == generation; i = (i + 1) & mapMask) {
            if (mapSlot[i] == index) {
                return mapEntry[i];
            }
        }
        return slots.getPlain(index);
    }

    /**
     * Stages entry {@code entryNumber} (the next one) of slot {@code index}.
     *
     * @return true when the staging buffer is full (publish before staging more)
     */
    boolean stage(int index, int entryNumber, int keyHash, long phyOffset, int timeDiff, int prev) {
        if (staged == 0) {
            firstStaged = entryNumber;
        }
        entries.putInt(keyHash).putLong(phyOffset).putInt(timeDiff).putInt(prev);
        stagedSlot[staged++] = index;
        int i = mix(index);
        while (mapGeneration[i] == generation && mapSlot[i] != index) {
            i = (i + 1) & mapMask;
        }
        mapGeneration[i] = generation;
        mapSlot[i] = index;
        mapEntry[i] = entryNumber;
        return staged == stagedSlot.length;
    }

    /** Staged entries not yet written. */
    int stagedCount() {
        return staged;
    }

    /** Entry number of the first staged entry (valid when {@link #stagedCount()} > 0). */
    int firstStaged() {
        return firstStaged;
    }

    /** Writes the staged entries, contiguous from {@code position}, with one write. */
    void writeStaged(StorageFile file, long position) throws IOException {
        entries.flip();
        try {
            file.write(position, entries);
        } finally {
            entries.clear().position(staged * IndexFile.ENTRY_SIZE);
        }
    }

    /** Applies the staged slot updates to the mirror (after their entries are written and published). */
    void applyStaged() {
        for (int k = 0; k < staged; k++) {
            set(stagedSlot[k], firstStaged + k);
        }
        staged = 0;
        entries.clear();
        if (++generation == 0) {
            Arrays.fill(mapGeneration, 0);
            generation = 1;
        }
    }

    /** Sets a mirror slot and marks its page dirty. */
    void set(int index, int value) {
        slots.setRelease(index, value);
        int page = index / PAGE_SLOTS;
        dirtyPages[page >>> 6] |= 1L << page;
    }

    /** True when a slot changed since the last {@link #writeDirtySlots}. */
    boolean hasDirtySlots() {
        for (long word : dirtyPages) {
            if (word != 0) {
                return true;
            }
        }
        return false;
    }

    /** Writes every slot-table page changed since the last call, each run of dirty pages in few writes. */
    void writeDirtySlots(StorageFile file, long slotTablePosition) throws IOException {
        int pages = pageCount(slots.length());
        ByteBuffer chunk = null;
        int page = 0;
        while (page < pages) {
            if ((dirtyPages[page >>> 6] & (1L << page)) == 0) {
                page++;
                continue;
            }
            int runEnd = page;
            while (runEnd < pages && (dirtyPages[runEnd >>> 6] & (1L << runEnd)) != 0) {
                runEnd++;
            }
            if (chunk == null) {
                chunk = ByteBuffer.allocate(IO_CHUNK_SLOTS * IndexFile.SLOT_SIZE);
            }
            writeSlots(file, slotTablePosition, page * PAGE_SLOTS,
                    Math.min(runEnd * PAGE_SLOTS, slots.length()), chunk);
            page = runEnd;
        }
        Arrays.fill(dirtyPages, 0);
    }

    private void writeSlots(StorageFile file, long slotTablePosition, int from, int to, ByteBuffer chunk)
            throws IOException {
        for (int start = from; start < to; start += IO_CHUNK_SLOTS) {
            int end = Math.min(to, start + IO_CHUNK_SLOTS);
            chunk.clear();
            for (int i = start; i < end; i++) {
                chunk.putInt(slots.getPlain(i));
            }
            chunk.flip();
            file.write(slotTablePosition + (long) start * IndexFile.SLOT_SIZE, chunk);
        }
    }

    private int mix(int index) {
        return (index * 0x9E3779B9 >>> 7) & mapMask;
    }
}
