package io.raftmq.broker.lock;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;
import io.raftmq.broker.snapshot.SnapshotPart;
import io.raftmq.client.protocol.body.MessageQueue;

import java.util.ArrayList;
import java.util.List;

/**
 * The snapshot part "queue-locks": the whole {@link QueueLockTable}, expired locks included (every member drops them
 * by the same rule when the table is full, so they are state too).
 * <pre>
 *  0       1             5
 *  +-------+-------------+----------------------------------------------------------------------------+
 *  | ver=1 | count (i32) | count x lock                                                               |
 *  +-------+-------------+----------------------------------------------------------------------------+
 *  lock: group str16 | topic str16 | brokerName str16 | queueId i32 | clientId str16 | lastLockMs i64
 * </pre>
 * Big-endian; str16 = u16 byte length (0xFFFF: null) + UTF-8 ({@code entry.PayloadWriter}). Locks sorted by
 * group, then queue (topic, brokerName, queueId), so equal tables encode to equal bytes. Integrity: the snapshot's
 * per-part CRC32C. Both restore modes load alike; absent means no locks.
 */
public final class QueueLockSnapshotPart implements SnapshotPart {
    public static final String NAME = "queue-locks";
    public static final byte VERSION = 1;

    private final QueueLockTable table;

    public QueueLockSnapshotPart(QueueLockTable table) {
        this.table = table;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] save() {
        List<QueueLockTable.Held> held = table.held();
        PayloadWriter w = new PayloadWriter(5 + 64 * held.size());
        w.u8(VERSION).i32(held.size());
        for (QueueLockTable.Held h : held) {
            MessageQueue q = h.queue();
            w.str(h.group()).str(q.topic()).str(q.brokerName()).i32(q.queueId()).str(h.clientId())
                .i64(h.lastLockMs());
        }
        return w.toByteArray();
    }

    @Override
    public void load(byte[] data, RestoreMode mode) {
        table.replaceAll(decode(data));
    }

    @Override
    public void loadAbsent(RestoreMode mode) {
        table.replaceAll(List.of());
    }

    /** @throws IllegalArgumentException malformed bytes */
    static List<QueueLockTable.Held> decode(byte[] data) {
        try {
            PayloadReader r = new PayloadReader(data, "snapshot part " + NAME);
            r.version(VERSION);
            int n = r.count(data.length / 19);
            List<QueueLockTable.Held> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String group = r.strNonNull("group");
                MessageQueue q = new MessageQueue(r.str(), r.str(), r.i32());
                out.add(new QueueLockTable.Held(group, q, r.strNonNull("clientId"), r.i64()));
            }
            r.end();
            return out;
        } catch (EntryFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
