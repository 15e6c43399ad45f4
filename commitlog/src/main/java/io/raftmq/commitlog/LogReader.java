package io.raftmq.commitlog;

import io.raftmq.commitlog.error.CorruptLogException;
import io.raftmq.commitlog.error.LogTruncatedException;
import io.raftmq.commitlog.error.StorageFailedException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.index.IndexUnit;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.zip.CRC32C;

/**
 * The lock-free read path of {@link CommitLog}: copies whole, crc-verified records below the
 * {@link PublishedTail}'s readable position into caller buffers, copies raw byte ranges (unframed, for readers that
 * check their own framing), and resolves index units. Stateless apart from per-thread scratch buffers, so one
 * instance serves every reader thread without allocating per call.
 */
final class LogReader {
    private static final int SKIPPED_FILLER = -1;
    private final int recordBytesMax;
    private final SegmentList segments;
    private final IndexStore indexStore;
    private final PublishedTail tail;
    private final LogFence fence;
    /** The newest bytes written, read from memory when a range lies there entirely. */
    private final RecentBytes recent;
    private final ThreadLocal<CRC32C> readCrc = ThreadLocal.withInitial(CRC32C::new);
    private final ThreadLocal<ByteBuffer> headerScratch =
        ThreadLocal.withInitial(() -> ByteBuffer.allocate(RecordHeader.HEADER_LENGTH));

    LogReader(int recordBytesMax, SegmentList segments, IndexStore index, PublishedTail tail, LogFence fence,
        RecentBytes recent) {
        this.recent = recent;
        this.recordBytesMax = recordBytesMax;
        this.segments = segments;
        this.indexStore = index;
        this.tail = tail;
        this.fence = fence;
    }

    /**
     * See {@link CommitLog#read}; stops before the first record with index >= indexLimit. If {@code requireOne},
     * a first record that does not fit in dst is an IllegalArgumentException, else it just ends the read.
     */
    long read(long position, ByteBuffer dst, long indexLimit, boolean requireOne) {
        Verify.state(!fence.isClosed(), "commit log closed");
        if (position < tail.startPosition()) {
            throw new LogTruncatedException("position " + position + " is before the log start "
                + tail.startPosition());
        }
        long readable = tail.readablePosition();
        Verify.argument(position <= readable, "read position beyond the readable end");
        SegmentList segs = segments;
        while (position < readable) {
            Segment seg = segs.find(position);
            if (seg == null || !seg.retain()) {
                throw new LogTruncatedException("segment holding position " + position + " was deleted");
            }
            try {
                long segEnd = seg.end();
                if (segEnd - position >= RecordHeader.HEADER_LENGTH
                    && copyRecords(seg, position, Math.min(readable, segEnd), dst, indexLimit, requireOne)
                        != SKIPPED_FILLER) {
                    return position;
                }
                position = segEnd;
            } catch (ClosedChannelException e) {
                throw new LogTruncatedException("segment holding position " + position + " was closed");
            } catch (IOException e) {
                throw new StorageFailedException("read at " + position + ": " + e.getMessage(), e);
            } finally {
                seg.release();
            }
        }
        return position;
    }

    /** See {@link CommitLog#readRange}. */
    void readRange(long position, ByteBuffer dst) {
        Verify.state(!fence.isClosed(), "commit log closed");
        int length = dst.remaining();
        Verify.argument(length > 0, "empty range");
        if (position < tail.startPosition()) {
            throw new LogTruncatedException("position " + position + " is before the log start "
                + tail.startPosition());
        }
        Verify.argument(position + length <= tail.readablePosition(), "range ends beyond the readable end");
        Segment seg = segments.find(position);
        if (seg == null || !seg.retain()) {
            throw new LogTruncatedException("segment holding position " + position + " was deleted");
        }
        try {
            Verify.argument(position + length <= seg.end(), "range crosses a segment end");
            if (!recent.copy(position, length, dst)) {
                seg.file().read(position - seg.base(), dst);
            }
        } catch (ClosedChannelException e) {
            throw new LogTruncatedException("segment holding position " + position + " was closed");
        } catch (IOException e) {
            throw new StorageFailedException("read of " + length + " bytes at " + position + ": " + e.getMessage(), e);
        } finally {
            seg.release();
        }
        Verify.state(!dst.hasRemaining(), "short read", position, length);
    }

