package io.raftmq.commitlog.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Test fixture: an in-memory {@link StorageProvider} that can lose unflushed writes and run out of space.
 * Every file keeps its current bytes and its durable bytes (as of the last force); {@link #crash} throws away
 * what was not forced, optionally keeping a random prefix of the unforced range (a torn tail);
 * {@link #crashKeepingPages} keeps a random subset of the unforced 4 KiB pages instead (a disk writes dirty pages
 * back in any order); {@link #failWritesAfter} lets a process die part-way through a sequence of writes.
 * Directory changes (create, delete, rename) are durable at once. {@link #setFull(boolean)} makes writes that need
 * new 4 KiB pages, and file creation, fail with {@link NoSpaceException}. {@link #setFailing(boolean)} makes writes
 * and forces fail with a plain IOException (a device error); {@link #setFailingPaths(Predicate)} does the same for
 * the files it selects only (file creation and atomic replacement included). {@link #setForceBlocked(boolean)}
 * holds every force until unblocked, so a test can keep a flush agent inside a force while it queues more work.
 * Directories exist once created or once a file lies below them. Thread-safe (one lock).
 */
public final class FaultyMemoryStorage implements StorageProvider {
    private static final int PAGE = 4096;
    private final Map<Path, MemFile> files = new TreeMap<>();
    private final Set<Path> directories = new TreeSet<>();
    private Predicate<Path> failingPaths = p -> false;
    private boolean full;
    private double usageRatio;
    private int forces;
    private boolean failing;
    private boolean forceBlocked;
    private int forcesWaiting;
    /** Writes left before the process dies (every later write and force fails); -1: no limit. */
    private int writesLeft = -1;

    public synchronized void setFailing(boolean failing) {
        this.failing = failing;
    }

    /** Writes, forces, creations and atomic replacements of the files {@code paths} selects fail (device error). */
    public synchronized void setFailingPaths(Predicate<Path> paths) {
        this.failingPaths = paths;
    }

    /** While true, every force waits (releasing the lock) until set false again. */
    public synchronized void setForceBlocked(boolean blocked) {
        this.forceBlocked = blocked;
        notifyAll();
    }

    /** Number of forces waiting on {@link #setForceBlocked(boolean)} right now. */
    public synchronized int forcesWaiting() {
        return forcesWaiting;
    }

    /**
     * The process dies after {@code writes} more writes: every later write and force fails with an IOException
     * until this is called again ({@code -1}: no limit).
     */
    public synchronized void failWritesAfter(int writes) {
        this.writesLeft = writes;
    }

    public synchronized void setFull(boolean full) {
        this.full = full;
    }

    public synchronized void setUsageRatio(double ratio) {
        this.usageRatio = ratio;
    }

    public synchronized int forces() {
        return forces;
    }

    public synchronized boolean exists(Path p) {
        return files.containsKey(p);
    }

    /** Simulated power loss: every file falls back to its durable bytes plus, if torn, a random unforced prefix. */
    public synchronized void crash(Random rnd, boolean torn) {
        for (MemFile f : files.values()) {
            f.crash(rnd, torn);
        }
    }

    /**
     * Simulated power loss where the disk had written back an arbitrary subset of the unforced data: each 4 KiB
     * page holding unforced bytes is kept or lost on a coin toss, whatever order it was written in.
     */
    public synchronized void crashKeepingPages(Random rnd) {
        for (MemFile f : files.values()) {
            f.crashKeepingPages(rnd);
        }
    }

    /** Flips one bit of a stored file, current and durable (tests of corruption handling). */
    public synchronized void flipBit(Path p, long offset, int bit) {
        MemFile f = files.get(p);
        f.current[(int) offset] ^= (byte) (1 << bit);
        f.durable[(int) offset] ^= (byte) (1 << bit);
    }

    /** Every stored file's path, in order (tests that pick a file to damage). */
    public synchronized List<Path> paths() {
        return new ArrayList<>(files.keySet());
    }

    /** Deletes every file and directory (an operator wiping a member's data). */
    public synchronized void deleteAll() {
        files.clear();
        directories.clear();
    }

    @Override
    public synchronized StorageFile open(Path path, long capacity) throws IOException {
        MemFile f = files.get(path);
        if (f == null) {
            if (failingPaths.test(path)) {
                throw new IOException("create " + path + ": injected device error");
            }
            if (full) {
                throw new NoSpaceException("create " + path + ": No space left on device", null);
            }
            f = new MemFile((int) capacity);
            files.put(path, f);
        }
        if (f.current.length != capacity) {
            throw new IOException("capacity mismatch for " + path);
        }
        return new View(path, f);
    }

    @Override
    public synchronized void createDirectories(Path dir) {
        for (Path d = dir; d != null; d = d.getParent()) {
            directories.add(d);
        }
    }

    @Override
    public synchronized List<String> list(Path dir) {
        List<String> names = new ArrayList<>();
        for (Path p : files.keySet()) {
            if (dir.equals(p.getParent())) {
                names.add(p.getFileName().toString());
            }
        }
        names.sort(null);
        return names;
    }

    @Override
    public synchronized List<String> listDirectories(Path dir) {
        Set<String> names = new TreeSet<>();
        for (Path d : directories) {
            if (dir.equals(d.getParent())) {
                names.add(d.getFileName().toString());
            }
        }
        for (Path p : files.keySet()) {
            if (p.startsWith(dir) && p.getNameCount() > dir.getNameCount() + 1) {
                names.add(p.getName(dir.getNameCount()).toString());
            }
        }
        return new ArrayList<>(names);
    }

    @Override
    public synchronized long size(Path path) {
        MemFile f = files.get(path);
        return f == null ? -1 : f.current.length;
    }

    @Override
    public synchronized void delete(Path path) throws IOException {
        if (directories.contains(path)) {
            for (Path p : files.keySet()) {
                if (p.startsWith(path)) {
                    throw new IOException("delete " + path + ": directory not empty");
                }
            }
            for (Path d : directories) {
                if (!d.equals(path) && d.startsWith(path)) {
                    throw new IOException("delete " + path + ": directory not empty");
                }
            }
            directories.remove(path);
        }
        files.remove(path);
    }

    @Override
    public void syncDirectory(Path dir) {
    }

    @Override
    public synchronized void writeAtomically(Path path, byte[] content) throws IOException {
        if (failingPaths.test(path)) {
            throw new IOException("write " + path + ": injected device error");
        }
        if (full) {
            throw new NoSpaceException("write " + path + ": No space left on device", null);
        }
        MemFile f = new MemFile(content.length);
        System.arraycopy(content, 0, f.current, 0, content.length);
        System.arraycopy(content, 0, f.durable, 0, content.length);
        files.put(path, f);
    }

    @Override
    public synchronized byte[] readAll(Path path) {
        MemFile f = files.get(path);
        return f == null ? null : f.current.clone();
    }

    @Override
    public synchronized double usageRatio(Path dir) {
        return usageRatio;
    }

    private static final class MemFile {
        final byte[] current;
        final byte[] durable;
        final BitSet allocated = new BitSet();
        int dirtyLo = Integer.MAX_VALUE;
        int dirtyHi = -1;

        MemFile(int capacity) {
            current = new byte[capacity];
            durable = new byte[capacity];
        }

        void crashKeepingPages(Random rnd) {
            for (int page = Math.max(0, dirtyLo) / PAGE; dirtyHi > dirtyLo && page * PAGE < dirtyHi; page++) {
                if (rnd.nextBoolean()) {
                    int lo = Math.max(dirtyLo, page * PAGE);
                    System.arraycopy(current, lo, durable, lo, Math.min(dirtyHi, (page + 1) * PAGE) - lo);
                }
            }
            crash(rnd, false);
        }

        void crash(Random rnd, boolean torn) {
            if (dirtyHi > dirtyLo) {
                int keep = torn ? rnd.nextInt(dirtyHi - dirtyLo + 1) : 0;
                System.arraycopy(current, dirtyLo, durable, dirtyLo, keep);
            }
            System.arraycopy(durable, 0, current, 0, current.length);
            dirtyLo = Integer.MAX_VALUE;
            dirtyHi = -1;
        }
    }

    private final class View implements StorageFile {
        private final Path path;
        private final MemFile f;
        private boolean closed;

        View(Path path, MemFile f) {
            this.path = path;
            this.f = f;
        }

        @Override
        public Path path() {
            return path;
        }

        @Override
        public long capacity() {
            return f.current.length;
        }

        @Override
        public void write(long offset, ByteBuffer src) throws IOException {
            synchronized (FaultyMemoryStorage.this) {
                check(offset, src.remaining());
                int n = src.remaining();
                int lo = (int) offset;
                if (failing || failingPaths.test(path)) {
                    throw new IOException("write " + path + ": injected device error");
                }
                if (writesLeft == 0) {
                    throw new IOException("write " + path + ": the process died");
                }
                if (writesLeft > 0) {
                    writesLeft--;
                }
                if (full && f.allocated.nextClearBit(lo / PAGE) <= (lo + n - 1) / PAGE) {
                    throw new NoSpaceException("write " + path + ": No space left on device", null);
                }
                src.get(f.current, lo, n);
                f.allocated.set(lo / PAGE, (lo + n - 1) / PAGE + 1);
                f.dirtyLo = Math.min(f.dirtyLo, lo);
                f.dirtyHi = Math.max(f.dirtyHi, lo + n);
            }
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            synchronized (FaultyMemoryStorage.this) {
                check(offset, dst.remaining());
                dst.put(f.current, (int) offset, dst.remaining());
            }
        }

        @Override
        public void force() throws IOException {
            synchronized (FaultyMemoryStorage.this) {
                check(0, 0);
                awaitUnblocked();
                if (failing || failingPaths.test(path)) {
                    throw new IOException("force " + path + ": injected device error");
                }
                if (writesLeft == 0) {
                    throw new IOException("force " + path + ": the process died");
                }
                forces++;
                if (f.dirtyHi > f.dirtyLo) {
                    System.arraycopy(f.current, f.dirtyLo, f.durable, f.dirtyLo, f.dirtyHi - f.dirtyLo);
                }
                f.dirtyLo = Integer.MAX_VALUE;
                f.dirtyHi = -1;
            }
        }

        @Override
        public void close() {
            synchronized (FaultyMemoryStorage.this) {
                closed = true;
            }
        }

        private void awaitUnblocked() throws IOException {
            forcesWaiting++;
            try {
                while (forceBlocked) {
                    FaultyMemoryStorage.this.wait();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while a force was blocked", e);
            } finally {
                forcesWaiting--;
            }
        }

        private void check(long offset, int length) throws IOException {
            if (closed) {
                throw new ClosedChannelException();
            }
            if (offset < 0 || offset + length > f.current.length) {
                throw new IllegalArgumentException("outside " + path + ": " + offset + "+" + length);
            }
        }
    }
}
