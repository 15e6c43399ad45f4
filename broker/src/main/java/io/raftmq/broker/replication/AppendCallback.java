package io.raftmq.broker.replication;

/**
 * Completion of one send handed to {@link SendBatcher}: exactly one of the methods runs, once. Runs on the raft
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

    /**
     * The send was refused because leadership is moving (this member is transferring it away, or is no longer the
     * leader): it never entered the log, so it may be sent again as it was, to the new leader. By default it fails
     * like any other refusal; the client-facing send path holds and forwards it instead.
     */
    default void onLeaderMoving(int responseCode, String remark) {
        onFailed(responseCode, remark);
    }
}
