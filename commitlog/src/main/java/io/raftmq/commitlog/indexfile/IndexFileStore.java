package io.raftmq.commitlog.indexfile;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The key index of a store: index files under one directory, named (20 digits) by the physical offset of
 * their first entry, bumped by one past the previous file's name when equal, so names sort oldest first.
 * Writes go to the newest file and roll to a new one when it is full; queries walk files newest first. Keys:
 * {@code topic#KEY} for each space-separated entry of the KEYS property and {@code topic#UNIQ_KEY}. Files are
 * reached through the {@link StorageProvider} port only. Puts are staged in memory ({@link IndexFile}): queries
 * see them after {@link #publish()} (the dispatcher calls it at the end of each batch), and the files on disk
 * hold them after {@link #flush()}.
 *
 * <p>Threading: one writer (the dispatcher) calls the mutating methods; {@link #query} may run concurrently on
 * other threads (the file list is copy-on-write and files publish entries before their count).
 */
public final class IndexFileStore implements AutoCloseable {
    private final StorageProvider storage;
    private final Path dir;
    private final int slotCount;
    private final int entryCount;
    /** Oldest first; only the last one is written. */
    private final List<IndexFile> files = new CopyOnWriteArrayList<>();
    /** Results below this physical offset (deleted from the log by retention) are not returned. */
    private volatile long physicalFloor;

    private IndexFileStore(StorageProvider storage, Path dir, int slotCount, int entryCount) {
        this.storage = storage;
        this.dir = dir;
        this.slotCount = slotCount;
        this.entryCount = entryCount;
    }

    /**
     * Opens every index file in {@code dir} (created if absent).
     *
     * @throws IndexFileCorruptException if a file fails validation
     */
    public static IndexFileStore open(StorageProvider storage, Path dir, int slotCount, int entryCount)
            throws IOException {
        IndexFile.checkCounts(slotCount, entryCount);
        storage.createDirectories(dir);
        IndexFileStore store = new IndexFileStore(storage, dir, slotCount, entryCount);
        try {
            for (String name : storage.list(dir)) {
                if (name.matches("\\d{20}")) {
                    store.files.add(IndexFile.open(storage, dir.resolve(name), slotCount, entryCount));
                }
            }
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /**
     * Indexes one message: each space-separated entry of {@code keys} (may be null) and {@code uniqKey} (may
     * be null) as {@code topic#key}. Physical offsets must be non-decreasing across calls.
     */
    public void indexMessage(String topic, String keys, String uniqKey, long phyOffset, long storeTimestampMs)
            throws IOException {
        if (keys != null) {
            int from = 0;
            int length = keys.length();
            while (from < length) {
                int end = keys.indexOf(' ', from);
                end = end < 0 ? length : end;
                if (end > from) {
                    put(topic + '#' + keys.substring(from, end), phyOffset, storeTimestampMs);
                }
                from = end + 1;
            }
        }
        if (uniqKey != null && !uniqKey.isEmpty()) {
            put(topic + '#' + uniqKey, phyOffset, storeTimestampMs);
        }
    }

    /** Stages one key, rolling to a new file (after publishing the full one) when the newest is full. */
    public void put(String key, long phyOffset, long storeTimestampMs) throws IOException {
        IndexFile f = files.isEmpty() ? null : files.get(files.size() - 1);
        if (f == null || !f.put(key, phyOffset, storeTimestampMs)) {
            if (f != null) {
                f.publish();
            }
            f = IndexFile.create(storage, dir.resolve(String.format("%020d", nextFileName(phyOffset))), slotCount,
                    entryCount);
            files.add(f);
            Verify.state(f.put(key, phyOffset, storeTimestampMs), "a new index file takes an entry", phyOffset);
        }
    }

    /** Files are named by their first entry's physical offset, bumped past the previous name if equal. */
    private long nextFileName(long phyOffset) {
        if (files.isEmpty()) {
            return phyOffset;
        }
        long previous = Long.parseLong(files.get(files.size() - 1).path().getFileName().toString());
        return Math.max(phyOffset, previous + 1);
    }

    /**
     * Physical offsets of messages indexed under {@code topic#key} with store time in [beginMs, endMs] (second
     * granularity), newest first, at most {@code maxNum}. Candidates: the broker re-checks the keys. A file that
     * retention or truncation removes during the query is skipped.
     *
     * @throws UncheckedIOException on an I/O failure of a file still in the index
     */
    public long[] query(String topic, String key, int maxNum, long beginMs, long endMs) {
        Verify.argument(maxNum > 0, "maxNum must be positive");
        String fullKey = topic + '#' + key;
        Results results = new Results(maxNum);
        List<IndexFile> snapshot = files;
        for (int i = snapshot.size() - 1; i >= 0 && !results.isFull(); i--) {
            IndexFile f = snapshot.get(i);
            if (f.entries() > 0 && f.beginTimestamp() <= endMs && f.endTimestamp() + 999 >= beginMs) {
                queryFile(f, fullKey, beginMs, endMs, results);
            }
        }
        return Arrays.copyOf(results.offsets, results.size);
    }

    private void queryFile(IndexFile f, String fullKey, long beginMs, long endMs, Results results) {
        try {
            f.query(fullKey, beginMs, endMs, physicalFloor, results);
        } catch (IOException e) {
            if (files.contains(f)) {
                throw new UncheckedIOException("index query in " + f.path() + " failed", e);
            }
            // the file was deleted under the query: its entries are gone from the index anyway
        }
    }

    /** Undoes every entry at or beyond {@code physicalPosition}, deleting files left empty. */
    public void truncateFromPhysical(long physicalPosition) throws IOException {
        while (!files.isEmpty()) {
            IndexFile f = files.get(files.size() - 1);
            if (f.truncateFromPhysical(physicalPosition) > 0) {
                return;
            }
            files.remove(files.size() - 1);
            f.close();
            storage.delete(f.path());
        }
    }

    /**
     * Deletes every index file and forgets the retention floor: the index restarts empty for a log that restarts
     * at {@code physicalFloor} (snapshot install); older entries are never returned.
     */
    public void resetTo(long physicalFloor) throws IOException {
        Verify.argument(physicalFloor >= 0, "index floor must be >= 0");
        this.physicalFloor = Long.MAX_VALUE; // queries racing the reset return nothing
        while (!files.isEmpty()) {
            IndexFile f = files.remove(files.size() - 1);
            f.close();
            storage.delete(f.path());
        }
        Verify.state(files.isEmpty(), "index files left after a reset", files.size(), physicalFloor);
        this.physicalFloor = physicalFloor;
    }

    /**
     * Retention: deletes files (never the newest) whose entries all point below {@code physicalFloor}, and
     * hides older entries left in the remaining files from queries.
     */
    public int deleteBelowPhysical(long physicalFloor) throws IOException {
        this.physicalFloor = Math.max(this.physicalFloor, physicalFloor);
        int deleted = 0;
        while (files.size() > 1 && files.get(0).endPhyOffset() < physicalFloor) {
            IndexFile f = files.remove(0);
            f.close();
            storage.delete(f.path());
            deleted++;
        }
        return deleted;
    }

    /** Number of index files. */
    public int fileCount() {
        return files.size();
    }

    /** Makes the staged keys visible to queries (one write of the newest file's staged entries). */
    public void publish() throws IOException {
        if (!files.isEmpty()) {
            files.get(files.size() - 1).publish();
        }
    }

    /** Publishes, writes each file's changed slots and header, and forces every file to disk. */
    public void flush() throws IOException {
        for (IndexFile f : files) {
            f.flush();
        }
    }

    /** Closes every file; what was not flushed is dropped (as by a crash). */
    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (IndexFile f : files) {
            try {
                f.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        files.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private static final class Results implements IndexFile.OffsetCollector {
        final long[] offsets;
        int size;

        Results(int maxNum) {
            offsets = new long[maxNum];
        }

        @Override
        public boolean isFull() {
            return size == offsets.length;
        }

        @Override
        public void add(long physicalOffset) {
            offsets[size++] = physicalOffset;
        }
    }
}
