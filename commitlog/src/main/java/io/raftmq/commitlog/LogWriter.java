package io.raftmq.commitlog;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.segment.Preallocator;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write side of {@link CommitLog}: encodes one batch, or a group of batches (a group-commit cycle of coalesced
 * appends), into one reused staging buffer (body copy, stamping, header, crc chain), closes full segments with a
 * filler, writes the bytes with as few calls as the segment boundaries allow, and stages the index units.
 * All-or-nothing per group: on any failure the bytes written so far are zeroed, the tail state is restored and the
 * stamper is told. Publishing to readers is the caller's job.
 *
 * <p>Thread-safety: none; every call happens under the log's append lock. Allocates nothing per record.
 * Invariant: writePosition is the end of the last record (or of the filler closing its segment); nextIndex is
 * the index the next record must carry; lastCrc is the crc the next record links to.
 */
final class LogWriter {
    private static final Logger LOG = LoggerFactory.getLogger(LogWriter.class);
    private static final int ZERO_PAGE = 4096;

    private final CommitLogConfig config;
    private final SegmentList segments;
    private final IndexStore index;
    private final RecordStamper stamper;
    /** Gets a copy of every piece written (readers of the newest records take it from there). */
    private final RecentBytes recent;
    /** Null when preallocation is off. */
    private final Preallocator preallocator;
    private final ByteBuffer staging;
    private final ByteBuffer stampView;
    private final CRC32C crc = new CRC32C();
    private long writePosition;
    private long nextIndex;
    private int lastCrc;
    /** End of the bytes written by the group in progress (what a rollback must zero). */
    private long attemptedEnd;
    // The open group (begin .. commit/rollback): its start tail, its current segment and where staging starts.
    private long groupStartPos;
    private long groupStartIndex;
    private int groupStartCrc;
    private long stagedAt;
    /** Segment the open group writes into (null until the first roll of a new log). */
    private Segment groupSeg;
    private boolean groupOpen;

    LogWriter(CommitLogConfig config, SegmentList segments, IndexStore index, RecordStamper stamper,
        Preallocator preallocator, RecentBytes recent) {
        this.recent = recent;
        this.preallocator = preallocator;
        this.config = config;
        this.segments = segments;
        this.index = index;
        this.stamper = stamper;
        this.staging = ByteBuffer.allocateDirect(config.writeBufferBytes());
        this.stampView = staging.duplicate();
    }

    /** Sets the tail (after recovery, truncation or reset). */
    void reset(long position, long next, int chainCrc) {
        Verify.state(position >= 0 && next >= 0, "negative tail", position, next);
        writePosition = position;
        nextIndex = next;
        lastCrc = chainCrc;
        recent.truncateTo(position);
    }

    long writePosition() {
        return writePosition;
    }

    long nextIndex() {
        return nextIndex;
    }

    int lastCrc() {
        return lastCrc;
    }

    /**
     * Writes the whole batch or nothing; sets each record's position in the batch.
     *
     * @throws IOException device errors ({@link io.raftmq.commitlog.io.NoSpaceException} for a full disk), after
     *                     rolling back
     */
    void append(AppendBatch batch) throws IOException {
        begin();
        boolean ok = false;
        try {
            add(batch);
            commit();
            ok = true;
        } finally {
            if (!ok) {
                rollback();
            }
        }
    }

    /**
     * Starts a group of batches written all-or-nothing: {@link #add} each, then {@link #commit}; on any failure
     * (including one thrown by add or commit) the caller must call {@link #rollback}. The records of the whole group
     * share the staging buffer, so they reach the file in one write per segment (more only when the group outgrows
     * the buffer), and their index units in one index write.
     */
    void begin() {
        Verify.state(!groupOpen, "log writer group already open");
        groupOpen = true;
        groupStartPos = writePosition;
        groupStartIndex = nextIndex;
        groupStartCrc = lastCrc;
        attemptedEnd = writePosition;
        staging.clear();
        stagedAt = writePosition;
        groupSeg = segments.find(writePosition);
    }

    /** Stages (writing when the buffer fills or a segment ends) the batch's records; sets their positions. */
    void add(AppendBatch batch) throws IOException {
        Verify.state(groupOpen, "log writer group not open");
        long firstIndex = nextIndex;
        for (int i = 0; i < batch.size(); i++) {
            Verify.argument(batch.index(i) == nextIndex, "append indices must be contiguous");
            Verify.argument(batch.index(i) >= 0, "append index must be >= 0");
            ByteBuffer body = batch.body(i);
            int length = RecordHeader.HEADER_LENGTH + body.remaining();
            if (groupSeg == null || writePosition + length > groupSeg.end()) {
                groupSeg = roll(groupSeg, stagedAt);
                stagedAt = writePosition;
            }
            if (staging.remaining() < length) {
                writeStaged(groupSeg, stagedAt);
                stagedAt = writePosition;
            }
            encode(batch, i, body, length);
            index.put(nextIndex, writePosition, batch.term(i));
            batch.setPosition(i, writePosition);
            writePosition += length;
            nextIndex++;
        }
        Verify.state(nextIndex == firstIndex + batch.size(), "append count", nextIndex, firstIndex);
    }

