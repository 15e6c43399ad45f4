/**
 * What the commitlog module throws: the typed operating errors ({@link io.raftmq.commitlog.error.CommitLogException}
 * and its subclasses: disk full, corruption, truncated reads, device failure and fencing, durability timeouts) and
 * {@link io.raftmq.commitlog.error.Verify}, the always-on invariant checks whose failures are bugs. A leaf: it imports
 * nothing from the module, so every other package of the module may use it.
 */
package io.raftmq.commitlog.error;
