package io.raftmq.broker.offset;

/**
 * A consumer offset commit refused because {@code offsetPendingQueuesMax} distinct queues already wait to be
 * proposed (the Raft log is not keeping up). Two-way callers are answered SYSTEM_BUSY; oneway commits are dropped
 * and counted (the client commits again within 5 s).
 */
public final class OffsetBacklogFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OffsetBacklogFullException(int pendingMax) {
        super("consumer offset backlog full: " + pendingMax + " queues pending");
    }
}