    /** Copies records of one segment from {@code position} to {@code limit}; returns bytes or SKIPPED_FILLER. */
    private int copyRecords(Segment seg, long position, long limit, ByteBuffer dst, long indexLimit,
        boolean requireOne) throws IOException {
        int start = dst.position();
        int end = start + (int) Math.min(dst.remaining(), limit - position);
        int oldLimit = dst.limit();
        dst.limit(end);
        if (!recent.copy(position, end - start, dst)) {
            seg.file().read(position - seg.base(), dst);
        }
        dst.limit(oldLimit);
        CRC32C crc = readCrc.get();
        int recordMax = recordBytesMax;
        int at = start;
        boolean stoppedByIndex = false;
        while (end - at >= RecordHeader.HEADER_LENGTH) {
            long recPos = position + (at - start);
            int st = RecordHeader.check(dst, at, end - at, recordMax, (int) (seg.end() - recPos), crc);
            if (st == RecordHeader.VALID_DATA) {
                if (RecordHeader.index(dst, at) >= indexLimit) {
                    stoppedByIndex = true;
                    break;
                }
                at += RecordHeader.recordLength(dst, at);
            } else if (st == RecordHeader.VALID_FILLER) {
                if (at == start) {
                    dst.position(start);
                    return SKIPPED_FILLER;
                }
                break;
            } else if (st == RecordHeader.INCOMPLETE) {
                break;
            } else {
                throw new CorruptLogException(seg.toString(), recPos - seg.base(), "record fails its check on read");
            }
        }
        dst.position(at);
        if (at == start && !stoppedByIndex && requireOne) {
            throw new IllegalArgumentException("destination buffer of " + (end - start)
                + " bytes cannot hold the record at " + position + "; give at least recordBytesMax");
        }
        return at - start;
    }

    /** See {@link CommitLog#entries}. */
    int entries(long lo, long hi, ByteBuffer dst) {
        if (lo >= hi) {
            return 0;
        }
        if (lo < tail.firstIndex()) {
            throw new LogTruncatedException("index " + lo + " is before the first index " + tail.firstIndex());
        }
        long limitIndex = Math.min(hi, tail.lastIndex() + 1);
        if (lo >= limitIndex) {
            return 0;
        }
        long pos = unit(lo, true);
        long expect = lo;
        while (expect < limitIndex && dst.remaining() >= RecordHeader.HEADER_LENGTH) {
            int before = dst.position();
            long first = read(pos, dst, limitIndex, expect == lo);
            int after = dst.position();
            if (after == before) {
                break;
            }
            for (int at = before; at < after; at += RecordHeader.recordLength(dst, at)) {
                Verify.state(RecordHeader.index(dst, at) == expect, "log index sequence broken on read", expect,
                    RecordHeader.index(dst, at));
                expect++;
            }
            pos = first + (after - before);
        }
        return (int) (expect - lo);
    }

    /** Position (wantPosition) or term of {@code index}, from its index unit. */
    long unit(long index, boolean wantPosition) {
        if (index < tail.firstIndex()) {
            throw new LogTruncatedException("index " + index + " is before the first index " + tail.firstIndex());
        }
        Verify.argument(index <= tail.lastIndex(), "index beyond lastIndex");
        long recent = wantPosition ? indexStore.recentPosition(index) : indexStore.recentTerm(index);
        if (recent >= 0) {
            return recent; // put by a recent append: no read of the index file
        }
        ByteBuffer u;
        try {
            u = indexStore.read(index);
        } catch (ClosedChannelException e) {
            throw new LogTruncatedException("index segment of " + index + " was closed");
        } catch (IOException e) {
            throw new StorageFailedException("index read of " + index + ": " + e.getMessage(), e);
        }
        if (u == null) {
            if (index < tail.firstIndex()) {
                throw new LogTruncatedException("index " + index + " was deleted meanwhile");
            }
            throw new CorruptLogException(indexStore.segments().dir().toString(),
                index * IndexUnit.LENGTH, "index unit of index " + index + " is damaged");
        }
        return wantPosition ? IndexUnit.position(u, 0) : IndexUnit.term(u, 0);
    }

    /** Index of the data record whose header is at {@code position}, or -1 if none is there. */
    long indexAt(long position) {
        ByteBuffer h = header(position);
        if (h == null || h.getInt(RecordHeader.MAGIC_OFFSET) != RecordHeader.MAGIC
            || RecordHeader.type(h, 0) == RecordHeader.TYPE_FILLER) {
            return -1;
        }
        return RecordHeader.index(h, 0);
    }

    /** Store timestamp of record {@code index}. */
    long timestampOf(long index) {
        ByteBuffer h = header(unit(index, true));
        Verify.state(h != null && RecordHeader.index(h, 0) == index, "index file disagrees with log", index);
        return RecordHeader.timestampMs(h, 0);
    }

    private ByteBuffer header(long position) {
        Segment seg = segments.find(position);
        if (seg == null || seg.end() - position < RecordHeader.HEADER_LENGTH || !seg.retain()) {
            return null;
        }
        ByteBuffer h = headerScratch.get();
        try {
            h.clear();
            seg.file().read(position - seg.base(), h);
            return h;
        } catch (IOException e) {
            throw new StorageFailedException("header read at " + position + ": " + e.getMessage(), e);
        } finally {
            seg.release();
        }
    }
}
