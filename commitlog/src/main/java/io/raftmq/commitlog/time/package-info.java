/**
 * The time port ({@link io.raftmq.commitlog.time.Clock}): the only way the commitlog and the broker read time.
 * A leaf package: it imports nothing of the project.
 */
package io.raftmq.commitlog.time;
