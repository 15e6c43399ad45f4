package io.raftmq.commitlog.recovery;

import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery's finishing of operations a crash interrupted (a reset or a truncation whose checkpoint, the commit
 * point, was written before the process died; docs/storage.md, "CommitLog recovery: what a restart reads"), and the
 * zero scanning they share with the search for the log start and the torn-tail repair ({@link #firstNonZero}).
 * Reads through {@link LogRecovery}'s one read buffer (passed in, not owned). Single-threaded, startup only.
 */
final class InterruptedOps {
    private static final Logger LOG = LoggerFactory.getLogger(InterruptedOps.class);
    private static final int CHUNK = 1 << 20;

    private final SegmentList segments;
    private final IndexStore index;
    private final ByteBuffer buf;

    /** @param buf recovery's read buffer, shared with the scan (never used by both at once) */
    InterruptedOps(SegmentList segments, IndexStore index, ByteBuffer buf) {
        this.segments = segments;
        this.index = index;
        this.buf = buf;
    }

    /**
     * A reset of the whole log to {@code cp.position()} was under way when the process died or its disk failed (its
     * checkpoint is the commit point, {@code Checkpointer.writeBeforeResetLocked}): finishes it. Every segment left
     * (old ones, or the new empty one) is deleted and the index emptied; the log then opens empty at the point.
     */
    void finishReset(Checkpoint cp) throws IOException {
        int dropped = segments.removeFrom(Long.MIN_VALUE);
        index.removeAll();
        LOG.warn("finished a reset of {} to position {} (index {}) that a crash or an I/O error interrupted: {}"
            + " segments deleted", segments.dir(), cp.position(), cp.nextIndex(), dropped);
    }

    /**
     * A truncation to {@code cp.position()} was under way when the process died (its checkpoint is the commit
     * point, {@code Checkpointer.writeBeforeTruncateLocked}): finishes it. Every non-zero byte from the point to its
     * segment's end is zeroed (the truncated records and whatever part of the zeroing a crash kept or lost; read in
     * full, up to one segment, on this rare path only) and forced, and the later segments are deleted; the scan then
     * ends at the point with a clean end.
     */
    void finishTruncation(Checkpoint cp) throws IOException {
        long at = cp.position();
        Segment seg = segments.find(at);
        long zeroed = 0;
        if (seg != null) {
            ByteBuffer zeros = ByteBuffer.allocate(CHUNK);
            long p = firstNonZero(seg, at);
            while (p >= 0) {
                long end = Math.min(seg.end(), p + CHUNK - (p - seg.base()) % CHUNK);
                zeros.clear().limit((int) (end - p));
                seg.file().write(p - seg.base(), zeros);
                zeroed += end - p;
                p = firstNonZero(seg, end);
            }
            seg.file().force();
        }
        int dropped = segments.removeFrom(seg != null ? seg.end() : at);
        LOG.warn("finished a truncation of {} to position {} (index {}) that a crash interrupted: {} bytes zeroed,"
            + " {} later segments deleted", segments.dir(), at, cp.nextIndex(), zeroed, dropped);
    }

    /** First non-zero byte at or after {@code from} in {@code seg}, or -1; 8 bytes at a time. */
    long firstNonZero(Segment seg, long from) throws IOException {
        return firstNonZero(seg, from, seg.end());
    }

    /** First non-zero byte in [from, to) of {@code seg}, or -1. */
    long firstNonZero(Segment seg, long from, long to) throws IOException {
        for (long chunkAt = from; chunkAt < to; ) {
            buf.clear().limit((int) Math.min(buf.capacity(), to - chunkAt));
            seg.file().read(chunkAt - seg.base(), buf);
            int len = buf.position();
            int i = 0;
            while (i + 8 <= len && buf.getLong(i) == 0) {
                i += 8;
            }
            for (; i < len; i++) {
                if (buf.get(i) != 0) {
                    return chunkAt + i;
                }
            }
            chunkAt += len;
        }
        return -1;
    }
}
