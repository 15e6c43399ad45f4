package io.raftmq.broker.snapshot;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.SnapshotStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The broker's snapshots on disk (docs/snapshots.md rules 2 and 3): one {@link SnapshotFile} per snapshot in
 * {@code <storePathRootDir>/snapshot/}, named {@code <index, 20 digits>.snap}.
 *
 * <p><b>Writing.</b> {@link #offer} (raft agent thread, never blocks) hands the snapshot to one background writer;
 * a snapshot offered while an older one still waits replaces it (at most one waits). The writer first flushes
 * what the parts refer to on disk ({@link #addBeforeWrite}: the timer index), then writes the file atomically
 * through the {@link StorageProvider} port ({@link StorageProvider#writeAtomically}: a temporary file, forced,
 * renamed into place, the directory forced; a simulated disk in tests); only then is the snapshot listed. It keeps
 * the newest {@code retainCount} snapshots and never deletes the current compaction point. A failed write is
 * logged and counted; the next offer tries again.
 *
 * <p><b>Finding.</b> The compaction point ({@link #compactionPoint}, also what {@link #latest} returns for a leader
 * to send) is the newest listed snapshot whose next position is at or below every registered {@link FeatureFloor}.
 * A snapshot waiting to be written is never returned. Files are verified completely when the store opens (a
 * damaged one is skipped with a WARN naming it) and again whenever one is read.
 *
 * <p>Threads: {@link #offer} and {@link #latest} on the raft agent thread, {@link #compactionPoint} and the
 * listing on any thread, writes on the writer (an injected {@link Executor} in tests).
 */
public final class FileSnapshotStore implements SnapshotStore, SnapshotCatalog, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(FileSnapshotStore.class);
    static final String SUFFIX = ".snap";
    static final String TEMP_SUFFIX = ".tmp";
    private static final long CLOSE_WAIT_MS = 30_000;

    /** A snapshot on disk. */
    private record Persisted(SnapshotInfo info, Path file) {
    }

    private final Path dir;
    private final StorageProvider storage;
    private final int retainCount;
    private final Executor writer;
    private final ExecutorService ownedWriter;
    private final List<FeatureFloor> floors = new CopyOnWriteArrayList<>();
    private final List<Flushable> beforeWrite = new CopyOnWriteArrayList<>();
    private final AtomicReference<Snapshot> waiting = new AtomicReference<>();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    /** Oldest first; replaced as a whole under {@code this}. */
    private volatile List<Persisted> persisted;
    /** Agent thread: the last snapshot {@link #latest} read, so a repeated call does not read the file again. */
    private Snapshot cached;

    /**
     * Opens (creating) {@code dir} with a writer of its own, the thread {@code snapshot-writer}.
     *
     * @throws UncheckedIOException the directory cannot be created or listed
     */
    public static FileSnapshotStore open(Path dir, int retainCount) {
        ExecutorService w = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "snapshot-writer");
            t.setDaemon(true);
            return t;
        });
        return new FileSnapshotStore(dir, new FileSystemStorage(IoMode.CHANNEL), retainCount, w, w);
    }

    /** Opens {@code dir} on the file system with writes run on {@code writer} (tests drive it by hand). */
    public FileSnapshotStore(Path dir, int retainCount, Executor writer) {
        this(dir, new FileSystemStorage(IoMode.CHANNEL), retainCount, writer, null);
    }

    /** Opens {@code dir} on {@code storage} with writes run on {@code writer} (a simulated disk in tests). */
    public FileSnapshotStore(Path dir, StorageProvider storage, int retainCount, Executor writer) {
        this(dir, storage, retainCount, writer, null);
    }

    private FileSnapshotStore(Path dir, StorageProvider storage, int retainCount, Executor writer,
                              ExecutorService owned) {
        if (retainCount < 1) {
            throw new IllegalArgumentException("retainCount must be >= 1, got " + retainCount);
        }
        this.dir = dir;
        this.storage = storage;
        this.retainCount = retainCount;
        this.writer = writer;
        this.ownedWriter = owned;
        try {
            storage.createDirectories(dir);
            this.persisted = scan();
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot directory " + dir + " cannot be opened", e);
        }
    }

    /** Lists the valid snapshot files, oldest first; deletes temporary leftovers of an interrupted write. */
    private List<Persisted> scan() throws IOException {
        List<Persisted> found = new ArrayList<>();
        for (String name : storage.list(dir)) {
            Path f = dir.resolve(name);
            if (name.endsWith(TEMP_SUFFIX)) {
                LOG.info("deleting {}: a snapshot write that did not finish", f);
                storage.delete(f);
            } else if (name.endsWith(SUFFIX)) {
                byte[] bytes = storage.readAll(f);
                if (bytes == null) {
                    continue; // deleted meanwhile
                }
                try {
                    found.add(new Persisted(SnapshotFile.decode(bytes, f).info(), f));
                } catch (CorruptSnapshotException e) {
                    LOG.warn("skipping a damaged snapshot: {}", e.getMessage());
                }
            }
        }
        found.sort(Comparator.comparingLong(p -> p.info().index()));
        return List.copyOf(found);
    }

    /** Registers a feature's floor (before the raft agent starts). */
    public void addFloor(FeatureFloor floor) {
        floors.add(floor);
    }

    /** Registers files the parts refer to, flushed before every snapshot file is written (the timer index). */
    public void addBeforeWrite(Flushable f) {
        beforeWrite.add(f);
    }

    @Override
    public void offer(Snapshot snapshot) {
        Snapshot old = waiting.getAndSet(snapshot);
        if (old != null) {
            LOG.debug("snapshot at {} replaced by {} before it was written", old.index(), snapshot.index());
        }
        try {
            writer.execute(this::writeWaiting);
        } catch (RejectedExecutionException e) { // closed: the store no longer takes snapshots
            waiting.set(null);
            LOG.info("snapshot at {} not written: the store is closed", snapshot.index());
        }
    }

    /** Writer thread: writes the snapshot waiting, if any. */
    private void writeWaiting() {
        Snapshot s = waiting.getAndSet(null);
        if (s != null) {
            write(s);
        }
    }

    /**
     * A leader's snapshot being installed: written on the calling (agent) thread, durable on return, because the
     * log below it is discarded right after. A failure stops the install (the agent stops the node) rather than
     * leave a member whose log starts after a snapshot it does not have.
     *
     * @throws IllegalStateException the snapshot could not be written
     */
    @Override
    public void install(Snapshot snapshot) {
        long failures = writeFailures.get();
        dropNewerThan(snapshot.index());
        write(snapshot);
        Verify.state(writeFailures.get() == failures, "the installed snapshot could not be written",
            snapshot.index());
    }

    /**
     * Before an install at {@code index}: deletes the snapshots this member took beyond it. They can only be of a
     * log that recovery cut back since (damage inside the log, docs/snapshots.md "Snapshot store"): every snapshot
     * taken since the start is of an applied entry, below the index a leader installs. Kept, they would hide the
     * installed one ({@link #write} skips a snapshot older than the newest on disk) and lie beyond the restarted
     * log, so the next start would find no snapshot covering it. A crash after a deletion leaves the older
     * snapshots and the old log, and the install is repeated. Agent thread.
     *
     * @throws IllegalStateException a newer snapshot cannot be deleted (the install stops)
     */
    private synchronized void dropNewerThan(long index) {
        for (Persisted p : persisted) {
            if (p.info().index() <= index) {
                continue;
            }
            remove(p);
            try {
                storage.delete(p.file());
            } catch (IOException e) {
                throw new IllegalStateException("snapshot " + p.file() + " beyond the installed one at " + index
                    + " cannot be deleted: " + e, e);
            }
            LOG.warn("deleted snapshot {}: it lies beyond the snapshot at index {} being installed (its log was cut"
                + " back since it was taken)", p.file(), index);
        }
    }

    /** Writes {@code s} unless an equal or newer one is on disk; one writer at a time (writer or agent thread). */
    private synchronized void write(Snapshot s) {
        List<Persisted> now = persisted;
        if (!now.isEmpty() && now.get(now.size() - 1).info().index() >= s.index()) {
            return; // an equal or newer one is on disk already
        }
        Path target = dir.resolve(fileName(s.index()));
        try {
            long next = SnapshotImage.decode(s.data(), "offered snapshot " + s.index()).nextPosition();
            SnapshotFile f = new SnapshotFile(s.index(), s.term(), next, s.membership(), s.data());
            for (Flushable b : beforeWrite) {
                b.flush();
            }
            storage.writeAtomically(target, f.encode());
            add(new Persisted(f.info(), target));
            written.incrementAndGet();
            LOG.info("snapshot at index {} (term {}, next position {}) written to {} ({} bytes)", s.index(),
                s.term(), next, target, s.data().length);
            prune();
        } catch (IOException | RuntimeException e) { // writer boundary: count, log, the next snapshot retries
            writeFailures.incrementAndGet();
            LOG.error("writing the snapshot at index {} failed ({} failures so far)", s.index(), writeFailures.get(),
                e);
            deleteQuietly(target.resolveSibling(target.getFileName() + TEMP_SUFFIX));
        }
    }

    private synchronized void add(Persisted p) {
        List<Persisted> l = new ArrayList<>(persisted);
        l.removeIf(x -> x.info().index() == p.info().index());
        l.add(p);
        l.sort(Comparator.comparingLong(x -> x.info().index()));
        persisted = List.copyOf(l);
    }

    private synchronized void remove(Persisted p) {
        List<Persisted> l = new ArrayList<>(persisted);
        l.remove(p);
        persisted = List.copyOf(l);
    }

    /** Deletes all but the newest {@code retainCount} snapshots, keeping the compaction point. Writer thread. */
    private void prune() {
        List<Persisted> now = persisted;
        Persisted point = compactionPersisted(now);
        for (int i = 0; i < now.size() - retainCount; i++) {
            Persisted p = now.get(i);
            if (p == point) {
                continue;
            }
            remove(p);
            try {
                storage.delete(p.file());
                LOG.debug("deleted snapshot {}", p.file());
            } catch (IOException e) {
                LOG.warn("old snapshot {} cannot be deleted: {}", p.file(), e.toString());
            }
        }
    }

    /** The lowest offset any feature still needs ({@link Long#MAX_VALUE}: none). */
    public long floor() {
        long f = Long.MAX_VALUE;
        for (FeatureFloor x : floors) {
            f = Math.min(f, x.lowestNeededOffset());
        }
        return f;
    }

    private Persisted compactionPersisted(List<Persisted> l) {
        long floor = floor();
        for (int i = l.size() - 1; i >= 0; i--) {
            if (l.get(i).info().nextPosition() <= floor) {
                return l.get(i);
            }
        }
        return null;
    }

    @Override
    public SnapshotInfo compactionPoint() {
        Persisted p = compactionPersisted(persisted);
        return p == null ? null : p.info();
    }

    /**
     * The compaction point's snapshot, read from its file (cached until the point moves); null while none
     * qualifies. A file found damaged is dropped from the list (WARN) and the next older one tried.
     */
    @Override
    public Snapshot latest() {
        while (true) {
            Persisted p = compactionPersisted(persisted);
            if (p == null) {
                return null;
            }
            Snapshot c = cached;
            if (c != null && c.index() == p.info().index()) {
                return c;
            }
            try {
                cached = read(p.file()).toRaftSnapshot();
                return cached;
            } catch (CorruptSnapshotException | UncheckedIOException e) {
                LOG.warn("snapshot {} cannot be used: {}", p.file(), e.getMessage());
                remove(p);
            }
        }
    }

    /** The listed snapshots, newest first. Any thread. */
    public List<SnapshotInfo> newestFirst() {
        List<SnapshotInfo> out = new ArrayList<>();
        List<Persisted> l = persisted;
        for (int i = l.size() - 1; i >= 0; i--) {
            out.add(l.get(i).info());
        }
        return out;
    }

    /**
     * Reads and verifies the listed snapshot {@code info}.
     *
     * @throws CorruptSnapshotException the file is damaged (it is dropped from the list)
     * @throws UncheckedIOException     it cannot be read
     */
    public Loaded read(SnapshotInfo info) {
        for (Persisted p : persisted) {
            if (p.info().equals(info)) {
                try {
                    return read(p.file());
                } catch (CorruptSnapshotException e) {
                    remove(p);
                    throw e;
                }
            }
        }
        throw new IllegalArgumentException("no snapshot " + info + " in " + dir);
    }

    private Loaded read(Path file) {
        byte[] bytes;
        try {
            bytes = storage.readAll(file);
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot file " + file + " cannot be read", e);
        }
        if (bytes == null) {
            throw new UncheckedIOException("snapshot file " + file + " vanished", new IOException("no such file"));
        }
        return new Loaded(file, SnapshotFile.decode(bytes, file));
    }

    /**
     * A snapshot read from disk and verified.
     *
     * @param file where it was read from
     * @param data its content
     */
    public record Loaded(Path file, SnapshotFile data) {
        /** As the raft {@link Snapshot} (the image is its data). */
        public Snapshot toRaftSnapshot() {
            return new Snapshot(data.index(), data.term(), data.membership(), data.image());
        }
    }

    static String fileName(long index) {
        return String.format("%020d", index) + SUFFIX;
    }

    private void deleteQuietly(Path p) {
        try {
            storage.delete(p);
        } catch (IOException e) {
            LOG.warn("cannot delete {}: {}", p, e.toString());
        }
    }

    /** Snapshots written since open (a counter). */
    public long written() {
        return written.get();
    }

    /** Failed writes since open (a counter). */
    public long writeFailures() {
        return writeFailures.get();
    }

    /** The directory. */
    public Path dir() {
        return dir;
    }

    /** Abrupt stop (a simulated death): the writer of {@link #open} is interrupted, a waiting write dropped. */
    public void abort() {
        waiting.set(null);
        if (ownedWriter != null) {
            ownedWriter.shutdownNow();
        }
    }

    /** Lets a waiting write finish (bounded), then stops the writer of {@link #open}. */
    @Override
    public void close() {
        if (ownedWriter == null) {
            return;
        }
        ownedWriter.shutdown();
        try {
            if (!ownedWriter.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warn("snapshot writer did not finish within {} ms", CLOSE_WAIT_MS);
                ownedWriter.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ownedWriter.shutdownNow();
        }
    }
}
