package io.raftmq.commitlog.store;

import io.raftmq.commitlog.error.Verify;

/**
 * What an append stamped, per message in log order: its physical offset and queue offset. Reusable: the store
 * clears it at the start of each append. Bounded by {@code messagesMax}; one owner thread.
 */
public final class AppendResult implements StampSink {
    private final long[] physicalOffsets;
    private final long[] queueOffsets;
    private int size;

    /** @param messagesMax the most messages one append may carry */
    public AppendResult(int messagesMax) {
        Verify.argument(messagesMax > 0, "messagesMax must be positive");
        physicalOffsets = new long[messagesMax];
        queueOffsets = new long[messagesMax];
    }

    @Override
    public void clear() {
        size = 0;
    }

    @Override
    public void add(long physicalOffset, long queueOffset) {
        Verify.state(size < physicalOffsets.length, "append result full", size);
        physicalOffsets[size] = physicalOffset;
        queueOffsets[size] = queueOffset;
        size++;
    }

    /** Messages stamped by the last append. */
    public int size() {
        return size;
    }

    /** Physical offset (offset msgId part) of message {@code i}. */
    public long physicalOffset(int i) {
        Verify.argument(i >= 0 && i < size, "no such message");
        return physicalOffsets[i];
    }

    /** Queue offset of message {@code i} (0 for prepared/rollback transaction messages). */
    public long queueOffset(int i) {
        Verify.argument(i >= 0 && i < size, "no such message");
        return queueOffsets[i];
    }
}
