package io.raftmq.raft.log;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the in-memory log honours the {@link RaftLog} contract and models a disk faithfully: a crash loses
 * unsynced appends and reverts unsynced truncations. Method: scripted appends, truncations, syncs and crashes.
 */
class MemoryRaftLogTest {
    private static Entry e(long term, long index) {
        return new Entry(term, index, Entry.TYPE_APPLICATION_MIN, new byte[] {(byte) index});
    }

    @Test
    void crashLosesUnsyncedAppends() {
        MemoryRaftLog log = new MemoryRaftLog();
        log.append(List.of(e(1, 1), e(1, 2)));
        log.sync();
        log.append(List.of(e(1, 3)));
        assertThat(log.durableLastIndex()).isEqualTo(2);
        log.crash();
        assertThat(log.lastIndex()).isEqualTo(2);
    }

    @Test
    void crashRevertsUnsyncedTruncation() {
        MemoryRaftLog log = new MemoryRaftLog();
        log.append(List.of(e(1, 1), e(1, 2), e(1, 3)));
        log.sync();
        log.write(List.of(e(2, 2)));
        assertThat(log.term(2)).isEqualTo(2);
        assertThat(log.lastIndex()).isEqualTo(2);
        log.crash();
        assertThat(log.lastIndex()).isEqualTo(3);
        assertThat(log.term(2)).isEqualTo(1);
        assertThat(log.term(3)).isEqualTo(1);
    }

    @Test
    void entriesRespectBytesButReturnAtLeastOne() {
        MemoryRaftLog log = new MemoryRaftLog();
        log.append(List.of(e(1, 1), e(1, 2), e(1, 3)));
        assertThat(log.entries(1, 4, 1)).hasSize(1);
        assertThat(log.entries(1, 4, 2 * (Entry.OVERHEAD_BYTES + 1))).hasSize(2);
        assertThat(log.entries(2, 2, 100)).isEmpty();
    }

    @Test
    void compactionAndResetMoveTheFirstIndex() {
        MemoryRaftLog log = new MemoryRaftLog();
        log.append(List.of(e(1, 1), e(2, 2), e(2, 3)));
        log.sync();
        log.compact(2);
        assertThat(log.firstIndex()).isEqualTo(3);
        assertThat(log.term(2)).isEqualTo(2);
        assertThatThrownBy(() -> log.term(1)).isInstanceOf(LogCompactedException.class);
        assertThatThrownBy(() -> log.entries(2, 3, 100)).isInstanceOf(LogCompactedException.class);
        log.resetToSnapshot(10, 4);
        assertThat(log.firstIndex()).isEqualTo(11);
        assertThat(log.lastIndex()).isEqualTo(10);
        assertThat(log.term(10)).isEqualTo(4);
        log.crash();
        assertThat(log.lastIndex()).isEqualTo(10);
    }

    @Test
    void rejectsGapsAndTermRegressions() {
        MemoryRaftLog log = new MemoryRaftLog();
        assertThatThrownBy(() -> log.append(List.of(e(1, 2)))).isInstanceOf(IllegalArgumentException.class);
        log.append(List.of(e(2, 1)));
        assertThatThrownBy(() -> log.append(List.of(e(1, 2)))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.compact(1)).as("unsynced entries cannot be compacted")
            .isInstanceOf(IllegalArgumentException.class);
    }
}
