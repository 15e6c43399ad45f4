package io.raftmq.commitlog.store;

import io.raftmq.commitlog.RecordStamper;
import io.raftmq.commitlog.dispatch.RecordSource;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The CommitLog append hook that stamps PHYSICALOFFSET and QUEUEOFFSET into every message of a message record
 * (package javadoc has the design). Counters: per (topic, queueId) the next queue offset, starting from the
 * {@link Baseline} (ConsumeQueue max offset of dispatched data) and raised by the offsets already stamped in
 * the undispatched tail of the log; rebuilt by {@link #recompute} on open and on every truncation.
 *
 * <p>Determinism check: a body appended fresh by the leader carries PHYSICALOFFSET 0 (the encoder's value);
 * a replicated body that carries the leader's stamps (one the leader read back from its files) must carry what
 * this replica computes, or the append is refused with {@link IllegalStateException}. Bodies sent as proposed
 * carry none and are stamped unchecked (docs/storage.md "Queue offsets are stamped at append time").
 *
 * <p>Threading: {@link #stamp} and {@link #truncated} run under the CommitLog's append lock, which also
 * serialises {@link #recompute} when the store calls it before the first append.
 */
public final class QueueOffsetStamper implements RecordStamper {
    /** Where counters start: the derived data's view of dispatched records. */
    public interface Baseline {
        /** Every record before this position is reflected in {@link #maxOffset}. Any thread. */
        long dispatchedPosition();

        /** Next queue offset of the queue per dispatched data (0 if unknown). Any thread. */
        long maxOffset(String topic, int queueId);
    }

    private static final long UNKNOWN = -1;

    private final byte messageRecordType;
    private final StoredMessage message = new StoredMessage();
    /** topic -> next queue offset by queueId; UNKNOWN = take the baseline's max offset on first use. */
    private final Map<String, long[]> next = new HashMap<>();
    private final RecordSource.Visitor scanVisitor = this::scanRecord;
    private RecordSource source;
    private Baseline baseline;
    private StampSink sink;

    /** @param messageRecordType the CommitLog record type whose bodies hold stored messages */
    public QueueOffsetStamper(byte messageRecordType) {
        this.messageRecordType = messageRecordType;
    }

    /** Connects the stamper to the log (for rescans) and the derived data; call before {@link #recompute}. */
    public void bind(RecordSource source, Baseline baseline) {
        this.source = source;
        this.baseline = baseline;
    }

    /** Collect stamped offsets of subsequent stamps into {@code result} (null: stop collecting). */
    void collectInto(StampSink result) {
        if (result != null) {
            result.clear();
        }
        this.sink = result;
    }

    @Override
    public void stamp(byte type, ByteBuffer body, long bodyPosition) {
        if (type != messageRecordType) {
            return;
        }
        Verify.state(baseline != null, "stamper used before bind");
        int from = body.position();
        int to = body.limit();
        int at = from;
        while (at < to) {
            StoredMessage m = message.wrap(body, at, to);
            long physical = bodyPosition + (at - from);
            long queueOffset = SysFlag.isConsumable(m.sysFlag()) ? nextOffset(m.topic(), m.queueId()) : 0;
            long existing = m.physicalOffset();
            if (existing != 0) {
                Verify.state(existing == physical, "replicated PHYSICALOFFSET differs from this replica's",
                        existing, physical);
                Verify.state(m.queueOffset() == queueOffset, "replicated QUEUEOFFSET differs from this replica's",
                        m.queueOffset(), queueOffset);
            }
            m.setPhysicalOffset(physical);
            m.setQueueOffset(queueOffset);
            if (sink != null) {
                sink.add(physical, queueOffset);
            }
            at += m.totalSize();
        }
    }

    @Override
    public void truncated(long fromPosition) {
        if (baseline != null) {
            recompute(fromPosition);
        }
    }

    /**
     * Rebuilds the counters from the baseline and the stamped offsets of records in [dispatched position,
     * {@code endPosition}), clamped to the log's current range. If that range is empty (the log was reset under
     * the derived data, or with it to the leader's position) the counters restart from the baseline alone.
     */
    public void recompute(long endPosition) {
        next.clear();
        long from = Math.max(baseline.dispatchedPosition(), source.startPosition());
        long to = Math.min(endPosition, source.endPosition());
        if (to > from) {
            long reached = source.forEach(from, to, scanVisitor);
            Verify.state(reached <= to, "rescan beyond its end", reached, to);
        }
    }

    /** The next queue offset the stamper would give (topic, queueId); for tests and diagnostics. */
    public long peekNextOffset(String topic, int queueId) {
        long[] byId = next.get(topic);
        long value = byId == null || queueId >= byId.length ? UNKNOWN : byId[queueId];
        return value == UNKNOWN ? baseline.maxOffset(topic, queueId) : value;
    }

    private long nextOffset(String topic, int queueId) {
        Verify.state(queueId >= 0, "negative queueId", queueId);
        long[] byId = slots(topic, queueId);
        long value = byId[queueId];
        if (value == UNKNOWN) {
            value = baseline.maxOffset(topic, queueId);
        }
        byId[queueId] = value + 1;
        return value;
    }

    private long[] slots(String topic, int queueId) {
        long[] byId = next.get(topic);
        if (byId == null || byId.length <= queueId) {
            int oldLength = byId == null ? 0 : byId.length;
            byId = byId == null ? new long[queueId + 1] : Arrays.copyOf(byId, queueId + 1);
            Arrays.fill(byId, oldLength, byId.length, UNKNOWN);
            next.put(topic, byId);
        }
        return byId;
    }

    private void scanRecord(byte type, long index, ByteBuffer buffer, int bodyOffset, int bodyLength,
                            long bodyPosition, long endPosition) {
        if (type != messageRecordType) {
            return;
        }
        int to = bodyOffset + bodyLength;
        for (int at = bodyOffset; at < to; at += message.totalSize()) {
            StoredMessage m = message.wrap(buffer, at, to);
            if (SysFlag.isConsumable(m.sysFlag())) {
                long[] byId = slots(m.topic(), m.queueId());
                byId[m.queueId()] = Math.max(byId[m.queueId()], m.queueOffset() + 1);
            }
        }
    }
}
