package io.raftmq.commitlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.DiskFullException;
import io.raftmq.commitlog.error.StorageFailedException;
import io.raftmq.commitlog.flush.GroupCommit;
import io.raftmq.commitlog.io.NoSpaceException;
import io.raftmq.commitlog.time.Clock;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Goal: the log's usability state says what the facade documents: device errors become typed operating errors (a
 * full disk leaves the log usable), a failed force fences it for good and every later use sees that same failure,
 * and close wins over later uses with an IllegalStateException. Method: a LogFence over a real GroupCommit, no files.
 */
class LogFenceTest {
    private final GroupCommit groupCommit = new GroupCommit(4, 0, Clock.SYSTEM);
    private final LogFence fence = new LogFence(Path.of("log-dir"), groupCommit);

    @Test
    void deviceErrorsBecomeTypedErrorsWithoutFencing() {
        CommitLogException full = LogFence.ioError("append at 7", new NoSpaceException("ENOSPC", null));
        assertThat(full).isInstanceOf(DiskFullException.class).hasMessageContaining("append at 7");
        CommitLogException other = LogFence.ioError("append at 7", new IOException("EIO"));
        assertThat(other).isInstanceOf(StorageFailedException.class).hasMessageContaining("EIO");
        assertThat(fence.usable()).isTrue();
        fence.ensureUsable();
    }

    @Test
    void failedForceFencesForGood() {
        CommitLogException f = fence.fence("force", new IOException("EIO"));
        assertThat(f).isInstanceOf(StorageFailedException.class).hasMessageContaining("fenced");
        assertThat(fence.usable()).isFalse();
        assertThat(fence.failure()).isSameAs(f);
        assertThatThrownBy(fence::ensureUsable).isSameAs(f);
        assertThatThrownBy(() -> groupCommit.awaitDurable(1, 1_000_000)).as("waiters see it too").isSameAs(f);
    }

    @Test
    void closeMakesEveryUseAnIllegalState() {
        CommitLogException f = fence.markClosed();
        assertThat(fence.isClosed()).isTrue();
        assertThat(fence.usable()).isFalse();
        assertThat(fence.failure()).isSameAs(f);
        assertThatThrownBy(fence::ensureUsable).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("closed");
    }
}
