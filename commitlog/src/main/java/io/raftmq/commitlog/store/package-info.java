/**
 * The message store: the CommitLog plus the queue-offset stamper and the derived data (ConsumeQueues, key
 * index) behind one facade, {@link io.raftmq.commitlog.store.MessageStore}.
 *
 * <p><b>Queue offsets are stamped at append time, on every replica.</b> A message record's body holds one or
 * more stored messages (docs/protocol.md §3.1). Inside the CommitLog's append critical section, before the record CRC
 * is computed, {@link io.raftmq.commitlog.store.QueueOffsetStamper} writes into each message its PHYSICALOFFSET
 * (its own absolute byte position in the log) and its QUEUEOFFSET (the next offset of its (topic, queueId);
 * 0 for prepared and rollback transaction messages, which get no queue unit). The leader and every follower
 * run the same stamper over the same log prefix, so all replicas hold byte-identical records, pulls ship the
 * stored bytes unchanged, and the leader knows each message's queue offset when its own append returns.
 *
 * <p>The per-queue counter is a function of the log prefix only: next offset = the ConsumeQueue's max offset
 * (covering dispatched, i.e. committed, records) raised by the offsets stamped in records after the
 * dispatched position. It is recomputed on open and after every truncation by re-reading the stamped
 * QUEUEOFFSET fields of the undispatched tail, so a follower whose uncommitted suffix is replaced ends up with
 * the same counters as the leader.
 *
 * <p>Derived data is built only from committed records ({@code dispatchUpTo}), so Raft truncation (which only
 * removes uncommitted records) never touches it.
 */
package io.raftmq.commitlog.store;
