package io.raftmq.broker.lock;

import io.raftmq.client.protocol.body.MessageQueue;

import java.util.List;

/**
 * One replicated lock call of an orderly consumer (a {@code QUEUE_LOCK} entry, {@link QueueLockCodec}): lock or
 * unlock {@code queues} of {@code group} for {@code clientId}. The times are the proposing leader's wall clock, so
 * every member decides expiry from the same numbers (docs/messaging.md "Ordered consumption").
 *
 * @param lock     true to lock (or renew), false to unlock
 * @param nowMs    the leader's wall-clock time of the call: the new last-lock time of every queue granted
 * @param readyMs  when the proposing leader became ready; a held lock counts as renewed then
 * @param expiryMs a lock lapses this long after its last lock call (the leader's queueLockExpiryMs)
 * @param group    the consumer group
 * @param clientId the consumer's client id
 * @param queues   the queues, sorted, without duplicates
 */
public record QueueLockEntry(boolean lock, long nowMs, long readyMs, long expiryMs, String group, String clientId,
                             List<MessageQueue> queues) {
    public QueueLockEntry {
        queues = List.copyOf(queues);
    }
}
