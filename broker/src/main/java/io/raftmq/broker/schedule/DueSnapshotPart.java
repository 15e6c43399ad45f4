package io.raftmq.broker.schedule;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;
import io.raftmq.broker.snapshot.SnapshotPart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The snapshot part "timers": the replicated due-message state of {@link DueState} and, per {@link DueIndex}
 * bucket, how many entries it held (the entries themselves stay in the bucket files).
 * <pre>
 *  0       1             9                       17            25              33
 *  +-------+-------------+-----------------------+-------------+---------------+
 *  | ver=1 | cursorMs    | minDueSinceProgress   | parked      | delivered     |
 *  +-------+-------------+-----------------------+-------------+---------------+
 *  | doneCount i32 | doneCount x (sourceOffset i64, dueMs i64)             offset order
 *  | lateCount i32 | lateCount x (offset i64, size i32, dueMs i64)         offset order
 *  | bucketCount i32 | bucketCount x (bucketMs i64, count i32, firstOffset i64)   bucket order
 * </pre>
 * Big-endian; every field i64 unless marked. Integrity: the snapshot's per-part CRC32C.
 *
 * <p>Restore. {@link RestoreMode#START}: this member's own bucket files are cut back to the recorded counts
 * ({@link DueIndex#restore}); the replay after the snapshot appends the rest again. {@link RestoreMode#INSTALL}:
 * the files are wiped ({@link DueIndex#reset}), since this member's log restarts: a leader sends only a snapshot
 * below every undelivered parked message (docs/snapshots.md rule 3), so those are all after it and the replay
 * indexes them. Absent (or no snapshot at all): a new group's state, files wiped.
 */
public final class DueSnapshotPart implements SnapshotPart {
    public static final String NAME = "timers";
    public static final byte VERSION = 1;
    private static final int FIXED_BYTES = 33;

    private final DueState state;
    private final DueIndex index;

    public DueSnapshotPart(DueState state, DueIndex index) {
        this.state = state;
        this.index = index;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] save() {
        DueState.Image s = state.image();
        List<DueIndex.Bucket> buckets = index.bucketList();
        PayloadWriter w = new PayloadWriter(FIXED_BYTES + 12 + 16 * s.doneMarks().size() + 20 * s.late().size()
            + 20 * buckets.size());
        w.u8(VERSION).i64(s.cursorMs()).i64(s.minDueSinceProgress()).i64(s.parked()).i64(s.delivered());
        w.i32(s.doneMarks().size());
        s.doneMarks().forEach((offset, due) -> w.i64(offset).i64(due));
        w.i32(s.late().size());
        for (DueState.Late l : s.late()) {
            w.i64(l.physicalOffset()).i32(l.size()).i64(l.dueMs());
        }
        w.i32(buckets.size());
        for (DueIndex.Bucket b : buckets) {
            w.i64(b.bucketMs()).i32(b.count()).i64(b.firstOffset());
        }
        return w.toByteArray();
    }

    @Override
    public void load(byte[] data, RestoreMode mode) {
        Decoded d = decode(data);
        try {
            if (mode == RestoreMode.START) {
                index.restore(d.buckets());
            } else {
                index.reset();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the timer index cannot be restored", e);
        }
        state.restore(d.state());
    }

    @Override
    public void loadAbsent(RestoreMode mode) {
        try {
            index.reset();
        } catch (IOException e) {
            throw new UncheckedIOException("the timer index cannot be reset", e);
        }
        state.restore(DueState.Image.EMPTY);
    }

    /** A decoded payload. */
    record Decoded(DueState.Image state, List<DueIndex.Bucket> buckets) {
    }

    /** @throws IllegalArgumentException malformed bytes */
    static Decoded decode(byte[] data) {
        try {
            PayloadReader r = new PayloadReader(data, "snapshot part " + NAME);
            r.version(VERSION);
            long cursor = r.i64();
            long minDue = r.i64();
            long parked = r.i64();
            long delivered = r.i64();
            SortedMap<Long, Long> done = new TreeMap<>();
            int n = r.count(data.length / 16);
            for (int i = 0; i < n; i++) {
                done.put(r.i64(), r.i64());
            }
            List<DueState.Late> late = new ArrayList<>();
            n = r.count(data.length / 20);
            for (int i = 0; i < n; i++) {
                late.add(new DueState.Late(r.i64(), r.i32(), r.i64()));
            }
            List<DueIndex.Bucket> buckets = new ArrayList<>();
            n = r.count(data.length / 20);
            for (int i = 0; i < n; i++) {
                buckets.add(new DueIndex.Bucket(r.i64(), r.i32(), r.i64()));
            }
            r.end();
            if (cursor < 0 || parked < 0 || delivered < 0) {
                throw new IllegalArgumentException("snapshot part " + NAME + ": negative cursor or counter");
            }
            return new Decoded(new DueState.Image(cursor, minDue, parked, delivered, done, late), buckets);
        } catch (EntryFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
