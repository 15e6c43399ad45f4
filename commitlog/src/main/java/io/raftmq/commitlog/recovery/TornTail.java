package io.raftmq.commitlog.recovery;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovery's answer to the first bad record its scan met: torn tail or damage inside the log (docs/storage.md,
 * "CommitLog recovery: what a restart reads", step 2). Searches behind the bad record for a valid one, as far as a
 * write can reach (the first run of {@link #zeroRunBound} zeros); finding one, hands the cut to
 * {@link DamagedSuffix}; else zeroes the torn tail and drops the later segments, and reports a tail that ends
 * before the checkpoint as a loss of forced records. Gets what it needs of the scan's state per call and reads
 * through {@link LogRecovery}'s one read buffer (passed in, not owned). Single-threaded, startup only.
 */
final class TornTail {
    private static final Logger LOG = LoggerFactory.getLogger(TornTail.class);
    private static final int CHUNK = 1 << 20;
    /** Least run of zeros after which the torn-tail search stops (see {@link #zeroRunBound}). */
    static final int ZERO_RUN_MIN = 1 << 20;

    private final SegmentList segments;
    private final IndexStore index;
    private final int recordBytesMax;
    private final RecoveryPolicy policy;
    private final ByteBuffer buf;
    private final CRC32C crc;
    private final InterruptedOps zeros;

    /** Last non-zero byte seen by the latest {@link #scanTail} (meaningful when it found no valid record). */
    private long tailLastNonZero;
    /** Whether the latest {@link #scanTail} stopped at a run of {@link #zeroRunBound} zeros. */
    private boolean zeroRunSeen;

    /** @param buf recovery's read buffer, shared with the scan (never used by both at once) */
    TornTail(SegmentList segments, IndexStore index, int recordBytesMax, RecoveryPolicy policy, ByteBuffer buf,
             CRC32C crc, InterruptedOps zeros) {
        this.segments = segments;
        this.index = index;
        this.recordBytesMax = recordBytesMax;
        this.policy = policy;
        this.buf = buf;
        this.crc = crc;
        this.zeros = zeros;
    }

    /**
     * Torn tail or damage inside the log? Cuts damage back ({@link DamagedSuffix}), else zeroes the tail and drops
     * later (garbage) segments. The search for a valid record after the bad one ends at the first run of
     * {@link #zeroRunBound} zero bytes (or the last segment's end): nothing the log wrote and forced can lie beyond
     * such a run.
     *
     * @param at the bad record's position
     * @param expectIndex the index the bad record should carry, -1 if unknown
     * @param scanStart where the recovery scan started
     * @return what was lost (damage inside the log, or forced records gone), null for a torn tail
     */
    RecoveryLoss repair(long at, Checkpoint cp, long expectIndex, long scanStart) throws IOException {
        Segment seg = segments.find(at);
        long found = scanTail(seg, at + 1);
        // The search starts behind the bad record's first byte (a valid record there is the bad one) and reports
        // that byte as its last non-zero one when it finds none: look at it here.
        long lastNonZero = tailLastNonZero > at ? tailLastNonZero
            : zeros.firstNonZero(seg, at, at + 1) == at ? at : at - 1;
        for (Segment later = segments.find(seg.end()); found < 0 && !zeroRunSeen && later != null;
            later = segments.find(later.end())) {
            found = scanTail(later, later.base());
        }
        if (found >= 0) {
            return new DamagedSuffix(segments, index, recordBytesMax, zeroRunBound()).cut(seg, at, found,
                expectIndex, policy.onLoss());
        }
        RecoveryLoss loss = null;
        if (cp != null && at < cp.position() && cp.position() <= segments.last().end()) {
            loss = lostForcedTail(seg, at, cp, expectIndex, scanStart);
        }
        if (lastNonZero >= at) {
            LOG.warn("truncating torn tail of {} at offset {} ({} bytes)", seg, at - seg.base(),
                lastNonZero + 1 - at);
            ByteBuffer zeroChunk = ByteBuffer.allocate(CHUNK);
            for (long p = at; p <= lastNonZero; ) {
                zeroChunk.clear().limit((int) Math.min(CHUNK, lastNonZero + 1 - p));
                seg.file().write(p - seg.base(), zeroChunk);
                p += zeroChunk.limit();
            }
            seg.file().force();
        }
        segments.removeFrom(seg.end());
        return loss;
    }

    /**
     * The log ends before its checkpoint (only a verifying scan, started below the checkpoint, can see that):
     * records that were forced are gone, so this is a loss, not a torn write. The listener is told before the tail
     * is zeroed.
     */
    private RecoveryLoss lostForcedTail(Segment seg, long at, Checkpoint cp, long expectIndex, long scanStart)
        throws IOException {
        Verify.state(scanStart < cp.position(), "a scan from the checkpoint cannot end before it", at, cp.position());
        RecoveryLoss loss = new RecoveryLoss(seg.file().path().toString(), at - seg.base(), expectIndex,
            cp.position() - at, 0, cp.nextIndex() - 1);
        policy.onLoss().beforeTruncate(loss);
        LOG.error("commit log lost records it had forced, cutting it back to the last valid record: {}",
            loss.describe());
        return loss;
    }

    /**
     * Length of a zero run that ends the torn-tail search. Every record starts with the non-zero magic and is at most
     * {@code recordBytesMax} long (a filler is shorter than the record that did not fit), so written records hold no
     * zero run that long: after a kill the bytes behind the last write are the segment's zeros, and after a power
     * loss a longer hole can only be a range never forced (a force covers every byte written before it), so whatever
     * follows it was never forced either.
     */
    private long zeroRunBound() {
        return Math.max(ZERO_RUN_MIN, recordBytesMax);
    }

    /**
     * One pass over [from, segment end), ending early after a run of {@link #zeroRunBound} zeros: returns the
     * position of the first valid data record or filler, or -1, and records the last non-zero byte in
     * {@link #tailLastNonZero}. Zero stretches are skipped 8 bytes at a time (a record starts with the non-zero
     * byte 0x52, so none can start inside a zero long).
     */
    private long scanTail(Segment seg, long from) throws IOException {
        tailLastNonZero = from - 1;
        zeroRunSeen = false;
        long bound = zeroRunBound();
        for (long chunkAt = from; chunkAt < seg.end(); ) {
            buf.clear().limit((int) Math.min(buf.capacity(), seg.end() - chunkAt));
            seg.file().read(chunkAt - seg.base(), buf);
            int len = buf.position();
            boolean last = chunkAt + len >= seg.end();
            int i = 0;
            for (; i + 8 <= len; i += 8) {
                if (buf.getLong(i) == 0) {
                    if (chunkAt + i + 8 - 1 - tailLastNonZero >= bound) {
                        zeroRunSeen = true;
                        return -1;
                    }
                    continue;
                }
                long found = inspect(seg, chunkAt, i, Math.min(len, i + 8), len);
                if (found >= 0) {
                    return found;
                }
            }
            if (last) {
                return inspect(seg, chunkAt, i, len, len);
            }
            // Re-read the last long: a record header starting in it may run past this chunk.
            chunkAt += Math.max(8, i - 8);
        }
        return -1;
    }

    /** Checks offsets [from, to) of the chunk: updates the last non-zero byte and tries each magic. */
    private long inspect(Segment seg, long chunkAt, int from, int to, int len) throws IOException {
        for (int k = from; k < to; k++) {
            if (buf.get(k) != 0) {
                tailLastNonZero = Math.max(tailLastNonZero, chunkAt + k);
            }
            if (k + 4 <= len && buf.getInt(k) == RecordHeader.MAGIC && isValidAt(seg, chunkAt + k)) {
                return chunkAt + k;
            }
        }
        return -1;
    }

    private boolean isValidAt(Segment seg, long p) throws IOException {
        ByteBuffer rec = ByteBuffer.allocate((int) Math.min(recordBytesMax, seg.end() - p));
        seg.file().read(p - seg.base(), rec);
        int st = RecordHeader.check(rec, 0, rec.position(), recordBytesMax, (int) (seg.end() - p), crc);
        return st == RecordHeader.VALID_DATA || st == RecordHeader.VALID_FILLER;
    }
}
