package io.raftmq.broker.replication;

/**
 * Completion of one send handed to {@link SendBatcher}: exactly one of the two methods runs, once. Runs on the raft
 * agent thread (or the submitting thread when the send is refused at once): keep it short, never block.
 */
public interface AppendCallback {
    /**
     * The send's messages are committed and dispatched. Message {@code i} of the send ({@code 0 <= i < count})
     * has physical offset {@code physicalOffsets[from + i]} and queue offset {@code queueOffsets[from + i]}. The
     * arrays are valid during the call only.
     */
    void onCommitted(long[] physicalOffsets, long[] queueOffsets, int from, int count);

    /**
     * The send was not acknowledged. {@code responseCode} is the remoting code to answer with (docs/protocol.md §1.6,
     * 5.9: 14 not leader / stopping, 2 overloaded, 1 not committed in time, whose outcome is unknown).
     */
    void onFailed(int responseCode, String remark);
}
