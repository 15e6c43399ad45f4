package io.raftmq.commitlog.io;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A {@link StorageFile} over one read-write mapping of the whole file (capacity at most 1 GiB). Writes and reads
 * are memory copies; {@link #force()} is msync of the mapping. The provider zero-fills the file through the
 * channel before mapping it, so every block is allocated and a full device can never surface as SIGBUS.
 * {@link #close()} unmaps at once (through {@code sun.misc.Unsafe#invokeCleaner}); the owner must guarantee that
 * no read or write is in flight (segments reference-count their readers for this reason).
 */
public final class MappedStorage implements StorageFile {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            UNSAFE = f.get(null);
            INVOKE_CLEANER = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final long capacity;
    private boolean closed;

    MappedStorage(Path path, FileChannel channel, long capacity) throws IOException {
        if (capacity > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("mapped file larger than 2 GiB: " + path);
        }
        this.path = path;
        this.channel = channel;
        this.capacity = capacity;
        this.map = channel.map(FileChannel.MapMode.READ_WRITE, 0, capacity);
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
        int length = check(offset, src.remaining());
        map.put((int) offset, src, src.position(), length);
        src.position(src.limit());
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int length = check(offset, dst.remaining());
        dst.put(dst.position(), map, (int) offset, length);
        dst.position(dst.position() + length);
    }

    @Override
    public void force() throws IOException {
        map.force();
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            INVOKE_CLEANER.invoke(UNSAFE, map);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IOException("unmap " + path, e);
        }
        channel.close();
    }

    private int check(long offset, int length) {
        if (offset < 0 || offset + length > capacity) {
            throw new IllegalArgumentException("access [" + offset + ", +" + length + ") outside " + path
                + " of capacity " + capacity);
        }
        return length;
    }
}
