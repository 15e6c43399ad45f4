/**
 * The dispatcher: builds the derived data (ConsumeQueues and the key index) from CommitLog records up to a
 * committed position the caller gives, never beyond, and persists its progress in a CRC-protected checkpoint.
 * After a restart it resumes from the checkpoint; when derived files are missing or fail validation it deletes
 * them and rebuilds from the log start.
 *
 * <p>Ports: {@link io.raftmq.commitlog.dispatch.RecordSource} (records by position), satisfied by
 * {@link io.raftmq.commitlog.dispatch.CommitLogRecordSource} over the CommitLog. Only records of the configured
 * message type are decoded; other record types are skipped unread.
 */
package io.raftmq.commitlog.dispatch;
