package io.raftmq.tools.bench.pull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The scratch file of the pull-copy bench: fixed-size records back to back, record {@code i} at {@code i * size},
 * starting with {@code i} as a big-endian long and filled with {@code (byte) i} after it, so a reader can check that
 * it got the record it asked for. Written and forced once, then read from the page cache, as a broker's recent
 * segments are.
 * <pre>
 *  record i: | i (8 bytes, big-endian) | (byte) i repeated (size - 8 bytes) |
 * </pre>
 */
final class RecordFile {
    private static final int CHUNK = 1 << 20;

    private RecordFile() {
    }

    /** Fills {@code ch} with {@code mib} MiB of records of {@code size} bytes; returns how many. */
    static int fill(FileChannel ch, int size, int mib) throws IOException {
        long total = (long) mib << 20;
        int records = (int) Math.min(Integer.MAX_VALUE, total / size);
        ByteBuffer chunk = ByteBuffer.allocateDirect(Math.max(CHUNK, size));
        long pos = 0;
        for (int i = 0; i < records; i++) {
            if (chunk.remaining() < size) {
                pos += writeAll(ch, chunk.flip(), pos);
                chunk.clear();
            }
            put(chunk, i, size);
        }
        writeAll(ch, chunk.flip(), pos);
        ch.force(true);
        return records;
    }

    /** Appends record {@code i} of {@code size} bytes to {@code dst}. */
    static void put(ByteBuffer dst, long i, int size) {
        dst.putLong(i);
        byte fill = (byte) i;
        for (int k = Long.BYTES; k < size; k++) {
            dst.put(fill);
        }
    }

    private static long writeAll(FileChannel ch, ByteBuffer src, long pos) throws IOException {
        long written = 0;
        while (src.hasRemaining()) {
            written += ch.write(src, pos + written);
        }
        return written;
    }
}
