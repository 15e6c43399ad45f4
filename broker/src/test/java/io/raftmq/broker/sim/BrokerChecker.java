package io.raftmq.broker.sim;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.store.PullResult;
import io.raftmq.broker.store.PullStatus;
import io.raftmq.broker.store.QueryResult;
import io.raftmq.broker.store.StoreReadConfig;
import io.raftmq.broker.store.StoreReadException;
import io.raftmq.broker.store.MessageFilter;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.record.RecordHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The invariants of a {@link BrokerSimulation}, checked after every event and at the end.
 *
 * <p>A <b>reference log</b> holds every committed entry once: its position, term and record crc, and for each
 * stored message its (topic, queue, queue offset, send id). Each member has a cursor: after every event every
 * entry it applied since is read back from its own commit log and either extends the reference (the first member
 * to apply an index) or must equal it (same position, term and crc: replicas' committed logs are identical over
 * the common prefix). While the reference grows, each queue's stamped offsets must run 0, 1, 2, ... (no two
 * messages share a queue offset, none is skipped), and each message's PHYSICALOFFSET must be its own position.
 * On the member that applied it, the ConsumeQueue unit at the stamped offset must point at the message.
 *
 * <p>Every acknowledged send must, by the end of the event that acknowledged it, be in the reference (committed
 * and applied by the acknowledging leader) at the physical and queue offsets the acknowledgement named; if that
 * leader failed later in the same event (a disk fault), as soon as a member applies it, and at the latest at the
 * end. No
 * member's derived data may reach past the reference (nothing uncommitted is dispatched). A restarted member's
 * log must still hold every entry it applied before (it applies only what its disk holds).
 *
 * <p>At the end ({@link #checkFinal}) every member's ConsumeQueues hold exactly the reference's messages, each
 * readable from its commit log at the offsets acknowledged, pulled in order through the broker's read path, and
 * every acknowledged send found by its key.
 */
final class BrokerChecker {
    /** A committed message of the reference log. */
    record Ref(long index, long physical, int size, String topic, int queueId, long queueOffset, long sendId) {
    }

    /** An acknowledged send: what the leader answered. */
    record Ack(long sendId, String topic, int queueId, long physical, long queueOffset, int member, long timeMs) {
    }

    private final ByteBuffer buffer = ByteBuffer.allocate(SimMember.RECORD_BYTES_MAX + RecordHeader.HEADER_LENGTH);
    private final StoredMessage reader = new StoredMessage();
    private final ConsumeQueue.Unit unit = new ConsumeQueue.Unit();
    /** Reference log: index i at slot i - 1. */
    private final List<long[]> entries = new ArrayList<>();
    private final Map<Long, Ref> byPhysical = new HashMap<>();
    /** Per "topic/queueId": the reference's messages in queue-offset order. */
    private final Map<String, List<Ref>> queues = new TreeMap<>();
    private final Map<Long, Ack> acked = new HashMap<>();
    private final List<Ack> unmatched = new ArrayList<>();
    /** Acknowledgements whose leader failed in the event that acknowledged them, not yet in the reference. */
    private final List<Ack> deferred = new ArrayList<>();
    /** Per member: the highest index checked against the reference (survives crashes). */
    private final long[] verified;
    /** Told of each message joining the reference (the due-message invariants), or null. */
    private SimDelays delays;
    /** Told of each message joining the reference (the transaction invariants), or null. */
    private SimTransactions transactions;

    BrokerChecker(int members) {
        this.verified = new long[members + 1];
    }

    /** {@code d} and {@code t} are told of each message as it joins the reference. */
    void watch(SimDelays d, SimTransactions t) {
        this.delays = d;
        this.transactions = t;
    }

    long referenceLastIndex() {
        return entries.size();
    }

    int acknowledged() {
        return acked.size();
    }

    /** How many messages of this queue the reference (committed) log holds. */
    long queueSize(String topic, int queueId) {
        List<Ref> q = queues.get(topic + "/" + queueId);
        return q == null ? 0 : q.size();
    }

    Ref refAt(long physical) {
        return byPhysical.get(physical);
    }

    /** The committed message at {@code queueOffset} of the queue, or null when the reference has none there. */
    Ref refAt(String topic, int queueId, long queueOffset) {
        List<Ref> q = queues.get(topic + "/" + queueId);
        return q == null || queueOffset < 0 || queueOffset >= q.size() ? null : q.get((int) queueOffset);
    }

    /**
     * Member {@code m} installed a leader's snapshot at {@code index} ({@link SimSnapshots#install}): its
     * ConsumeQueues now end where the committed log's queues end at that index, and what it applied up to it is
     * the snapshot's (its log starts after it, so those entries are not read back).
     */
    void onInstall(SimMember m, long index) {
        check(index <= referenceLastIndex(), "member " + m.id + " installed a snapshot at " + index
            + " beyond the committed log " + referenceLastIndex());
        for (List<Ref> refs : queues.values()) {
            Ref first = refs.get(0);
            long count = refs.stream().filter(r -> r.index() <= index).count();
            long max = m.store.consumeQueues().maxOffset(first.topic(), first.queueId());
            check(max == count, "member " + m.id + " after installing the snapshot at " + index + ": queue "
                + first.topic() + "/" + first.queueId() + " max offset " + max + ", the committed log holds " + count
                + " messages up to that index");
        }
        verified[m.id] = Math.max(verified[m.id], index);
    }

    /** A leader answered a send SEND_OK with these offsets. */
    void onAck(Ack ack) {
        Ack before = acked.put(ack.sendId(), ack);
        check(before == null, "send " + ack.sendId() + " acknowledged twice: " + before + " and " + ack);
        unmatched.add(ack);
    }

    /** After every event: advance each running member's cursor, then match the acknowledgements. */
    void afterEvent(SimMember[] members) {
        for (int i = 1; i < members.length; i++) {
            SimMember m = members[i];
            if (m.up) {
                m.commitKnown = Math.max(m.commitKnown, m.raft.commitIndex());
                advance(m);
            }
        }
        for (Ack a : unmatched) {
            Ref r = byPhysical.get(a.physical());
            if (r == null && !members[a.member()].up) {
                deferred.add(a); // its member failed later in the same event: matched once a member applies it
                continue;
            }
            checkMatches(a, r);
        }
        unmatched.clear();
        deferred.removeIf(a -> {
            Ref r = byPhysical.get(a.physical());
            if (r != null) {
                checkMatches(a, r);
            }
            return r != null;
        });
        for (int i = 1; i < members.length; i++) {
            SimMember m = members[i];
            if (m.up) {
                check(m.store.dispatchedIndex() <= referenceLastIndex(), "member " + m.id + " dispatched index "
                    + m.store.dispatchedIndex() + " beyond the committed log " + referenceLastIndex());
            }
        }
    }

    /**
     * A running member is about to stop on a disk fault, in the middle of an event: what it applied so far
     * (committed: its commit index covers it) is checked and joins the reference now, as after an event, so that
     * its acknowledgements and the dispatched data its disk keeps stay accounted for. Reads only (they do not fail
     * on the faulty disk).
     */
    void beforeFailure(SimMember m) {
        if (m.up && m.raft != null && m.stateMachine != null) {
            m.commitKnown = Math.max(m.commitKnown, m.raft.commitIndex());
            boolean installing = m.stateMachine.appliedIndex() > m.store.commitLog().lastIndex();
            if (verified[m.id] < m.stateMachine.appliedIndex()) {
                // an install that failed part way restored the state machine but maybe not the log: check what the
                // log holds of it
                long first = m.store.commitLog().firstIndex();
                verified[m.id] = Math.max(verified[m.id], Math.min(first - 1, m.stateMachine.appliedIndex()));
            }
            // such an install (the state machine restored past the log, which is not reset yet) may have reset the
            // derived data already (the store resets it before the log), and the old log past what the member had
            // applied may hold entries never committed, which the install was to discard (seed 410003,
            // docs/simulation.md "Fixed in the harness: a failed install's old log checked as committed"): nothing
            // more is checked then; the restart repeats the install
            if (!installing) {
                advance(m, Math.min(m.stateMachine.appliedIndex(), m.store.commitLog().lastIndex()), true);
            }
        }
    }

    private void checkMatches(Ack acked, Ref r) {
        Ack a = acked;
        if (r != null && delays != null && delays.storedAsSent(r.sendId()) && !r.topic().equals(a.topic())) {
            // a timer the leader routed less than its precision ahead of its deliver time: stored as sent
            a = new Ack(a.sendId(), r.topic(), r.queueId(), a.physical(), a.queueOffset(), a.member(), a.timeMs());
            this.acked.put(a.sendId(), a);
            delays.onAckMoved(acked, a);
        }
        check(r != null, "acknowledged send not in the committed log: " + a);
        check(r.sendId() == a.sendId() && r.queueOffset() == a.queueOffset() && r.topic().equals(a.topic())
            && r.queueId() == a.queueId(), "acknowledgement names other offsets than the log holds: " + a
            + " vs " + r);
    }

    /** A (re)started member: its log must still hold everything it applied before. */
    void onRestart(SimMember m) {
        onRestart(m, false);
    }

    /**
     * A (re)started member whose files were damaged at rest ({@code damaged}): its log may have been cut back
     * past the damage (or wiped), so it must hold a prefix of what it applied; what is left must still match.
     */
    void onRestart(SimMember m, boolean damaged) {
        long last = m.store.commitLog().lastIndex();
        if (damaged) {
            verified[m.id] = Math.min(verified[m.id], last);
        }
        check(last >= verified[m.id], "member " + m.id + " restarted with its log ending at " + last
            + " but it had applied " + verified[m.id]);
        long first = m.store.commitLog().firstIndex();
        if (first - 1 > verified[m.id] && m.stateMachine.appliedIndex() >= first - 1) {
            // an install that failed part way, repeated at this start from its boundary file: as installed now
            onInstall(m, first - 1);
        }
        if (verified[m.id] > 0 && verified[m.id] >= m.store.commitLog().firstIndex()) {
            compareRecord(m, verified[m.id]); // unless a snapshot covers it (an install, or retention)
        }
    }

    private void advance(SimMember m) {
        advance(m, m.stateMachine.appliedIndex(), true);
    }

    private void advance(SimMember m, long applied, boolean units) {
        for (long i = verified[m.id] + 1; i <= applied; i++) {
            long position = compareRecord(m, i);
            if (units && RecordHeader.type(buffer, 0) == EntryType.MESSAGE) {
                checkMessages(m, i, position);
            }
            verified[m.id] = i;
        }
    }

    /** Reads record {@code index} of {@code m} into the buffer; extends the reference or compares with it. */
    private long compareRecord(SimMember m, long index) {
        CommitLog log = m.store.commitLog();
        buffer.clear();
        int n = log.entries(index, index + 1, buffer);
        check(n == 1 && RecordHeader.index(buffer, 0) == index, "member " + m.id + " cannot read entry " + index);
        long position = log.position(index);
        long[] mine = {position, RecordHeader.term(buffer, 0), RecordHeader.crc(buffer, 0)};
        if (index > entries.size()) {
            check(index == entries.size() + 1, "reference log gap at " + index);
            entries.add(mine);
            if (RecordHeader.type(buffer, 0) == EntryType.MESSAGE) {
                extendReference(index, position);
            }
        } else {
            long[] ref = entries.get((int) index - 1);
            check(ref[0] == mine[0] && ref[1] == mine[1] && ref[2] == mine[2], "member " + m.id
                + " committed entry " + index + " differs from the reference: position/term/crc " + mine[0] + "/"
                + mine[1] + "/" + mine[2] + " vs " + ref[0] + "/" + ref[1] + "/" + ref[2]);
        }
        return position;
    }

    /** The first member to apply a MESSAGE entry: its messages join the reference, queue offsets contiguous. */
    private void extendReference(long index, long position) {
        int end = RecordHeader.HEADER_LENGTH + RecordHeader.bodyLength(buffer, 0);
        for (int at = RecordHeader.HEADER_LENGTH; at < end; at += reader.totalSize()) {
            reader.wrap(buffer, at);
            long physical = position + at;
            check(reader.physicalOffset() == physical, "entry " + index + ": stamped physical offset "
                + reader.physicalOffset() + " is not the message's position " + physical);
            String key = reader.topic() + "/" + reader.queueId();
            List<Ref> q = queues.computeIfAbsent(key, k -> new ArrayList<>());
            check(reader.queueOffset() == q.size(), "entry " + index + ": queue " + key + " stamped offset "
                + reader.queueOffset() + ", the next free one is " + q.size());
            Ref r = new Ref(index, physical, reader.totalSize(), reader.topic(), reader.queueId(),
                reader.queueOffset(), sendId(reader, buffer));
            q.add(r);
            check(byPhysical.put(physical, r) == null, "two messages at physical offset " + physical);
            if (delays != null) {
                delays.onReference(r, reader);
                transactions.onReference(r, reader);
            }
        }
    }

    /** On a member that applied entry {@code index}: each message's ConsumeQueue unit points at it. */
    private void checkMessages(SimMember m, long index, long position) {
        check(m.store.dispatchedIndex() >= index, "member " + m.id + " applied " + index + " but dispatched only "
            + m.store.dispatchedIndex());
        int end = RecordHeader.HEADER_LENGTH + RecordHeader.bodyLength(buffer, 0);
        for (int at = RecordHeader.HEADER_LENGTH; at < end; at += reader.totalSize()) {
            reader.wrap(buffer, at);
            checkUnit(m, reader.topic(), reader.queueId(), reader.queueOffset(), position + at, reader.totalSize());
        }
    }

    private void checkUnit(SimMember m, String topic, int queueId, long queueOffset, long physical, int size) {
        ConsumeQueue q = m.store.consumeQueues().queue(topic, queueId);
        try {
            check(q != null && q.read(queueOffset, unit), "member " + m.id + ": no ConsumeQueue unit " + topic + "/"
                + queueId + "@" + queueOffset);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        check(unit.physicalOffset() == physical && unit.size() == size, "member " + m.id + ": ConsumeQueue unit "
            + topic + "/" + queueId + "@" + queueOffset + " points at " + unit.physicalOffset() + "/" + unit.size()
            + ", the message is at " + physical + "/" + size);
    }

    /**
     * The end, every member caught up with the reference: its ConsumeQueues hold exactly the reference's messages,
     * each message readable from its commit log with the send id and offsets of the reference.
     */
    void checkFinal(SimMember[] members) {
        for (Ack a : deferred) {
            checkMatches(a, null);
        }
        for (int i = 1; i < members.length; i++) {
            SimMember m = members[i];
            check(m.up && verified[m.id] == referenceLastIndex(), "member " + m.id + " did not catch up: verified "
                + verified[m.id] + " of " + referenceLastIndex());
            for (Map.Entry<String, List<Ref>> e : queues.entrySet()) {
                List<Ref> refs = e.getValue();
                Ref first = refs.get(0);
                long max = m.store.consumeQueues().maxOffset(first.topic(), first.queueId());
                check(max == refs.size(), "member " + m.id + " queue " + e.getKey() + " max offset " + max
                    + ", the committed log holds " + refs.size());
                for (Ref r : refs) {
                    if (r.index() >= m.store.commitLog().firstIndex()) { // else retention deleted it
                        checkUnit(m, r.topic(), r.queueId(), r.queueOffset(), r.physical(), r.size());
                        checkReadable(m, r);
                    }
                }
            }
        }
        for (Ack a : acked.values()) {
            check(byPhysical.get(a.physical()) != null, "acknowledged send lost: " + a);
        }
        for (int i = 1; i < members.length; i++) {
            checkReadPath(members[i]);
        }
    }

    /**
     * Through the broker's read path ({@link BrokerStore}, as PULL_MESSAGE and QUERY_MESSAGE serve): every queue
     * pulled from offset 0 returns the reference's messages in order, and every acknowledged send is found by its
     * key in the key index.
     */
    private void checkReadPath(SimMember m) {
        BrokerStore view = new BrokerStore(m.store, StoreReadConfig.defaults(), UnpooledByteBufAllocator.DEFAULT);
        try {
            for (List<Ref> refs : queues.values()) {
                pullAll(m, view, refs);
            }
            for (Ack a : acked.values()) {
                if (byPhysical.get(a.physical()).index() < m.store.commitLog().firstIndex()) {
                    continue; // retention deleted it: hidden from key queries (docs/storage.md)
                }
                QueryResult q = view.queryMessages(a.topic(), "k" + a.sendId(), 4, 0, Long.MAX_VALUE, false);
                try {
                    check(q.messageCount() == 1 && q.body() != null && q.body().getLong(q.body().readerIndex()
                        + StoredMessage.PHYSICAL_OFFSET_OFFSET) == a.physical(), "member " + m.id
                        + ": key query for " + a + " found " + q.messageCount() + " messages");
                } finally {
                    if (q.body() != null) {
                        q.body().release();
                    }
                }
            }
        } catch (StoreReadException e) {
            throw new AssertionError("member " + m.id + ": read failed: " + e, e);
        }
    }

    /**
     * Pulls the queue from its first message the member's log still holds (retention may have deleted those before
     * it) to its end; below that, a pull answers as docs/storage.md says: under the queue's min offset
     * OFFSET_TOO_SMALL with the min as next offset, at a unit whose message was deleted MESSAGE_WAS_REMOVING with the
     * next offset, never a message.
     */
    private void pullAll(SimMember m, BrokerStore view, List<Ref> refs) throws StoreReadException {
        String topic = refs.get(0).topic();
        int queueId = refs.get(0).queueId();
        long firstIndex = m.store.commitLog().firstIndex();
        long offset = 0;
        while (offset < refs.size() && refs.get((int) offset).index() < firstIndex) {
            offset++;
        }
        long min = view.minOffset(topic, queueId);
        check(min <= offset, "member " + m.id + ": queue " + topic + "/" + queueId + " min offset " + min
            + " above its first retained message " + offset);
        if (min > 0) {
            checkRemoved(m, view.pull(topic, queueId, min - 1, 32, 1 << 20, MessageFilter.ALL),
                PullStatus.OFFSET_TOO_SMALL, min, topic + "/" + queueId + "@" + (min - 1));
        }
        if (min < offset) {
            checkRemoved(m, view.pull(topic, queueId, min, 32, 1 << 20, MessageFilter.ALL),
                PullStatus.MESSAGE_WAS_REMOVING, min + 1, topic + "/" + queueId + "@" + min);
        }
        while (offset < refs.size()) {
            PullResult r = view.pull(topic, queueId, offset, 32, 1 << 20, MessageFilter.ALL);
            check(r.status() == PullStatus.FOUND, "member " + m.id + ": pull " + topic + "/" + queueId + "@"
                + offset + " gave " + r);
            ByteBuf body = r.takeBody();
            try {
                ByteBuffer b = body.nioBuffer();
                for (int at = b.position(); at < b.limit(); at += reader.totalSize()) {
                    reader.wrap(b, at);
                    Ref ref = refs.get((int) offset);
                    check(reader.queueOffset() == offset && reader.physicalOffset() == ref.physical()
                        && sendId(reader, b) == ref.sendId(), "member " + m.id + ": pulled " + topic + "/" + queueId
                        + "@" + offset + " is not " + ref);
                    offset++;
                }
            } finally {
                body.release();
            }
            check(r.nextBeginOffset() == offset, "member " + m.id + ": next begin offset " + r.nextBeginOffset()
                + " after " + offset);
        }
    }

    private static void checkRemoved(SimMember m, PullResult r, PullStatus expected, long next, String what) {
        if (r.status() == PullStatus.FOUND) {
            r.takeBody().release();
        }
        check(r.status() == expected && r.nextBeginOffset() == next, "member " + m.id + ": pull " + what
            + " below the retained log gave " + r + ", expected " + expected + " with next offset " + next);
    }

    private void checkReadable(SimMember m, Ref r) {
        ByteBuffer b = ByteBuffer.allocate(r.size());
        m.store.commitLog().readRange(r.physical(), b);
        reader.wrap(b, 0);
        check(reader.totalSize() == r.size() && reader.queueOffset() == r.queueOffset()
            && reader.physicalOffset() == r.physical() && sendId(reader, b) == r.sendId(), "member " + m.id
            + " reads another message at " + r.physical() + " than " + r);
    }

    /** The send id: the first 8 bytes of the message body ({@link BrokerSimulation} writes them). */
    static long sendId(StoredMessage message, ByteBuffer buf) {
        return buf.getLong(message.bodyOffset());
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
