package io.raftmq.broker.transaction;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;
import io.raftmq.broker.snapshot.SnapshotPart;

import java.util.ArrayList;
import java.util.List;

/**
 * The snapshot part "transaction-halves": every pending half message of {@link PendingHalves} with its check count.
 * <pre>
 *  0       1             5
 *  +-------+-------------+-----------------------------------------------------------------------------+
 *  | ver=1 | count (i32) | count x half                                                                |
 *  +-------+-------------+-----------------------------------------------------------------------------+
 *  half: offset i64 | storeTimestamp i64 | immunitySec i64 | checks i32 | producerGroup str16 (null: 0xFFFF)
 * </pre>
 * Big-endian, halves in offset order. Integrity: the snapshot's per-part CRC32C. Both restore modes load alike: a
 * half still pending at the snapshot is either pending now or resolved by a record after the snapshot, which the
 * member then applies (docs/snapshots.md rule 3 keeps those records). Absent means none pending.
 */
public final class PendingHalvesSnapshotPart implements SnapshotPart {
    public static final String NAME = "transaction-halves";
    public static final byte VERSION = 1;
    /** Fixed bytes of one half before its producer group's text. */
    private static final int HALF_FIXED_BYTES = 30;

    private final PendingHalves pending;

    public PendingHalvesSnapshotPart(PendingHalves pending) {
        this.pending = pending;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] save() {
        List<PendingHalves.Half> halves = pending.snapshot();
        PayloadWriter w = new PayloadWriter(5 + 48 * halves.size());
        w.u8(VERSION).i32(halves.size());
        for (PendingHalves.Half h : halves) {
            w.i64(h.offset()).i64(h.storeTimestamp()).i64(h.immunitySec()).i32(h.checks()).str(h.producerGroup());
        }
        return w.toByteArray();
    }

    @Override
    public void load(byte[] data, RestoreMode mode) {
        pending.replaceAll(decode(data));
    }

    @Override
    public void loadAbsent(RestoreMode mode) {
        pending.replaceAll(List.of());
    }

    /** @throws IllegalArgumentException malformed bytes */
    static List<PendingHalves.Half> decode(byte[] data) {
        try {
            PayloadReader r = new PayloadReader(data, "snapshot part " + NAME);
            r.version(VERSION);
            int n = r.count(data.length / HALF_FIXED_BYTES);
            List<PendingHalves.Half> out = new ArrayList<>(n);
            long last = -1;
            for (int i = 0; i < n; i++) {
                long offset = r.i64();
                long storeTimestamp = r.i64();
                long immunitySec = r.i64();
                int checks = r.i32();
                PendingHalves.Half h = new PendingHalves.Half(offset, storeTimestamp, r.str(), immunitySec, checks);
                if (h.offset() <= last) {
                    throw new IllegalArgumentException("snapshot part " + NAME + ": offsets not increasing at "
                        + h.offset());
                }
                last = h.offset();
                out.add(h);
            }
            r.end();
            return out;
        } catch (EntryFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
