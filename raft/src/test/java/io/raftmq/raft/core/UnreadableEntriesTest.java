package io.raftmq.raft.core;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.LogCompactedException;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.message.InstallSnapshot;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.VoteResponse;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.statemachine.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a leader whose log cannot serve entries a follower needs although they are still in its range (the port
 * answers {@link LogCompactedException}: the broker's log does so for records below its snapshot that fail their
 * check on read) sends its snapshot instead and goes on leading, rather than failing its cycle. Method: a leader
 * with entries 1..6 whose log refuses to read entries 1..4 and a snapshot at 4, an empty follower; messages are
 * exchanged by hand until quiet.
 */
class UnreadableEntriesTest {
    private static final int APP = Entry.TYPE_APPLICATION_MIN;

    /** A log that answers reads starting at or below {@code unreadableMax} as compacted. */
    private static final class DamagedLog implements RaftLog {
        final MemoryRaftLog log = new MemoryRaftLog();
        final long unreadableMax;
        int refused;

        DamagedLog(long unreadableMax) {
            this.unreadableMax = unreadableMax;
        }

        @Override
        public long firstIndex() {
            return log.firstIndex();
        }

        @Override
        public long lastIndex() {
            return log.lastIndex();
        }

        @Override
        public long term(long index) {
            return log.term(index);
        }

        @Override
        public List<Entry> entries(long lo, long hi, long maxBytes) {
            if (lo <= unreadableMax) {
                refused++;
                throw new LogCompactedException(lo, unreadableMax + 1);
            }
            return log.entries(lo, hi, maxBytes);
        }

        @Override
        public void append(List<Entry> entries) {
            log.append(entries);
        }

        @Override
        public void truncateSuffix(long fromIndex) {
            log.truncateSuffix(fromIndex);
        }

        @Override
        public void resetToSnapshot(long index, long term) {
            log.resetToSnapshot(index, term);
        }

        @Override
        public void sync() {
            log.sync();
        }
    }

    @Test
    void aFollowerNeedingUnreadableEntriesGetsTheSnapshot() {
        DamagedLog leaderLog = new DamagedLog(4);
        for (int i = 1; i <= 6; i++) {
            leaderLog.append(List.of(new Entry(1, i, APP, new byte[] {(byte) i})));
        }
        leaderLog.sync();
        Snapshot snap = new Snapshot(4, 1, new byte[] {42});
        RaftConfig config = new RaftConfig(1, 10, 2, 4, 1 << 20, 8, 1000, false, false);
        RaftNode leader = new RaftNode(config, MajorityConfig.of(1, 2, 3), leaderLog, new HardState(1, 0, 6), 6,
            bound -> 0, () -> snap);
        for (int i = 0; i < 20 && leader.role() != Role.CANDIDATE; i++) {
            leader.tick();
        }
        SyncedDriver.persist(leader, leaderLog);
        leader.step(new VoteResponse(3, 1, leader.term(), false, true));
        assertThat(leader.role()).isEqualTo(Role.LEADER);

        MemoryRaftLog followerLog = new MemoryRaftLog();
        RaftNode follower = new RaftNode(new RaftConfig(2, 10, 2, 4, 1 << 20, 8, 1000, false, false),
            MajorityConfig.of(1, 2, 3), followerLog, new HardState(0, 0, 0), 0, bound -> 0, () -> null);
        List<RaftMessage> inFlight = new ArrayList<>(SyncedDriver.persist(leader, leaderLog));
        boolean snapshotSeen = false;
        for (int round = 0; round < 20 && !inFlight.isEmpty(); round++) {
            List<RaftMessage> next = new ArrayList<>();
            for (RaftMessage m : inFlight) {
                if (m.to() == 2) {
                    snapshotSeen |= m instanceof InstallSnapshot;
                    follower.step(m);
                    next.addAll(SyncedDriver.persist(follower, followerLog));
                } else if (m.to() == 1) {
                    leader.step(m);
                    next.addAll(SyncedDriver.persist(leader, leaderLog));
                }
            }
            inFlight = next;
        }
        assertThat(leaderLog.refused).as("the leader tried to read the unreadable entries").isPositive();
        assertThat(snapshotSeen).isTrue();
        assertThat(leader.role()).isEqualTo(Role.LEADER);
        assertThat(followerLog.firstIndex()).as("the follower restarts after the snapshot").isEqualTo(5);
        assertThat(followerLog.lastIndex()).isEqualTo(leader.lastIndex());
        assertThat(leader.commitIndex()).as("the follower's acknowledgement commits the no-op").isEqualTo(7);
    }
}
