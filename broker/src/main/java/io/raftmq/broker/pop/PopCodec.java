package io.raftmq.broker.pop;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;

import java.util.ArrayList;
import java.util.List;

/**
 * Payload of a {@link EntryType#POP} entry ({@link PopEntry}), docs/consumer-protocol.md "Pop consumption".
 * <pre>
 *  0       1      2
 *  +-------+------+--------------------------------------------------------------------------------+
 *  | ver=1 | op   | op fields                                                                      |
 *  +-------+------+--------------------------------------------------------------------------------+
 *  op 1 MODE:   topic str16 | group str16 | pop u8 (0/1) | popShareQueueNum i32
 *  op 2 POP:    group str16 | topic str16 | queueId i32 | popTimeMs i64 | invisibleMs i64 | nonce i64 |
 *               from i64 | to i64 | count i32 | count x offset i64
 *  op 3 ACK:    group str16 | topic str16 | queueId i32 | popTimeMs i64 | count i32 | count x offset i64
 *  op 4 CHANGE: group str16 | topic str16 | queueId i32 | offset i64 | popTimeMs i64 | nowMs i64 | invisibleMs i64
 *  op 5 BATCH:  count u16 (1..256) | count x (op u8 (3 or 4) | that op's fields)
 *  str16: length (u16, 0xFFFF = null) | UTF-8 bytes
 * </pre>
 * All integers big-endian; names never null; times and offsets never negative, {@code from <= to}. Op 5 came
 * after ops 1-4 (which are unchanged): a member that does not know it fails on it, so every member runs a build that
 * knows op 5 before a leader proposes one (docs/consumer-protocol.md "Pop consumption", "Coalesced acks").
 */
public final class PopCodec {
    public static final int OP_MODE = 1;
    public static final int OP_POP = 2;
    public static final int OP_ACK = 3;
    public static final int OP_CHANGE = 4;
    public static final int OP_BATCH = 5;
    /** Bound on the changes of one BATCH entry. */
    public static final int BATCH_MAX = 256;
    /** Bound on offsets in one entry (a decoded count above it is corrupt). */
    public static final int OFFSETS_MAX = 1024;

    private PopCodec() {
    }

    /** @throws IllegalArgumentException a null name, a negative time or offset, too many offsets */
    public static byte[] encode(PopEntry e) {
        PayloadWriter w = new PayloadWriter(64);
        w.u8(EntryType.FORMAT_VERSION);
        if (e instanceof PopEntry.Batch b) {
            if (b.items().isEmpty() || b.items().size() > BATCH_MAX) {
                throw new IllegalArgumentException("a BATCH entry holds 1.." + BATCH_MAX + " changes");
            }
            w.u8(OP_BATCH).u16(b.items().size());
            for (PopEntry i : b.items()) {
                if (!(i instanceof PopEntry.Ack) && !(i instanceof PopEntry.Change)) {
                    throw new IllegalArgumentException("a BATCH entry holds acks and changes only");
                }
                op(w, i);
            }
        } else {
            op(w, e);
        }
        return w.toByteArray();
    }

    private static void op(PayloadWriter w, PopEntry e) {
        if (e instanceof PopEntry.Mode m) {
            w.u8(OP_MODE).str(req(m.topic())).str(req(m.group())).u8(m.pop() ? 1 : 0).i32(m.popShareQueueNum());
        } else if (e instanceof PopEntry.Pop p) {
            check(p.popTimeMs() >= 0 && p.invisibleMs() >= 0 && p.from() >= 0 && p.from() <= p.to());
            w.u8(OP_POP).str(req(p.group())).str(req(p.topic())).i32(p.queueId()).i64(p.popTimeMs())
                .i64(p.invisibleMs()).i64(p.nonce()).i64(p.from()).i64(p.to());
            offsets(w, p.offsets());
        } else if (e instanceof PopEntry.Ack a) {
            check(a.popTimeMs() >= 0);
            w.u8(OP_ACK).str(req(a.group())).str(req(a.topic())).i32(a.queueId()).i64(a.popTimeMs());
            offsets(w, a.offsets());
        } else {
            PopEntry.Change c = (PopEntry.Change) e;
            check(c.offset() >= 0 && c.popTimeMs() >= 0 && c.nowMs() >= 0 && c.invisibleMs() >= 0);
            w.u8(OP_CHANGE).str(req(c.group())).str(req(c.topic())).i32(c.queueId()).i64(c.offset())
                .i64(c.popTimeMs()).i64(c.nowMs()).i64(c.invisibleMs());
        }
    }

    private static String req(String s) {
        if (s == null) {
            throw new IllegalArgumentException("a POP entry names a group and a topic");
        }
        return s;
    }

    private static void check(boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException("a POP entry has no negative time or offset, and from <= to");
        }
    }

    private static void offsets(PayloadWriter w, List<Long> offsets) {
        if (offsets.size() > OFFSETS_MAX) {
            throw new IllegalArgumentException("more than " + OFFSETS_MAX + " offsets in one POP entry");
        }
        w.i32(offsets.size());
        for (long o : offsets) {
            check(o >= 0);
            w.i64(o);
        }
    }

    /** Decodes a payload. @throws EntryFormatException if malformed */
    public static PopEntry decode(byte[] payload) {
        PayloadReader r = new PayloadReader(payload, "POP entry");
        r.version(EntryType.FORMAT_VERSION);
        int op = r.u8();
        PopEntry e = op == OP_BATCH ? batch(r) : op(r, op);
        r.end();
        return e;
    }

    private static PopEntry.Batch batch(PayloadReader r) {
        int n = r.u16();
        if (n < 1 || n > BATCH_MAX) {
            throw new EntryFormatException("POP entry: a BATCH of " + n + " changes (1.." + BATCH_MAX + ")");
        }
        List<PopEntry> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int op = r.u8();
            if (op != OP_ACK && op != OP_CHANGE) {
                throw new EntryFormatException("POP entry: op " + op + " inside a BATCH");
            }
            items.add(op(r, op));
        }
        return new PopEntry.Batch(items);
    }

    private static PopEntry op(PayloadReader r, int op) {
        PopEntry e = switch (op) {
            case OP_MODE -> {
                String topic = r.strNonNull("topic");
                String group = r.strNonNull("group");
                yield new PopEntry.Mode(topic, group, r.u8() != 0, r.i32());
            }
            case OP_POP -> new PopEntry.Pop(r.strNonNull("group"), r.strNonNull("topic"), r.i32(), time(r), time(r),
                r.i64(), time(r), time(r), offsets(r));
            case OP_ACK -> new PopEntry.Ack(r.strNonNull("group"), r.strNonNull("topic"), r.i32(), time(r),
                offsets(r));
            case OP_CHANGE -> new PopEntry.Change(r.strNonNull("group"), r.strNonNull("topic"), r.i32(), time(r),
                time(r), time(r), time(r));
            default -> throw new EntryFormatException("POP entry: unknown op " + op);
        };
        if (e instanceof PopEntry.Pop p && p.from() > p.to()) {
            throw new EntryFormatException("POP entry: from after to");
        }
        return e;
    }

    private static long time(PayloadReader r) {
        long v = r.i64();
        if (v < 0) {
            throw new EntryFormatException("POP entry: negative time or offset " + v);
        }
        return v;
    }

    private static List<Long> offsets(PayloadReader r) {
        int n = r.count(OFFSETS_MAX);
        List<Long> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(time(r));
        }
        return out;
    }
}
