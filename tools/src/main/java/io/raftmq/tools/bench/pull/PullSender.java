package io.raftmq.tools.bench.pull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;

/**
 * The sending side of the pull-copy bench: builds pull {@code p} (an 8-byte header holding its first record's index,
 * then {@code batch} records, every {@code queues}-th from that one) and sends it by one of the
 * {@link PullCopyBench.Strategy strategies}, counting the system calls it made. Records of one pull are contiguous
 * only with one queue (one run of {@code batch}); otherwise each record is its own run.
 * <pre>
 *  pull frame: | first record index (8 bytes, big-endian) | record first | record first + queues | ... |
 * </pre>
 * Allocation-free per pull. One thread.
 */
final class PullSender {
    private final FileChannel file;
    private final SocketChannel out;
    private final int size;
    private final int batch;
    private final int queues;
    private final long slots;
    private final ByteBuffer header = ByteBuffer.allocateDirect(Long.BYTES);
    private final ByteBuffer body;
    private final ByteBuffer[] frame;
    private long syscalls;

    PullSender(FileChannel file, SocketChannel out, int size, int batch, int queues, int records) {
        this.file = file;
        this.out = out;
        this.size = size;
        this.batch = batch;
        this.queues = queues;
        this.slots = records / ((long) batch * queues);
        this.body = ByteBuffer.allocateDirect(batch * size);
        this.frame = new ByteBuffer[] {header, body};
    }

    /** The first record of pull {@code p}: pulls walk the file slot by slot, each slot on another queue. */
    long firstRecord(long p) {
        return (p % slots) * batch * queues + (p / slots) % queues;
    }

    /** Sends pull {@code p} with {@code s}. */
    void send(PullCopyBench.Strategy s, long p) {
        long first = firstRecord(p);
        header.clear().putLong(first).flip();
        try {
            switch (s) {
                case COPY -> sendCopied(first, 1);
                case COALESCE -> sendCopied(first, runLength());
                case SENDFILE -> sendFile(first);
                default -> throw new IllegalArgumentException("unknown strategy " + s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("pull " + p + " failed", e);
        }
    }

    long syscalls() {
        return syscalls;
    }

    /** Records per contiguous run: all of them with one queue, else one. */
    private int runLength() {
        return queues == 1 ? batch : 1;
    }

    /** Reads runs of {@code run} records (one pread per run, at most one record when they are not contiguous). */
    private void sendCopied(long first, int run) throws IOException {
        body.clear();
        for (int i = 0; i < batch; i += run) {
            long pos = recordPosition(first, i);
            body.limit(body.position() + run * size);
            while (body.hasRemaining()) {
                file.read(body, pos + body.position() - (long) i * size);
                syscalls++;
            }
        }
        body.flip();
        while (body.hasRemaining()) {
            out.write(frame);
            syscalls++;
        }
    }

    private void sendFile(long first) throws IOException {
        while (header.hasRemaining()) {
            out.write(header);
            syscalls++;
        }
        int run = runLength();
        for (int i = 0; i < batch; i += run) {
            long pos = recordPosition(first, i);
            long len = (long) run * size;
            long done = 0;
            while (done < len) {
                done += file.transferTo(pos + done, len - done, out);
                syscalls++;
            }
        }
    }

    /** File position of the {@code i}-th record of a pull that starts at record {@code first}. */
    private long recordPosition(long first, int i) {
        return (first + (long) i * queues) * size;
    }
}
