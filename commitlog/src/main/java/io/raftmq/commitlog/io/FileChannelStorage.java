package io.raftmq.commitlog.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A {@link StorageFile} over a {@link FileChannel}: positional writes (pwrite), positional reads (pread) and
 * {@code force(false)} (fdatasync). The file is created sparse up to its capacity, so blocks are allocated on
 * write (by the appender, or earlier by the segment preallocator's zero-fill) and a full device surfaces as
 * {@link NoSpaceException} from {@link #write}. Positional writes to disjoint ranges may run concurrently.
 */
public final class FileChannelStorage implements StorageFile {
    private final Path path;
    private final FileChannel channel;
    private final long capacity;

    FileChannelStorage(Path path, FileChannel channel, long capacity) {
        this.path = path;
        this.channel = channel;
        this.capacity = capacity;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long capacity() {
        return capacity;
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        check(offset, src.remaining());
        long at = offset;
        try {
            while (src.hasRemaining()) {
                at += channel.write(src, at);
            }
        } catch (IOException e) {
            throw NoSpaceException.classify(e, "write " + path + " at " + at);
        }
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        check(offset, dst.remaining());
        long at = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, at);
            if (n < 0) {
                while (dst.hasRemaining()) {
                    dst.put((byte) 0);
                }
                return;
            }
            at += n;
        }
    }

    @Override
    public void force() throws IOException {
        try {
            channel.force(false);
        } catch (IOException e) {
            throw NoSpaceException.classify(e, "force " + path);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void check(long offset, int length) {
        if (offset < 0 || offset + length > capacity) {
            throw new IllegalArgumentException("access [" + offset + ", +" + length + ") outside " + path
                + " of capacity " + capacity);
        }
    }
}
