/**
 * ConsumeQueues: per (topic, queueId) dense arrays of 20-byte units indexed by queue offset, each pointing at a
 * message in the CommitLog (docs/protocol.md §3.8). They are projections: the dispatcher builds them from committed
 * records only, and they can always be rebuilt from the log. Directory layout: {@code consumequeue/<topic>/<queueId>/}
 * holding segment files named by their first byte offset (20 digits).
 *
 * <p>Errors: I/O failures surface as {@link java.io.IOException}; files that fail validation on open raise
 * {@link io.raftmq.commitlog.queue.ConsumeQueueCorruptException} (the store then rebuilds). Not thread-safe:
 * the dispatcher thread appends, truncates and deletes; readers on other threads must be serialised by the
 * owner (the broker reads under the store's lock or on the dispatcher thread).
 */
package io.raftmq.commitlog.queue;
