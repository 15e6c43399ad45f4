/**
 * Retention in Raft mode (docs/snapshots.md rule 5 and "Retention"): which whole head segments of the commit log may
 * go ({@link io.raftmq.broker.retention.RetentionPolicy}, pure), and the service that runs it on every member on the
 * broker's scheduler and compacts the raft log and the derived files on the raft agent thread
 * ({@link io.raftmq.broker.retention.RetentionService}).
 */
package io.raftmq.broker.retention;
