package io.raftmq.commitlog.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture: a {@link StorageProvider} over a {@link FaultyMemoryStorage} that lets a process die at an exact
 * point. Every mutating operation (a file write, a force, an atomic file replacement, a deletion) is one step;
 * {@link #killAfter(int)} lets that many more steps through and refuses every later one with an IOException ("killed"),
 * as if the process had died right after the last step allowed. What the steps did stays in the underlying storage
 * (a process kill keeps written bytes in the page cache); a power loss on top is {@link FaultyMemoryStorage#crash}.
 * {@link #steps()} lists what ran (for counting the crash points of an operation and for failure messages).
 * Reads, listings and directory creation are not steps. Thread-safe (one lock).
 */
public final class CrashPointStorage implements StorageProvider {
    private final FaultyMemoryStorage disk;
    private final List<String> steps = new ArrayList<>();
    private int stepsLeft = Integer.MAX_VALUE;

    public CrashPointStorage(FaultyMemoryStorage disk) {
        this.disk = disk;
    }

    /** Lets {@code steps} more mutating operations through, then refuses all of them. */
    public synchronized void killAfter(int steps) {
        this.stepsLeft = steps;
    }

    /** Every step taken since the last {@link #clearSteps}, in order ("write <file>@<offset>+<n>", ...). */
    public synchronized List<String> steps() {
        return List.copyOf(steps);
    }

    public synchronized void clearSteps() {
        steps.clear();
    }

    private synchronized void step(String what) throws IOException {
        if (stepsLeft == 0) {
            throw new IOException("killed before " + what);
        }
        if (stepsLeft != Integer.MAX_VALUE) {
            stepsLeft--;
        }
        steps.add(what);
    }

    @Override
    public StorageFile open(Path path, long capacity) throws IOException {
        StorageFile f = disk.open(path, capacity);
        return new StorageFile() {
            @Override
            public Path path() {
                return f.path();
            }

            @Override
            public long capacity() {
                return f.capacity();
            }

            @Override
            public void write(long offset, ByteBuffer src) throws IOException {
                synchronized (CrashPointStorage.this) {
                    step("write " + path.getFileName() + "@" + offset + "+" + src.remaining());
                    f.write(offset, src);
                }
            }

            @Override
            public void read(long offset, ByteBuffer dst) throws IOException {
                f.read(offset, dst);
            }

            @Override
            public void force() throws IOException {
                synchronized (CrashPointStorage.this) {
                    step("force " + path.getFileName());
                    f.force();
                }
            }

            @Override
            public void close() throws IOException {
                f.close();
            }
        };
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        disk.createDirectories(dir);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        return disk.list(dir);
    }

    @Override
    public List<String> listDirectories(Path dir) throws IOException {
        return disk.listDirectories(dir);
    }

    @Override
    public long size(Path path) throws IOException {
        return disk.size(path);
    }

    @Override
    public synchronized void delete(Path path) throws IOException {
        step("delete " + path.getFileName());
        disk.delete(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        disk.syncDirectory(dir);
    }

    @Override
    public synchronized void writeAtomically(Path path, byte[] content) throws IOException {
        step("replace " + path.getFileName());
        disk.writeAtomically(path, content);
    }

    @Override
    public byte[] readAll(Path path) throws IOException {
        return disk.readAll(path);
    }

    @Override
    public double usageRatio(Path dir) throws IOException {
        return disk.usageRatio(dir);
    }
}
