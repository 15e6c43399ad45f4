package io.raftmq.broker;

import io.raftmq.broker.offset.StoreView;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.store.MessageStore;

/**
 * Minimal {@link StoreView} over the message store's ConsumeQueues (committed data only), used until the pull
 * path's store view replaces it. Any thread.
 */
final class ConsumeQueueStoreView implements StoreView {
    private final MessageStore store;

    ConsumeQueueStoreView(MessageStore store) {
        this.store = store;
    }

    @Override
    public long minOffset(String topic, int queueId) {
        ConsumeQueue q = store.consumeQueues().queue(topic, queueId);
        return q == null ? 0 : q.minOffset();
    }

    @Override
    public long maxOffset(String topic, int queueId) {
        return Math.max(0, store.consumeQueues().maxOffset(topic, queueId));
    }
}