    /** Writes what is staged and the staged index units; closes the group. */
    void commit() throws IOException {
        Verify.state(groupOpen, "log writer group not open");
        if (groupSeg != null) {
            writeStaged(groupSeg, stagedAt);
        }
        index.flushStaged();
        groupOpen = false;
        groupSeg = null;
    }

    /** Undoes the open group: zeroes what it wrote, restores the tail, tells the stamper. */
    void rollback() {
        Verify.state(groupOpen, "log writer group not open");
        groupOpen = false;
        groupSeg = null;
        index.discardStaged();
        index.forgetFrom(groupStartIndex); // units of the group flushed before it failed
        recent.truncateTo(groupStartPos);
        zeroRange(groupStartPos, attemptedEnd);
        writePosition = groupStartPos;
        nextIndex = groupStartIndex;
        lastCrc = groupStartCrc;
        stamper.truncated(groupStartPos);
    }

    /** Position at which the open group started (what a failed group rolls back to). */
    long groupStartPosition() {
        return groupStartPos;
    }

    /** Copies body i into staging, lets the stamper stamp it, then writes header and crc. */
    private void encode(AppendBatch batch, int i, ByteBuffer body, int length) {
        int at = staging.position();
        int bodyLength = length - RecordHeader.HEADER_LENGTH;
        staging.put(at + RecordHeader.HEADER_LENGTH, body, body.position(), bodyLength);
        stampView.limit(at + length).position(at + RecordHeader.HEADER_LENGTH);
        stamper.stamp(batch.type(i), stampView, writePosition + RecordHeader.HEADER_LENGTH);
        lastCrc = RecordHeader.writeData(staging, at, crc, batch.type(i), lastCrc, bodyLength, batch.term(i),
            nextIndex, batch.timestampMs(i));
        staging.position(at + length);
    }

    /** Closes {@code seg} with a filler (when at least a header's worth of room is left) and opens the next. */
    private Segment roll(Segment seg, long stagedAt) throws IOException {
        if (seg != null) {
            long room = seg.end() - writePosition;
            if (room >= RecordHeader.HEADER_LENGTH) {
                if (staging.remaining() < RecordHeader.HEADER_LENGTH) {
                    writeStaged(seg, stagedAt);
                    stagedAt = writePosition;
                }
                RecordHeader.writeFiller(staging, staging.position(), crc, (int) room, lastCrc, nextIndex);
                staging.position(staging.position() + RecordHeader.HEADER_LENGTH);
                writePosition += RecordHeader.HEADER_LENGTH;
            }
            writeStaged(seg, stagedAt);
            // Force the full segment before any byte goes to the next one: then a later segment can only hold data
            // if every earlier one is complete on disk, and recovery never sees valid records after a hole
            // across segments. One fdatasync per segment (1 GiB by default).
            seg.file().force();
            writePosition = seg.end();
        }
        Segment next = segments.getOrCreate(segments.baseOf(writePosition));
        Verify.state(next.base() <= writePosition && writePosition < next.end(), "roll target", writePosition,
            next.base());
        return next;
    }

    private void writeStaged(Segment seg, long stagedAt) throws IOException {
        staging.flip();
        if (staging.hasRemaining()) {
            Verify.state(stagedAt >= seg.base() && stagedAt + staging.remaining() <= seg.end(),
                "staged bytes outside their segment", stagedAt, seg.base());
            attemptedEnd = Math.max(attemptedEnd, stagedAt + staging.remaining());
            if (preallocator != null) {
                preallocator.awaitUnclaimed(stagedAt, stagedAt + staging.remaining());
            }
            long end = stagedAt + staging.remaining();
            seg.file().write(stagedAt - seg.base(), staging);
            recent.written(stagedAt, staging, 0, (int) (end - stagedAt));
            if (preallocator != null) {
                preallocator.written(end);
            }
        }
        staging.clear();
    }

    /**
     * Best-effort zeroing of [from, to) so stale bytes of a failed or truncated write never look like records.
     * Works page by page, from the end back to {@code from}: a process killed in the middle leaves the records before
     * the zeroed part intact and linked, so recovery sees a shorter log with a clean end, never valid records behind
     * zeros (which it must treat as damage). Skips pages that cannot be written: after ENOSPC those were never
     * allocated and read as zeros anyway. Returns true if every page was written.
     */
    boolean zeroRange(long from, long to) {
        ByteBuffer zeros = ByteBuffer.allocate(ZERO_PAGE);
        int failed = 0;
        for (long at = to; at > from; ) {
            long last = at - 1;
            long chunkStart = Math.max(from, Math.max(last - Math.floorMod(last, ZERO_PAGE), segments.baseOf(last)));
            Segment seg = segments.find(chunkStart);
            if (seg != null) {
                zeros.clear().limit((int) (at - chunkStart));
                try {
                    seg.file().write(chunkStart - seg.base(), zeros);
                } catch (IOException e) {
                    failed++;
                }
            }
            at = chunkStart;
        }
        if (failed > 0) {
            LOG.debug("zeroing [{}, {}) skipped {} unwritable page(s)", from, to, failed);
        }
        return failed == 0;
    }
}
