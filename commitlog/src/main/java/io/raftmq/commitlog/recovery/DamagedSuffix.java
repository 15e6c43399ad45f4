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
 * Recovery's answer to damage inside the log (a bad record with a valid record behind it): measures what lies
 * behind the damage (valid records, their highest index), tells the {@link RecoveryPolicy.LossListener} before
 * anything changes, then cuts the log back to the last valid record before the damage: the damaged segment is
 * zeroed from the bad record up to the first run of {@code zeroRunBound} zero bytes (behind it nothing was written,
 * see {@link TornTail}), forced, and every later segment and whole index segment above the cut is deleted.
 * Single-threaded, startup only.
 */
final class DamagedSuffix {
    private static final Logger LOG = LoggerFactory.getLogger(DamagedSuffix.class);
    private static final int CHUNK = 1 << 20;

    private final SegmentList segments;
    private final IndexStore index;
    private final int recordBytesMax;
    private final long zeroRunBound;
    private final CRC32C crc = new CRC32C();

    DamagedSuffix(SegmentList segments, IndexStore index, int recordBytesMax, long zeroRunBound) {
        this.segments = segments;
        this.index = index;
        this.recordBytesMax = recordBytesMax;
        this.zeroRunBound = zeroRunBound;
    }

    /**
     * Cuts the log back to {@code at} (the bad record's position; {@code found} is the first valid record behind
     * it) and returns what was dropped.
     *
     * @param firstLostIndex the index the bad record should carry, -1 if unknown
     */
    RecoveryLoss cut(Segment seg, long at, long found, long firstLostIndex, RecoveryPolicy.LossListener onLoss)
        throws IOException {
        Verify.state(found > at, "the valid record must lie behind the bad one", at, found);
        RecoveryLoss loss = measure(seg, at, found, firstLostIndex);
        onLoss.beforeTruncate(loss);
        LOG.error("commit log damaged inside the log, cutting it back to the last valid record before the damage:"
            + " {}", loss.describe());
        zeroFrom(seg, at);
        segments.removeFrom(seg.end());
        if (firstLostIndex >= 0) {
            index.removeFrom(firstLostIndex);
        }
        return loss;
    }

    /**
     * Walks the valid records from {@code found} on (across segments, over fillers) until one fails. Reads each
     * header, then only that record's bytes.
     */
    private RecoveryLoss measure(Segment seg, long at, long found, long firstLostIndex) throws IOException {
        ByteBuffer rec = ByteBuffer.allocate(recordBytesMax);
        long p = found;
        long end = found;
        long records = 0;
        long highest = -1;
        for (Segment s = segments.find(p); s != null; s = segments.find(p)) {
            int room = (int) Math.min(recordBytesMax, s.end() - p);
            if (room < RecordHeader.HEADER_LENGTH) {
                p = s.end();
                continue;
            }
            rec.clear().limit(RecordHeader.HEADER_LENGTH);
            s.file().read(p - s.base(), rec);
            int length = RecordHeader.recordLength(rec, 0);
            boolean filler = rec.get(RecordHeader.TYPE_OFFSET) == RecordHeader.TYPE_FILLER;
            if (!filler && length > RecordHeader.HEADER_LENGTH && length <= room) {
                rec.limit(length);
                s.file().read(p - s.base() + RecordHeader.HEADER_LENGTH, rec);
            }
            int st = RecordHeader.check(rec, 0, rec.position(), recordBytesMax, (int) (s.end() - p), crc);
            if (st == RecordHeader.VALID_FILLER) {
                p = s.end();
            } else if (st == RecordHeader.VALID_DATA) {
                records++;
                highest = Math.max(highest, RecordHeader.index(rec, 0));
                p += RecordHeader.recordLength(rec, 0);
                end = p;
            } else {
                break;
            }
        }
        Verify.state(end >= found, "walk went backwards", found, end);
        return new RecoveryLoss(seg.file().path().toString(), at - seg.base(), firstLostIndex, end - at, records,
            highest);
    }

    /** Zeroes [at, first run of zeroRunBound zeros) of {@code seg}, chunk by chunk, skipping all-zero chunks. */
    private void zeroFrom(Segment seg, long at) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        ByteBuffer zeros = ByteBuffer.allocate(CHUNK);
        long run = 0;
        for (long p = at; p < seg.end() && run < zeroRunBound; ) {
            int n = (int) Math.min(CHUNK, seg.end() - p);
            chunk.clear().limit(n);
            seg.file().read(p - seg.base(), chunk);
            if (allZero(chunk, n)) {
                run += n;
            } else {
                zeros.clear().limit(n);
                seg.file().write(p - seg.base(), zeros);
                run = 0;
            }
            p += n;
        }
        seg.file().force();
    }

    private static boolean allZero(ByteBuffer b, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < n; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
