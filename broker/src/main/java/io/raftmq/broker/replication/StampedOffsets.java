package io.raftmq.broker.replication;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.store.StampSink;

import java.util.Arrays;

/**
 * The offsets the store stamped into the messages of the most recently appended entries, kept so that the leader
 * answers a committed send without reading its record back ({@link SendBatcher}). {@link CommitLogRaftLog} appends
 * through the store with {@link #sink} as the {@link StampSink}, then {@link #appended} files the stamps of the
 * batch under each entry's index and term.
 *
 * <p>Layout: two rings. The message ring holds (physical offset, queue offset) of the last {@code messagesMax}
 * stamped messages, numbered by a running sequence; the entry ring holds, per {@code index & mask}, the entry's
 * index, term, record position, the sequence of its first message and its message count. An entry is answered
 * only when index and term match exactly, the count is what the caller expects and its messages are still in the
 * message ring; otherwise {@link #lookup} returns false and the caller reads the record back.
 *
 * <p>Why a match is safe: an entry is filed only after the commit log accepted the whole batch; a truncation
 * ({@link #truncatedFrom}) or a reset ({@link #clearEntries}) forgets every entry it removed, and a re-append files
 * the new record's stamps. So a filed (index, term) always describes the record that the log holds at that index
 * now.
 *
 * <p>Threading: the raft agent thread only (appends and commit callbacks both run there). Allocates nothing after
 * construction; the sink never throws.
 */
public final class StampedOffsets {
    private static final long NONE = -1;

    private final long[] physical;
    private final long[] queue;
    private final int messageMask;
    private final long[] entryIndex;
    private final long[] entryTerm;
    private final long[] entryPosition;
    private final long[] entryFirst;
    private final int[] entryCount;
    private final int entryMask;
    /** Sequence of the next stamped message. */
    private long written;
    /** Sequence of the first message stamped by the append in progress. */
    private long batchFirst;
    private long hits;
    private long misses;
    private final StampSink sink = new StampSink() {
        @Override
        public void clear() {
            batchFirst = written;
        }

        @Override
        public void add(long physicalOffset, long queueOffset) {
            int slot = (int) (written & messageMask);
            physical[slot] = physicalOffset;
            queue[slot] = queueOffset;
            written++;
        }
    };

    /**
     * @param entriesMax  entries remembered (rounded up to a power of two)
     * @param messagesMax messages remembered (rounded up to a power of two)
     */
    StampedOffsets(int entriesMax, int messagesMax) {
        Verify.argument(entriesMax >= 1 && entriesMax <= 1 << 20, "entriesMax must be in [1, 1M]");
        Verify.argument(messagesMax >= 1 && messagesMax <= 1 << 24, "messagesMax must be in [1, 16M]");
        int m = powerOfTwo(messagesMax);
        int e = powerOfTwo(entriesMax);
        physical = new long[m];
        queue = new long[m];
        messageMask = m - 1;
        entryIndex = new long[e];
        entryTerm = new long[e];
        entryPosition = new long[e];
        entryFirst = new long[e];
        entryCount = new int[e];
        entryMask = e - 1;
        Arrays.fill(entryIndex, NONE);
    }

    private static int powerOfTwo(int n) {
        return n == 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    }

    /** What the store's append reports each stamp to; see {@link #appended}. */
    StampSink sink() {
        return sink;
    }

    /**
     * Files the stamps of the append that just succeeded under its entries: entry {@code i} owns the stamps whose
     * physical offset lies inside its record. An append that stamped more messages than the ring holds files
     * nothing (its entries are forgotten: the caller reads them back).
     */
    void appended(AppendBatch batch) {
        int n = batch.size();
        boolean fits = written - batchFirst <= physical.length;
        long cursor = batchFirst;
        for (int i = 0; i < n; i++) {
            long index = batch.index(i);
            int e = (int) (index & entryMask);
            if (!fits) {
                entryIndex[e] = NONE;
                continue;
            }
            long position = batch.position(i);
            long end = i + 1 < n ? batch.position(i + 1) : batch.endPosition();
            long first = cursor;
            while (cursor < written && physical[(int) (cursor & messageMask)] < end) {
                Verify.state(physical[(int) (cursor & messageMask)] >= position + RecordHeader.HEADER_LENGTH,
                    "stamp before its record's body", physical[(int) (cursor & messageMask)], position);
                cursor++;
            }
            entryIndex[e] = index;
            entryTerm[e] = batch.term(i);
            entryPosition[e] = position;
            entryFirst[e] = first;
            entryCount[e] = (int) (cursor - first);
        }
        Verify.state(!fits || cursor == written, "stamps left over after filing the batch", cursor, written);
    }

    /**
     * Copies the offsets of entry (index, term) into {@code physicalOut} and {@code queueOut} [0, count) and returns
     * true, when that entry is filed with exactly {@code count} messages still in the ring; else returns false
     * and leaves the arrays alone.
     *
     * @throws IllegalStateException the entry is filed with a different message count, or its first message does
     *                               not start right after its record header (a record that is not the batch)
     */
    boolean lookup(long index, long term, int count, long[] physicalOut, long[] queueOut) {
        int e = (int) (index & entryMask);
        if (entryIndex[e] != index || entryTerm[e] != term || entryFirst[e] < written - physical.length) {
            misses++;
            return false;
        }
        Verify.state(entryCount[e] == count, "stamped messages of the committed entry", entryCount[e], count);
        long first = entryFirst[e];
        for (int k = 0; k < count; k++) {
            int slot = (int) ((first + k) & messageMask);
            physicalOut[k] = physical[slot];
            queueOut[k] = queue[slot];
        }
        Verify.state(count == 0 || physicalOut[0] == entryPosition[e] + RecordHeader.HEADER_LENGTH,
            "first stamped message starts the record body", physicalOut[0], entryPosition[e]);
        hits++;
        return true;
    }

    /** Forgets every entry at or after {@code fromIndex} (the log dropped them). */
    void truncatedFrom(long fromIndex) {
        for (int e = 0; e < entryIndex.length; e++) {
            if (entryIndex[e] >= fromIndex) {
                entryIndex[e] = NONE;
            }
        }
    }

    /** Forgets every entry (the log was reset). */
    void clearEntries() {
        Arrays.fill(entryIndex, NONE);
    }

    /** Lookups answered from the rings, since start. */
    long hits() {
        return hits;
    }

    /** Lookups that found nothing (the caller read the record back), since start. */
    long misses() {
        return misses;
    }
}
