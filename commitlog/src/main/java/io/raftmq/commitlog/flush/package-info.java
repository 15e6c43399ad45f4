/**
 * Durability of the commit log: {@link io.raftmq.commitlog.flush.FlushMode} (when the log is forced),
 * {@link io.raftmq.commitlog.flush.FlushAgent} (the one flush thread's duty cycle) and
 * {@link io.raftmq.commitlog.flush.GroupCommit} (the durable position and the parties waiting for it, with
 * {@link io.raftmq.commitlog.flush.DurableListener} for callbacks). Depends only on {@code error} and {@code time};
 * what a force does to the files is the log's business, reached through
 * {@link io.raftmq.commitlog.flush.FlushAgent.Target}.
 */
package io.raftmq.commitlog.flush;
