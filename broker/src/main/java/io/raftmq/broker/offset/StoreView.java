package io.raftmq.broker.offset;

/**
 * Port: the read-only facts about the message store that the control plane needs (offset decisions, admin
 * statistics). Implemented by the store layer when it lands; {@link #EMPTY} stands for a store without messages.
 * Thread-safety: implementations must be callable from any processor thread.
 */
public interface StoreView {
    /** A store with no messages: every queue starts at 0 and was never truncated. */
    StoreView EMPTY = new StoreView() {
        @Override
        public long minOffset(String topic, int queueId) {
            return 0;
        }

        @Override
        public long maxOffset(String topic, int queueId) {
            return 0;
        }
    };

    /**
     * The smallest queue offset still stored for the queue; 0 if the queue is unknown or was never truncated
     * (retention has not deleted its first message).
     */
    long minOffset(String topic, int queueId);

    /** The next queue offset to be written (committed data only); 0 for an unknown or empty queue. */
    long maxOffset(String topic, int queueId);
}
