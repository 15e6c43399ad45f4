package io.raftmq.commitlog.recovery;

import io.raftmq.commitlog.error.CorruptLogException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.index.IndexStore;
import io.raftmq.commitlog.index.IndexUnit;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.segment.Segment;
import io.raftmq.commitlog.segment.SegmentList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Startup recovery of a commit log. Scans from the checkpoint (or from the log start when there is none),
 * verifying every record's crc, its index (contiguous) and its prevCrc link, and rewrites the index units of the
 * scanned records. At the first record that fails:
 * <ul>
 *   <li>if no valid record (data or filler) follows it before a run of zeros longer than any record (or the end of
 *       the last segment), it is a torn tail: the bytes from there to the run are zeroed, later segments deleted,
 *       and the log ends there ({@link TornTail}; docs/storage.md, "CommitLog recovery: what a restart reads");
 *   <li>otherwise it is damage inside the log: the {@link RecoveryPolicy}'s listener is told first, then the log is
 *       cut back to the last valid record before the damage, everything behind it dropped ({@link DamagedSuffix}),
 *       and {@link Result#loss()} says what was lost.
 * </ul>
 * With {@link RecoveryPolicy#verifyWholeLog()} the scan starts at the log start whatever the checkpoint says, or at
 * the policy's verification start ({@link RecoveryPolicy#verifyFrom()}) when that is a record of this log below the
 * checkpoint.
 * Then the index units before the scan start are checked, read in runs of up to 1 MiB (crc, index, increasing
 * positions, first and last unit point at records with that index); on any disagreement the whole index is rebuilt
 * from the log.
 * Leading zeros of the first segment are skipped (a log reset to a position inside a segment starts there).
 * A reset or truncation a crash interrupted is finished first ({@link InterruptedOps}). The helpers share this
 * class's one read buffer.
 * Single-threaded, startup only; allocation is fine here.
 */
public final class LogRecovery {
    private static final Logger LOG = LoggerFactory.getLogger(LogRecovery.class);
    private static final int CHUNK = 1 << 20;

    /**
     * Outcome: the recovered log spans [startPosition, endPosition) and indices [firstIndex, nextIndex); {@code loss}
     * is what damage inside the log cost, null when there was none.
     */
    public record Result(long startPosition, long firstIndex, long endPosition, long nextIndex, int lastCrc,
                         RecoveryLoss loss) {
    }

    private final int recordBytesMax;
    private final SegmentList segments;
    private final IndexStore index;
    private final StorageProvider storage;
    private final RecoveryPolicy policy;
    private final ByteBuffer buf;
    private final CRC32C crc = new CRC32C();
    private final InterruptedOps interrupted;
    private final TornTail tornTail;

    // Scan state.
    private long pos;
    private long expectIndex;
    private int chainCrc;
    private boolean chainKnown;
    private long firstSeenIndex;
    private long tornAt;
    private RecoveryLoss loss;
    /** Where the first scan of {@link #recover} started. */
    private long scanStart;

    /** @param recordBytesMax the log's largest record, header included (CommitLogConfig.recordBytesMax) */
    public LogRecovery(int recordBytesMax, SegmentList segments, IndexStore index, StorageProvider storage) {
        this(recordBytesMax, segments, index, storage, RecoveryPolicy.DEFAULT);
    }

    /** As above, with what to do about damage inside the log. */
    public LogRecovery(int recordBytesMax, SegmentList segments, IndexStore index, StorageProvider storage,
                       RecoveryPolicy policy) {
        this.policy = policy;
        this.recordBytesMax = recordBytesMax;
        this.segments = segments;
        this.index = index;
        this.storage = storage;
        this.buf = ByteBuffer.allocateDirect(Math.max(CHUNK, recordBytesMax));
        this.interrupted = new InterruptedOps(segments, index, buf);
        this.tornTail = new TornTail(segments, index, recordBytesMax, policy, buf, crc, interrupted);
    }

    public Result recover(Checkpoint cp) throws IOException {
        if (cp != null && cp.resetting()) {
            interrupted.finishReset(cp);
        }
        Segment first = segments.first();
        if (first == null) {
            Verify.state(cp == null || cp.position() == cp.logStartPosition(),
                "segments missing although the checkpoint covers records", cp == null ? 0 : cp.position());
            return cp == null ? new Result(0, 1, 0, 1, 0, null)
                : new Result(cp.position(), cp.nextIndex(), cp.position(), cp.nextIndex(), cp.prevCrc(), null);
        }
        if (cp != null && cp.truncating()) {
            interrupted.finishTruncation(cp);
        }
        long logStart = logStart(first, cp);
        startScanAt(logStart, cp);
        long scanStartIndex = expectIndex;
        long t0 = System.nanoTime();
        scan();
        long t1 = System.nanoTime();
        // A clean close ended the log exactly at its checkpoint: nothing was written after it, skip the tail search.
        if (tornAt >= 0 && !(cp != null && cp.clean() && tornAt == cp.position())) {
            loss = tornTail.repair(tornAt, cp, expectIndex, scanStart);
        }
        long t2 = System.nanoTime();
        long firstIndex = firstIndexOf(logStart, scanStart, cp);
        boolean indexOk = scanStart == logStart || indexConsistent(firstIndex, scanStartIndex, logStart, scanStart);
        long t3 = System.nanoTime();
        if (!indexOk) {
            LOG.warn("index of {} disagrees with the log; rebuilding it", segments.dir());
            index.removeAll();
            startScan(logStart, firstIndex, 0, false);
            scan();
            Verify.state(tornAt < 0 || tornAt == pos, "rebuild scan ended elsewhere", tornAt, pos);
        }
        index.flushStaged();
        index.force(firstIndex, expectIndex < 0 ? firstIndex : expectIndex);
        endAtLastRecord(logStart, firstIndex, expectIndex < 0 ? firstIndex : expectIndex);
        forceFrom(scanStart);
        long t4 = System.nanoTime();
        LOG.info("recovery of {}: scanned {} bytes in {} ms, tail search {} ms, index check {} ms, rebuild and forces"
            + " {} ms", segments.dir(), pos - scanStart, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000,
            (t3 - t2) / 1_000_000, (t4 - t3) / 1_000_000);
        long next = expectIndex < 0 ? firstIndex : expectIndex;
        return new Result(logStart, firstIndex, pos, next, chainKnown ? chainCrc : 0, loss);
    }

    /**
     * Ends the log at its last record when only a filler follows it in that segment and nothing valid after: the
     * record that opened the next segment was lost (a power loss before its force), or the checkpoint points at that
     * segment's start. Positions must depend on the records alone (docs/storage.md): the record the log gets next
     * may be smaller and fit the tail, as on a replica that never held the lost one. Zeroes the filler (first, so a
     * crash meanwhile leaves a log this method ends the same way), then deletes the segments from the old end on.
     */
    private void endAtLastRecord(long logStart, long firstIndex, long next) throws IOException {
        if (pos <= logStart || next <= firstIndex || pos != segments.baseOf(pos)) {
            return;
        }
        ByteBuffer unit = index.read(next - 1);
        Segment seg = unit == null ? null : segments.find(IndexUnit.position(unit, 0));
        if (seg == null || seg.end() != pos) {
            return;
        }
        long last = IndexUnit.position(unit, 0);
        ByteBuffer header = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH);
        seg.file().read(last - seg.base(), header);
        long end = last + RecordHeader.recordLength(header, 0);
        if (end >= pos) {
            return;
        }
        seg.file().write(end - seg.base(), ByteBuffer.allocate((int) (pos - end)));
        seg.file().force();
        int dropped = segments.removeFrom(pos);
        LOG.info("{}: the log ends at its last record ({} at {}), not after the filler behind it ({} later segments"
            + " deleted)", segments.dir(), next - 1, end, dropped);
        pos = end;
    }

    /**
     * Forces the scanned segments: after a process crash the tail read above may exist only in the page cache,
     * and the log reports it durable from now on.
     */
    private void forceFrom(long position) throws IOException {
        for (Segment seg : segments.all()) {
            if (seg.end() > position) {
                seg.file().force();
            }
        }
    }

    /**
     * Where the scan starts: the checkpoint; with {@link RecoveryPolicy#verifyWholeLog()} the policy's verification
     * start when it checks out ({@link #verifyStart}), else the log start. A checkpoint at the log start (nothing
     * forced since a reset) knows the first record's chain link.
     */
    private void startScanAt(long logStart, Checkpoint cp) throws IOException {
        boolean cpUsable = cp != null && cp.position() > logStart && cp.position() <= segments.last().end()
            && cp.position() >= segments.first().base();
        RecoveryPolicy.VerifyStart from = policy.verifyFrom();
        if (cpUsable && (!policy.verifyWholeLog() || from != null && from.position() >= cp.position())) {
            startScan(cp.position(), cp.nextIndex(), cp.prevCrc(), true);
        } else if (cpUsable && from != null && verifyStart(from, logStart)) {
            startScan(from.position(), from.index(), from.prevCrc(), from.linkKnown());
        } else {
            boolean atStart = cp != null && cp.position() == logStart;
            startScan(logStart, atStart ? cp.nextIndex() : -1, atStart ? cp.prevCrc() : 0, atStart);
        }
        scanStart = pos;
    }

    /**
     * Whether the verification start {@code from} (below the checkpoint) is a record of this log: at or after the
     * log start, and the record there (at the next segment when too few bytes are left for a header) is valid, with
     * the index (and chain link, when known) {@code from} names. Else the whole log is verified (WARN).
     */
    private boolean verifyStart(RecoveryPolicy.VerifyStart from, long logStart) throws IOException {
        long at = from.position();
        Segment seg = at >= logStart ? segments.find(at) : null;
        if (seg != null && seg.end() - at < RecordHeader.HEADER_LENGTH) {
            at = seg.end();
            seg = segments.find(at);
        }
        boolean ok = false;
        if (seg != null) {
            ByteBuffer rec = ByteBuffer.allocate((int) Math.min(recordBytesMax, seg.end() - at));
            seg.file().read(at - seg.base(), rec);
            int st = RecordHeader.check(rec, 0, rec.position(), recordBytesMax, (int) (seg.end() - at), crc);
            ok = (st == RecordHeader.VALID_DATA || st == RecordHeader.VALID_FILLER)
                && RecordHeader.index(rec, 0) == from.index()
                && (!from.linkKnown() || RecordHeader.prevCrc(rec, 0) == from.prevCrc());
        }
        if (!ok) {
            LOG.warn("verification start {} is not a record of {} (log start {}): verifying the whole log", from,
                segments.dir(), logStart);
        }
        return ok;
    }

    private void startScan(long at, long index, int chain, boolean known) {
        pos = at;
        expectIndex = index;
        chainCrc = chain;
        chainKnown = known;
        firstSeenIndex = -1;
        tornAt = -1;
    }

    /** The checkpoint's log start when it lies in the first segment, else the first segment's first non-zero byte. */
    private long logStart(Segment first, Checkpoint cp) throws IOException {
        if (cp != null && cp.logStartPosition() >= first.base() && cp.logStartPosition() < first.end()) {
            return cp.logStartPosition();
        }
        long nz = interrupted.firstNonZero(first, first.base());
        return nz < 0 ? first.base() : nz;
    }

    /** Walks records from {@code pos}; stops at the log end (tornAt = -1) or at the first bad record (tornAt). */
    private void scan() throws IOException {
        for (Segment seg = segments.find(pos); seg != null; seg = segments.find(pos)) {
            if (!scanSegment(seg)) {
                return;
            }
        }
        index.flushStaged();
    }

    /** Returns true to continue with the next segment, false when the scan ended (tornAt set if torn). */
    private boolean scanSegment(Segment seg) throws IOException {
        while (true) {
            long room = seg.end() - pos;
            if (room < RecordHeader.HEADER_LENGTH) {
                return nextSegment(seg);
            }
            buf.clear().limit((int) Math.min(buf.capacity(), room));
            seg.file().read(pos - seg.base(), buf);
            int len = buf.position();
            int at = 0;
            while (len - at >= RecordHeader.HEADER_LENGTH) {
                int st = RecordHeader.check(buf, at, len - at, recordBytesMax,
                    (int) (seg.end() - pos - at), crc);
                if (st == RecordHeader.INCOMPLETE) {
                    break;
                }
                if (st == RecordHeader.INVALID || !linksUp(at)) {
                    tornAt = pos + at;
                    pos += at;
                    return false;
                }
                if (st == RecordHeader.VALID_FILLER) {
                    pos = seg.end();
                    return nextSegment(seg);
                }
                accept(at);
                at += RecordHeader.recordLength(buf, at);
            }
            Verify.state(at > 0 || len - at < RecordHeader.HEADER_LENGTH, "scan made no progress", pos, len);
            pos += at;
            if (at == 0) {
                return nextSegment(seg);
            }
        }
    }

    private boolean nextSegment(Segment seg) {
        if (segments.find(seg.end()) == null) {
            return false;
        }
        pos = seg.end();
        return true;
    }

    /** True if the valid record (or filler) at {@code at} continues the index sequence and the crc chain. */
    private boolean linksUp(int at) {
        long idx = RecordHeader.index(buf, at);
        if (expectIndex >= 0 && idx != expectIndex) {
            return false;
        }
        return !chainKnown || RecordHeader.prevCrc(buf, at) == chainCrc;
    }

    private void accept(int at) throws IOException {
        long idx = RecordHeader.index(buf, at);
        if (firstSeenIndex < 0) {
            firstSeenIndex = idx;
        }
        index.put(idx, pos + at, RecordHeader.term(buf, at));
        expectIndex = idx + 1;
        chainCrc = RecordHeader.crc(buf, at);
        chainKnown = true;
    }

    /**
     * Index of the first data record at or after {@code at}, the log start: a filler there, or a segment end too
     * short for a header, means the first record was written at the next segment's start (a log that starts near
     * a segment end, as after a reset, whose first record did not fit). -1 once that start is at or past
     * {@code scanStart}: the scan saw it (and found the first record there, or none: the log is empty).
     */
    private long indexOfFirstRecord(long at, long scanStart) throws IOException {
        Segment seg = segments.find(at);
        ByteBuffer h = ByteBuffer.allocate(recordBytesMax);
        while (true) {
            int st = RecordHeader.VALID_FILLER;
            if (seg.end() - at >= RecordHeader.HEADER_LENGTH) {
                h.clear().limit((int) Math.min(h.capacity(), seg.end() - at));
                seg.file().read(at - seg.base(), h);
                st = RecordHeader.check(h, 0, h.position(), recordBytesMax, (int) (seg.end() - at), crc);
                if (st == RecordHeader.VALID_DATA) {
                    return RecordHeader.index(h, 0);
                }
            }
            Segment next = st == RecordHeader.VALID_FILLER ? segments.find(seg.end()) : null;
            if (next == null) {
                throw new CorruptLogException(seg.file().path().toString(), at - seg.base(),
                    "first record of the log is damaged");
            }
            seg = next;
            at = seg.base();
            if (at >= scanStart) {
                return -1;
            }
        }
    }

    /** Index of the first record: read at the log start if the scan began later, else what the scan saw. */
    private long firstIndexOf(long logStart, long scanStart, Checkpoint cp) throws IOException {
        long first = logStart < scanStart ? indexOfFirstRecord(logStart, scanStart) : -1;
        if (first >= 0) {
            return first;
        }
        if (firstSeenIndex >= 0) {
            return firstSeenIndex;
        }
        if (expectIndex >= 0) {
            return expectIndex;
        }
        return cp != null ? cp.firstIndex() : 1;
    }

    /**
     * Checks the index units of [from, to) (records before the scan start) against the log: every unit's crc and
     * index, positions strictly increasing inside [logStart, scanStart), and the first and the last unit point at
     * records with their index. Sequential reads of up to 1 MiB of units (32,768) each, no per-unit I/O: tens of
     * milliseconds for a million units.
     */
    private boolean indexConsistent(long from, long to, long logStart, long scanStart) throws IOException {
        if (to <= from) {
            return true;
        }
        long prev = logStart - 1;
        long firstPos = -1;
        for (long i = from; i < to; ) {
            int n = index.readRun(i, to - i, buf);
            if (n == 0) {
                return false;
            }
            for (int k = 0; k < n; k++) {
                int at = k * IndexUnit.LENGTH;
                long p = IndexUnit.position(buf, at);
                if (!IndexUnit.isValid(buf, at, i + k, crc) || p <= prev || p >= scanStart) {
                    return false;
                }
                prev = p;
            }
            firstPos = firstPos < 0 ? IndexUnit.position(buf, 0) : firstPos;
            i += n;
        }
        return headerIndexAt(firstPos) == from && headerIndexAt(prev) == to - 1;
    }

    private long headerIndexAt(long position) throws IOException {
        Segment seg = segments.find(position);
        if (seg == null) {
            return -1;
        }
        ByteBuffer h = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH);
        seg.file().read(position - seg.base(), h);
        return h.getInt(0) == RecordHeader.MAGIC ? RecordHeader.index(h, 0) : -1;
    }
}
