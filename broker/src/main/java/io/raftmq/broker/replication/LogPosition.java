package io.raftmq.broker.replication;

import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.dispatch.DispatchCheckpoint.QueueMax;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.store.MessageStore;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Where a member's log stands right after entry S (docs/snapshots.md rule 4): the commit-log position where the
 * record of S ends (the next record, S + 1, is written from there, after a filler if it does not fit the segment),
 * the crc of record S (the chain link of record S + 1) and every queue's next queue offset once S is dispatched. A
 * member that installs a snapshot at S restarts its store at exactly this point, so the records it then receives
 * are stamped and stored byte for byte as on the member that took the snapshot. Carried by the "log-position"
 * snapshot part ({@link LogPositionPart}) and kept in the {@link SnapshotBoundary} file while an install resets
 * the store.
 *
 * <pre>
 *  0        4     5          8                 16                24         28           32
 *  +--------+-----+----------+-----------------+-----------------+----------+------------+
 *  | magic  | ver | 0 0 0    |     index S     |  nextPosition   | prevCrc  | queueCount |
 *  +--------+-----+----------+-----------------+-----------------+----------+------------+
 *  32 queueCount times, ordered by topic then queueId:
 *  +----------------+---------------------+-------------+------------------+
 *  | topicLength 2  | topic (UTF-8)       | queueId 4   | nextOffset 8     |
 *  +----------------+---------------------+-------------+------------------+
 *  then crc32c (4) over every byte before it
 * </pre>
 * Big-endian. magic = {@code 0x52464C50} ("RFLP"), version 1.
 *
 * @param index        S, the last entry the snapshot covers
 * @param nextPosition commit-log position where record S ends
 * @param prevCrc      crc of record S (0 when S is 0)
 * @param queues       next queue offset of every queue at S
 */
public record LogPosition(long index, long nextPosition, int prevCrc, List<QueueMax> queues) {
    static final int MAGIC = 0x52464C50;
    static final byte VERSION = 1;
    static final int INDEX_OFFSET = 8;
    static final int POSITION_OFFSET = 16;
    static final int PREV_CRC_OFFSET = 24;
    static final int QUEUE_COUNT_OFFSET = 28;
    static final int HEADER_LENGTH = 32;
    /** Queues at most in one encoding (a broker has far fewer). */
    static final int QUEUES_MAX = 1 << 20;

    static {
        Verify.state(QUEUE_COUNT_OFFSET + Integer.BYTES == HEADER_LENGTH, "log position layout",
            QUEUE_COUNT_OFFSET, HEADER_LENGTH);
    }

    public LogPosition {
        Verify.argument(index >= 0 && nextPosition >= 0, "log position index and position must be >= 0");
        Verify.argument(queues.size() <= QUEUES_MAX, "too many queues in a log position");
        queues = List.copyOf(queues);
    }

    /**
     * The store's position after entry {@code index}, which must be the last entry applied: every message record up
     * to it is dispatched and none after it. Agent thread (the store's dispatcher thread).
     */
    public static LogPosition capture(MessageStore store, long index) {
        CommitLog log = store.commitLog();
        long end = endOf(log, index);
        Verify.state(store.dispatchedPosition() <= end, "dispatched past the snapshot's entry",
            store.dispatchedPosition(), end);
        List<QueueMax> queues = new ArrayList<>();
        for (ConsumeQueue q : store.consumeQueues().queues()) {
            queues.add(new QueueMax(q.topic(), q.queueId(), q.maxOffset()));
        }
        return new LogPosition(index, end, index == 0 ? 0 : log.prevCrcOf(index + 1), queues);
    }

    /**
     * Where the record after entry {@code index} starts at the earliest: the end of record {@code index} (its
     * position plus the length in its header), or the log's start when {@code index} is the entry just before it.
     * Record {@code index + 1} starts there, or at the next segment when it did not fit.
     */
    static long endOf(CommitLog log, long index) {
        if (index < log.firstIndex()) {
            Verify.state(index == log.firstIndex() - 1, "log position below the log's start", index,
                log.firstIndex());
            return log.startPosition();
        }
        long at = log.position(index);
        ByteBuffer header = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH);
        log.readRange(at, header);
        Verify.state(RecordHeader.index(header, 0) == index, "record header index differs", index,
            RecordHeader.index(header, 0));
        int length = RecordHeader.recordLength(header, 0);
        Verify.state(length >= RecordHeader.HEADER_LENGTH, "record shorter than its header", length, at);
        return at + length;
    }

    /** The bytes drawn in the class javadoc. */
    public byte[] encode() {
        int length = HEADER_LENGTH + Integer.BYTES;
        List<byte[]> topics = new ArrayList<>(queues.size());
        for (QueueMax q : queues) {
            byte[] t = q.topic().getBytes(StandardCharsets.UTF_8);
            Verify.argument(t.length <= 0xFFFF, "topic too long for a log position");
            topics.add(t);
            length += 2 + t.length + 4 + 8;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).put(VERSION).put(new byte[3]).putLong(index).putLong(nextPosition).putInt(prevCrc)
            .putInt(queues.size());
        for (int i = 0; i < queues.size(); i++) {
            b.putShort((short) topics.get(i).length).put(topics.get(i)).putInt(queues.get(i).queueId())
                .putLong(queues.get(i).maxOffset());
        }
        b.putInt(crc(b.array(), b.position()));
        Verify.state(!b.hasRemaining(), "log position length", b.remaining(), length);
        return b.array();
    }

    /**
     * Decodes {@link #encode}'s bytes.
     *
     * @throws IllegalArgumentException torn, damaged or foreign bytes (the message says which)
     */
    public static LogPosition decode(byte[] bytes) {
        Verify.argument(bytes.length >= HEADER_LENGTH + Integer.BYTES, "log position shorter than its header");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        Verify.argument(b.getInt(0) == MAGIC && b.get(4) == VERSION, "log position: bad magic or version");
        Verify.argument(b.getInt(bytes.length - 4) == crc(bytes, bytes.length - 4), "log position: crc mismatch");
        int count = b.getInt(QUEUE_COUNT_OFFSET);
        Verify.argument(count >= 0 && count <= QUEUES_MAX, "log position: bad queue count");
        b.position(HEADER_LENGTH).limit(bytes.length - 4);
        List<QueueMax> queues = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                byte[] topic = new byte[b.getShort() & 0xFFFF];
                b.get(topic);
                queues.add(new QueueMax(new String(topic, StandardCharsets.UTF_8), b.getInt(), b.getLong()));
            }
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("log position: queues run past the end", e);
        }
        Verify.argument(!b.hasRemaining(), "log position: bytes after the queues");
        return new LogPosition(b.getLong(INDEX_OFFSET), b.getLong(POSITION_OFFSET), b.getInt(PREV_CRC_OFFSET),
            queues);
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, length);
        return (int) c.getValue();
    }
}
