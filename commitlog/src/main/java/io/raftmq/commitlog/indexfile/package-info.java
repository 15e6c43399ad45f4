/**
 * The key index (docs/protocol.md §3.9): hash-slot files mapping {@code topic#KEY} and {@code topic#UNIQ_KEY} to
 * physical offsets, for query-by-key (mqadmin queryMsgByKey, VIEW by UNIQ_KEY). A projection built by the dispatcher
 * from committed records only; rebuildable from the CommitLog. {@link io.raftmq.commitlog.indexfile.IndexFile}
 * is one file; {@link io.raftmq.commitlog.indexfile.IndexFileStore} rolls files and queries across them;
 * {@link io.raftmq.commitlog.indexfile.IndexStaging} batches the writes of the file being written.
 *
 * <p>Results are candidates: only the 31-bit key hash is stored, so the broker re-checks each message's keys.
 * Threading: one writer (the dispatcher); queries may run concurrently on other threads (see IndexFileStore).
 */
package io.raftmq.commitlog.indexfile;
