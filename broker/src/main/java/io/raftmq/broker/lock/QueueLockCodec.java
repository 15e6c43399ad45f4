package io.raftmq.broker.lock;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;
import io.raftmq.client.protocol.body.MessageQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Payload of a {@link EntryType#QUEUE_LOCK} entry ({@link QueueLockEntry}). The encoder sorts the queues and drops
 * duplicates, so one logical call always has one encoding.
 *
 * <pre>
 *  0        1        2                10               18               26
 *  +--------+--------+----------------+----------------+----------------+
 *  | ver=1  | op     | nowMs (i64)    | readyMs (i64)  | expiryMs (i64) |
 *  +--------+--------+----------------+----------------+----------------+
 *  | group (str16) | clientId (str16) | count (i32) | count x queue      |
 *  +---------------+------------------+-------------+--------------------+
 *  op:     1 = lock, 2 = unlock
 *  queue:  topic (str16) | brokerName (str16, may be null) | queueId (i32)
 *  str16:  length (u16, 0xFFFF = null) | UTF-8 bytes
 * </pre>
 * All integers big-endian. Group, clientId and topic are never null; times are never negative, expiryMs positive.
 */
public final class QueueLockCodec {
    public static final int VERSION_OFFSET = 0;
    public static final int OP_OFFSET = 1;
    public static final int NOW_OFFSET = 2;
    public static final int READY_OFFSET = 10;
    public static final int EXPIRY_OFFSET = 18;
    public static final int FIXED_LENGTH = 26;
    public static final int OP_LOCK = 1;
    public static final int OP_UNLOCK = 2;
    /** Bound on queues in one call (a decoded count above it is corrupt). */
    public static final int QUEUES_MAX = 4096;

    static {
        if (FIXED_LENGTH != EXPIRY_OFFSET + 8 || READY_OFFSET != NOW_OFFSET + 8) {
            throw new IllegalStateException("QueueLockCodec header size");
        }
    }

    private QueueLockCodec() {
    }

    /**
     * Encodes {@code e} (queues in any order; duplicates dropped).
     *
     * @throws IllegalArgumentException more than {@link #QUEUES_MAX} queues, a null name or a negative time
     */
    public static byte[] encode(QueueLockEntry e) {
        TreeSet<MessageQueue> sorted = new TreeSet<>(e.queues());
        if (sorted.size() > QUEUES_MAX) {
            throw new IllegalArgumentException("more than " + QUEUES_MAX + " queues in one lock call");
        }
        if (e.group() == null || e.clientId() == null || e.nowMs() < 0 || e.readyMs() < 0 || e.expiryMs() <= 0) {
            throw new IllegalArgumentException("group and clientId are required, times must not be negative");
        }
        PayloadWriter w = new PayloadWriter(FIXED_LENGTH + 64 + sorted.size() * 32);
        w.u8(EntryType.FORMAT_VERSION).u8(e.lock() ? OP_LOCK : OP_UNLOCK).i64(e.nowMs()).i64(e.readyMs())
            .i64(e.expiryMs()).str(e.group()).str(e.clientId()).i32(sorted.size());
        for (MessageQueue q : sorted) {
            if (q.topic() == null) {
                throw new IllegalArgumentException("a queue without a topic");
            }
            w.str(q.topic()).str(q.brokerName()).i32(q.queueId());
        }
        return w.toByteArray();
    }

    /** Decodes a payload. @throws EntryFormatException if malformed */
    public static QueueLockEntry decode(byte[] payload) {
        PayloadReader r = new PayloadReader(payload, "QUEUE_LOCK entry");
        r.version(EntryType.FORMAT_VERSION);
        int op = r.u8();
        if (op != OP_LOCK && op != OP_UNLOCK) {
            throw new EntryFormatException("QUEUE_LOCK entry: unknown op " + op);
        }
        long now = r.i64();
        long ready = r.i64();
        long expiry = r.i64();
        if (now < 0 || ready < 0 || expiry <= 0) {
            throw new EntryFormatException("QUEUE_LOCK entry: negative time or non-positive expiry");
        }
        String group = r.strNonNull("group");
        String clientId = r.strNonNull("clientId");
        int n = r.count(QUEUES_MAX);
        List<MessageQueue> queues = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String topic = r.strNonNull("topic");
            String brokerName = r.str();
            queues.add(new MessageQueue(topic, brokerName, r.i32()));
        }
        r.end();
        return new QueueLockEntry(op == OP_LOCK, now, ready, expiry, group, clientId, queues);
    }
}
