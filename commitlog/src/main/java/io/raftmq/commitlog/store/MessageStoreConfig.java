package io.raftmq.commitlog.store;

import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.dispatch.DispatchConfig;

import java.util.Objects;

/**
 * Settings of a {@link MessageStore}: the CommitLog's and the derived data's, validated by their own records,
 * plus the relation between them (they must live in different directories).
 *
 * @param commitLog   the CommitLog settings
 * @param dispatch    the derived data settings
 * @param messagesMax the most messages one append may carry (bounds {@link AppendResult})
 */
public record MessageStoreConfig(CommitLogConfig commitLog, DispatchConfig dispatch, int messagesMax) {
    public MessageStoreConfig {
        Objects.requireNonNull(commitLog, "commitLog");
        Objects.requireNonNull(dispatch, "dispatch");
        if (commitLog.directory().toAbsolutePath().normalize()
                .equals(dispatch.directory().toAbsolutePath().normalize())) {
            throw new IllegalArgumentException("MessageStoreConfig: commit log and derived data need separate "
                    + "directories, both are " + commitLog.directory());
        }
        if (messagesMax <= 0) {
            throw new IllegalArgumentException("MessageStoreConfig: messagesMax must be positive");
        }
    }
}
