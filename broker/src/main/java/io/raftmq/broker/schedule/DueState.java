package io.raftmq.broker.schedule;

import io.raftmq.broker.config.DelayLevels;
import io.raftmq.broker.replication.AppliedMessageListener;
import io.raftmq.broker.replication.ReplicatedEntryHandler;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The replicated delivery state of due messages, derived on every member from committed entries in log order
 * (docs/messaging.md "Delay levels and timer messages"):
 * <ul>
 *   <li><b>cursor</b>: every parked message due at or before it is delivered; moved by {@code TIMER_PROGRESS}
 *       entries ({@link TimerProgressCodec}), never backwards;</li>
 *   <li><b>done marks</b>: sources above the cursor whose delivered copy is committed (source rule: a message that
 *       is not a transaction message, not in a parking topic, with PREPAREDTRANSACTIONOFFSET &gt; 0 and REAL_TOPIC);
 *       forgotten once the cursor passes their due time;</li>
 *   <li><b>late</b>: parked messages applied with a due time already at or below the cursor (a commit slower than
 *       the shortest delay); delivered like the others, kept until their copy is applied.</li>
 * </ul>
 * Parked messages above the cursor go to the {@link DueIndex}. When messages were parked after the leader read the
 * index (the entry's {@code parkedSeen} is below the count applied), a progress entry's cursor is capped below the
 * earliest due time parked since the previous progress entry: the leader's scan may not have seen those.
 *
 * <p>Threads: applied on the raft agent thread; read by the delivery thread. Every method is synchronized (the
 * state is small: marks and late entries only for in-flight work).
 */
public final class DueState implements AppliedMessageListener, ReplicatedEntryHandler {
    private static final Logger LOG = LoggerFactory.getLogger(DueState.class);
    private static final String TRANS_CHECK_MAX_TIME_TOPIC = "TRANS_CHECK_MAX_TIME_TOPIC";
    private static final int PARKING_TOPIC_LENGTH = DueTime.SCHEDULE_TOPIC.length();

    /** Reads the due time of a parked message from the log (the source of a delivered copy). */
    @FunctionalInterface
    public interface SourceDue {
        /** The due time of the parked message at {@code physicalOffset}, or {@link DueTime#NONE}. */
        long dueMs(long physicalOffset);
    }

    /** A parked message applied late: its position, size and due time. */
    public record Late(long physicalOffset, int size, long dueMs) {
    }

    private final DelayLevels levels;
    private final DueIndex index;
    private final SourceDue sourceDue;
    private final Map<Long, Long> doneMarks = new HashMap<>();
    private final Map<Long, Late> late = new HashMap<>();
    private long cursorMs;
    /** Earliest due time parked since the last progress entry (Long.MAX_VALUE: none). */
    private long minDueSinceProgress = Long.MAX_VALUE;
    private long parked;
    private long delivered;
    private long duplicates;

    public DueState(DelayLevels levels, DueIndex index, SourceDue sourceDue) {
        this.levels = levels;
        this.index = index;
        this.sourceDue = sourceDue;
    }

    @Override
    public void onApplied(long raftIndex, long physicalOffset, StoredMessage m) {
        if (m.topicLength() == PARKING_TOPIC_LENGTH) {
            String topic = m.topic();
            if (DueTime.isParkingTopic(topic)) {
                park(topic, physicalOffset, m);
                return;
            }
        }
        if (m.preparedTransactionOffset() > 0 && (m.sysFlag() & SysFlag.TRANSACTION_MASK) == SysFlag.TRANSACTION_NOT) {
            String props = m.properties();
            if (MessageProperties.get(props, DueTime.REAL_TOPIC) != null
                && !TRANS_CHECK_MAX_TIME_TOPIC.equals(m.topic())) {
                sourceDelivered(m.preparedTransactionOffset(), props);
            }
        }
    }

    private void park(String topic, long physicalOffset, StoredMessage m) {
        long due = DueTime.dueMs(topic, m.queueId(), m.storeTimestamp(), m.properties(), levels);
        if (due <= 0) {
            LOG.warn("parked message at {} in {} has no valid due time: never delivered", physicalOffset, topic);
            return;
        }
        synchronized (this) {
            parked++;
            if (due <= cursorMs) {
                late.put(physicalOffset, new Late(physicalOffset, m.totalSize(), due));
            } else {
                minDueSinceProgress = Math.min(minDueSinceProgress, due);
                index.append(due, physicalOffset, m.totalSize());
            }
        }
    }

    private void sourceDelivered(long source, String copyProps) {
        long due = DueTime.parseTimerOut(MessageProperties.get(copyProps, DueTime.TIMER_OUT_MS));
        synchronized (this) {
            delivered++;
            if (late.remove(source) != null) {
                return;
            }
        }
        if (due == DueTime.NONE) {
            due = sourceDue.dueMs(source);
        }
        synchronized (this) {
            if (due > cursorMs) {
                doneMarks.put(source, due);
            } else {
                duplicates++;
                LOG.warn("a delivered copy of the parked message at {} (due {}) was applied after the cursor {} "
                    + "passed it ({} such copies)", source, due, cursorMs, duplicates);
            }
        }
    }

    @Override
    public void apply(long raftIndex, byte[] payload) {
        TimerProgressCodec.Progress p = TimerProgressCodec.decode(payload);
        long target;
        synchronized (this) {
            long capped = p.parkedSeen() == parked ? p.cursorMs() : Math.min(p.cursorMs(), minDueSinceProgress - 1);
            minDueSinceProgress = Long.MAX_VALUE;
            if (capped <= cursorMs) {
                return;
            }
            cursorMs = capped;
            target = capped;
            doneMarks.values().removeIf(due -> due <= target);
        }
        index.dropThrough(target);
    }

    /**
     * The replicated state a snapshot holds ({@link DueSnapshotPart}); the index's buckets are recorded apart.
     *
     * @param minDueSinceProgress earliest due time parked since the last progress entry ({@code Long.MAX_VALUE}:
     *                            none)
     * @param doneMarks           source offset to due time, in offset order
     * @param late                in offset order
     */
    record Image(long cursorMs, long minDueSinceProgress, long parked, long delivered,
                 SortedMap<Long, Long> doneMarks, List<Late> late) {
        static final Image EMPTY = new Image(0, Long.MAX_VALUE, 0, 0, new TreeMap<>(), List.of());
    }

    /** The state now, as a snapshot holds it. Agent thread. */
    synchronized Image image() {
        List<Late> l = new ArrayList<>(late.values());
        l.sort((a, b) -> Long.compare(a.physicalOffset, b.physicalOffset));
        return new Image(cursorMs, minDueSinceProgress, parked, delivered, new TreeMap<>(doneMarks), l);
    }

    /** Replaces the state with a snapshot's. Agent thread. */
    synchronized void restore(Image image) {
        cursorMs = image.cursorMs();
        minDueSinceProgress = image.minDueSinceProgress();
        parked = image.parked();
        delivered = image.delivered();
        doneMarks.clear();
        doneMarks.putAll(image.doneMarks());
        late.clear();
        for (Late l : image.late()) {
            late.put(l.physicalOffset(), l);
        }
    }

    /** The lowest offset of a late message still awaiting delivery ({@link Long#MAX_VALUE}: none). Any thread. */
    public synchronized long lowestLateOffset() {
        long low = Long.MAX_VALUE;
        for (long o : late.keySet()) {
            low = Math.min(low, o);
        }
        return low;
    }

    /** The replicated cursor. */
    public synchronized long cursorMs() {
        return cursorMs;
    }

    /** Whether the parked message at {@code physicalOffset}, due at {@code dueMs}, needs no delivery any more. */
    public synchronized boolean isDone(long physicalOffset, long dueMs) {
        return dueMs <= cursorMs || doneMarks.containsKey(physicalOffset);
    }

    /** Whether the late message at {@code physicalOffset} still awaits delivery. */
    public synchronized boolean isLate(long physicalOffset) {
        return late.containsKey(physicalOffset);
    }

    /** The late messages now, in due order. */
    public synchronized List<Late> lateMessages() {
        List<Late> l = new ArrayList<>(late.values());
        l.sort((a, b) -> a.dueMs != b.dueMs ? Long.compare(a.dueMs, b.dueMs)
            : Long.compare(a.physicalOffset, b.physicalOffset));
        return l;
    }

    /** Done marks held (a gauge: bounded by the deliveries above the cursor). */
    public synchronized int doneMarks() {
        return doneMarks.size();
    }

    /** Parked messages applied (a counter). */
    public synchronized long parked() {
        return parked;
    }

    /** Delivered copies applied (a counter). */
    public synchronized long delivered() {
        return delivered;
    }
}
