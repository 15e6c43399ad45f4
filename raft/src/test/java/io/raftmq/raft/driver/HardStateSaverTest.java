package io.raftmq.raft.driver;

import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.MemoryHardStateStore;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: {@link HardStateSaver} saves a new term or vote at once, a commit-only change at most once per interval (or
 * on a clean stop), never lets the term go back. Method: memory store and log, nanosecond times passed by hand.
 */
class HardStateSaverTest {
    private static final long MS = 1_000_000L;
    private final MemoryHardStateStore store = new MemoryHardStateStore();
    private final HardStateSaver saver = new HardStateSaver(store, new MemoryRaftLog(), DurabilityMode.QUORUM_FSYNC,
        10, 0);

    @Test
    void voteChangesAreSavedAtOnceCommitChangesPerInterval() {
        saver.onHardState(new HardState(1, 2, 0), 1 * MS, 100);
        assertThat(store.load()).isEqualTo(new HardState(1, 2, 0));
        saver.onHardState(new HardState(1, 2, 5), 2 * MS, 100);
        saver.maybeSaveCommit(10 * MS, 100);
        assertThat(store.load().commitIndex()).as("within the interval of the last save").isZero();
        saver.maybeSaveCommit(11 * MS, 100);
        assertThat(store.load()).isEqualTo(new HardState(1, 2, 5));
        assertThat(saver.saved()).isEqualTo(store.load());
    }

    @Test
    void aCleanStopSavesTheRememberedCommit() {
        saver.onHardState(new HardState(0, 0, 3), 1 * MS, 100);
        assertThat(store.load().commitIndex()).isZero();
        saver.saveUnsavedCommit(2 * MS, 100);
        assertThat(store.load().commitIndex()).isEqualTo(3);
    }

    @Test
    void theTermNeverGoesBack() {
        saver.onHardState(new HardState(3, 1, 0), 1 * MS, 100);
        assertThatThrownBy(() -> saver.onHardState(new HardState(2, 1, 0), 2 * MS, 100))
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("hard state term went back");
        assertThat(store.load().term()).isEqualTo(3);
    }

    @Test
    void theSavedCommitNeverPassesTheDurableLog() {
        // quorum-fsync with the log synced off the agent thread: committed entries may not be on this disk yet
        saver.onHardState(new HardState(1, 2, 9), 1 * MS, 4);
        assertThat(store.load()).as("vote saved at once, commit clipped").isEqualTo(new HardState(1, 2, 4));
        saver.maybeSaveCommit(20 * MS, 4);
        assertThat(store.load().commitIndex()).as("nothing new is durable").isEqualTo(4);
        saver.maybeSaveCommit(40 * MS, 7);
        assertThat(store.load().commitIndex()).isEqualTo(7);
        saver.saveUnsavedCommit(41 * MS, 12);
        assertThat(store.load()).isEqualTo(new HardState(1, 2, 9));
    }
}
