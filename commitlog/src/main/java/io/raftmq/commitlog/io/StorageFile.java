package io.raftmq.commitlog.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Port: one fixed-capacity file of the commit log (a log segment or an index segment). Offsets are relative to
 * the start of the file and always within {@code [0, capacity())}. Implementations: {@link FileChannelStorage}
 * (pwrite/pread/fdatasync) and {@link MappedStorage} (mmap, msync); tests use an in-memory fixture that loses
 * unflushed writes and runs out of space on demand.
 *
 * <p>Thread-safety: concurrent {@link #read} calls are allowed, and concurrent {@link #write}s to disjoint ranges
 * (the appender and the segment preallocator's zero-fill ahead of it); {@link #force()} may run concurrently with
 * writes and covers at least every write that returned before it was called.
 *
 * <p>Errors: {@link NoSpaceException} when the device is full (nothing is promised about the bytes of the failed
 * write: the caller must treat them as garbage); any other {@link IOException} is a device failure.
 */
public interface StorageFile extends AutoCloseable {

    /** The file's path, used in error messages. */
    Path path();

    /** Capacity in bytes, fixed at creation. */
    long capacity();

    /**
     * Writes all of {@code src} [position, limit) at {@code offset}; on return src.position == src.limit.
     * The caller keeps ownership of {@code src}.
     */
    void write(long offset, ByteBuffer src) throws IOException;

    /**
     * Reads exactly {@code dst.remaining()} bytes at {@code offset} into dst (dst.position advances).
     * Bytes never written read as zeros.
     */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Makes every write that returned before this call durable. */
    void force() throws IOException;

    /** Releases the file (closes the channel, unmaps the mapping). Idempotent. */
    @Override
    void close() throws IOException;
}
