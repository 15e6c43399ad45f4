/**
 * The commit log: {@link io.raftmq.commitlog.CommitLog} (the facade and its public API), its configuration, the
 * {@link io.raftmq.commitlog.AppendBatch} it appends and the {@link io.raftmq.commitlog.RecordStamper} hook, plus
 * the package-private parts the facade wires (named in its class comment).
 *
 * <p>Dependencies point one way: this package uses {@code error}, {@code flush}, {@code index}, {@code io},
 * {@code record}, {@code recovery}, {@code retention}, {@code segment} and {@code time}, and none of those uses
 * this package. The layers built on the log ({@code dispatch}, {@code store}) use it from above.
 */
package io.raftmq.commitlog;
