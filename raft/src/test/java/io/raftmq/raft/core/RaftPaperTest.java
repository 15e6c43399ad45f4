package io.raftmq.raft.core;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.InstallSnapshot;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.message.VoteResponse;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.statemachine.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: rules of the Raft paper and of the Ready contract that a simulation finds only by luck, each checked
 * directly on one {@link RaftNode}. Method: build nodes over prepared {@link MemoryRaftLog}s, feed messages by
 * hand and inspect the Ready batches.
 */
class RaftPaperTest {
    private static final int APP = Entry.TYPE_APPLICATION_MIN;

    private static RaftConfig config(long id, int batchEntriesMax) {
        return new RaftConfig(id, 10, 2, 4, 1 << 20, batchEntriesMax, 1000, false, false);
    }

    private static MemoryRaftLog log(long... terms) {
        MemoryRaftLog log = new MemoryRaftLog();
        for (int i = 0; i < terms.length; i++) {
            log.append(List.of(new Entry(terms[i], i + 1, APP, new byte[] {(byte) i})));
        }
        log.sync();
        return log;
    }

    private static RaftNode node(long id, MemoryRaftLog log, long term, int batchEntriesMax, long... voters) {
        return new RaftNode(config(id, batchEntriesMax), MajorityConfig.of(voters), log, new HardState(term, 0, 0),
            0, bound -> 0, () -> null);
    }

    /**
     * Processes Readys as a driver that syncs inside the cycle would (write, sync, advance, persisted) until none is
     * left (an acknowledgement leaves with the Ready after the report); returns all their messages.
     */
    private static void elect(RaftNode n, MemoryRaftLog log, long... voters) {
        for (int i = 0; i < 20 && n.role() != Role.CANDIDATE; i++) {
            n.tick();
        }
        SyncedDriver.persist(n, log);
        for (long v : voters) {
            n.step(new VoteResponse(v, n.id(), n.term(), false, true));
        }
        assertThat(n.role()).isEqualTo(Role.LEADER);
    }

    @Test
    void section5_4_2_previousTermEntryIsNotCommittedByCountingReplicas() {
        // Node 1 holds [1@1, 2@1]; after winning term 2 it appends its no-op 3@2. With one entry per append,
        // follower 2 receives only 2@1 first: a majority (1 and 2) then stores 2@1, yet it must not commit.
        MemoryRaftLog log1 = log(1, 1);
        RaftNode leader = node(1, log1, 1, 1, 1, 2, 3);
        elect(leader, log1, 2);
        SyncedDriver.persist(leader, log1);
        assertThat(leader.lastIndex()).isEqualTo(3);
        leader.step(new AppendEntriesResponse(2, 1, leader.term(), 2, false, 0, 0));
        assertThat(leader.commitIndex()).as("2@1 replicated on a majority but of an older term").isZero();
        leader.step(new AppendEntriesResponse(2, 1, leader.term(), 3, false, 0, 0));
        assertThat(leader.commitIndex()).as("the current-term no-op commits, and 2@1 with it").isEqualTo(3);
    }

    @Test
    void section5_4_1_voterRejectsACandidateWithALessUpToDateLog() {
        MemoryRaftLog log = log(1, 1);
        RaftNode voter = node(2, log, 1, 8, 1, 2, 3);
        voter.step(new RequestVote(1, 2, 2, 1, 1, false, false));
        Ready r = voter.ready();
        assertThat(r.messages()).containsExactly(new VoteResponse(2, 1, 2, false, false));
        voter.advance(r);
        voter.step(new RequestVote(3, 2, 2, 2, 1, false, false));
        r = voter.ready();
        assertThat(r.hardState().votedFor()).isEqualTo(3);
        assertThat(r.earlyMessages()).as("a granted vote waits for the vote to be durable").isEmpty();
        assertThat(r.messages()).containsExactly(new VoteResponse(2, 3, 2, false, true));
    }

    @Test
    void leaderCountsItsOwnEntriesOnlyAfterAdvance() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode solo = node(1, log, 0, 8, 1);
        for (int i = 0; i < 20 && solo.role() != Role.LEADER; i++) {
            solo.tick();
        }
        assertThat(solo.role()).isEqualTo(Role.LEADER);
        assertThat(solo.commitIndex()).as("no-op appended, not yet durable").isZero();
        Ready r = solo.ready();
        assertThat(r.entries()).hasSize(1);
        assertThat(r.mustSync()).isTrue();
        log.write(r.entries());
        log.sync();
        solo.advance(r);
        assertThat(solo.commitIndex()).as("written, not yet reported durable").isZero();
        solo.persisted(1, 1);
        assertThat(solo.commitIndex()).isEqualTo(1);
        ProposeResult p = solo.propose(APP, new byte[] {7});
        assertThat(p).isEqualTo(new ProposeResult.Accepted(2, 1));
        assertThat(solo.commitIndex()).isEqualTo(1);
        SyncedDriver.persist(solo, log);
        assertThat(solo.commitIndex()).isEqualTo(2);
    }

    @Test
    void followerAcknowledgesAppendsOnlyAfterPersistence() {
        MemoryRaftLog log = log(1);
        RaftNode follower = node(2, log, 1, 8, 1, 2, 3);
        Entry e = new Entry(1, 2, APP, new byte[] {1});
        follower.step(new AppendEntries(1, 2, 1, 1, 1, List.of(e), 1));
        Ready r = follower.ready();
        assertThat(r.entries()).containsExactly(e);
        assertThat(r.earlyMessages()).as("the acknowledgement waits for the entry to be durable").isEmpty();
        assertThat(r.messages()).isEmpty();
        assertThat(r.committedEntries()).hasSize(1);
        assertThatThrownBy(() -> follower.tick()).as("no input between ready and advance")
            .isInstanceOf(IllegalStateException.class);
        log.write(r.entries());
        follower.advance(r);
        assertThat(follower.hasReady()).as("written is not durable: nothing to send yet").isFalse();
        follower.persisted(2, 1);
        assertThat(follower.ready().earlyMessages()).containsExactly(new AppendEntriesResponse(2, 1, 1, 2, false, 0,
            0));
    }

    @Test
    void followerRejectsWithAHintThatSkipsTheConflictingTerm() {
        MemoryRaftLog log = log(1, 2, 2, 2);
        RaftNode follower = node(2, log, 3, 8, 1, 2, 3);
        follower.step(new AppendEntries(1, 2, 3, 6, 3, List.of(), 0));
        Ready r = follower.ready();
        assertThat(r.messages()).containsExactly(new AppendEntriesResponse(2, 1, 3, 6, true, 4, 2));
    }

    @Test
    void section7_followerBehindTheFirstRetainedIndexGetsASnapshotAndResumes() {
        MemoryRaftLog log1 = log(1, 1, 1, 1, 1);
        log1.compact(4);
        Snapshot snap = new Snapshot(4, 1, new byte[] {42});
        RaftNode leader = new RaftNode(config(1, 8), MajorityConfig.of(1, 2, 3), log1, new HardState(1, 0, 4), 4,
            bound -> 0, () -> snap);
        elect(leader, log1, 3);
        MemoryRaftLog log2 = new MemoryRaftLog();
        RaftNode follower = node(2, log2, 0, 8, 1, 2, 3);
        List<RaftMessage> inFlight = new ArrayList<>(SyncedDriver.persist(leader, log1));
        boolean snapshotSeen = false;
        for (int round = 0; round < 10 && !inFlight.isEmpty(); round++) {
            List<RaftMessage> next = new ArrayList<>();
            for (RaftMessage m : inFlight) {
                if (m.to() == 2) {
                    snapshotSeen |= m instanceof InstallSnapshot;
                    follower.step(m);
                    next.addAll(SyncedDriver.persist(follower, log2));
                } else if (m.to() == 1) {
                    leader.step(m);
                    next.addAll(SyncedDriver.persist(leader, log1));
                }
            }
            inFlight = next;
        }
        assertThat(snapshotSeen).isTrue();
        assertThat(log2.firstIndex()).as("follower log restarts after the snapshot").isEqualTo(5);
        assertThat(log2.lastIndex()).isEqualTo(leader.lastIndex());
        assertThat(leader.commitIndex()).as("the follower's acknowledgement commits the no-op").isEqualTo(6);
    }

    @Test
    void configRelationsAreValidated() {
        assertThatThrownBy(() -> new RaftConfig(1, 6, 2, 4, 1024, 8, 100, true, true))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeatTicks * 3");
        assertThatThrownBy(() -> new RaftConfig(0, 10, 2, 4, 1024, 8, 100, true, true))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RaftConfig(1, 10, 2, 0, 1024, 8, 100, true, true))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void proposalsNameTheLeaderAndRejectReservedTypes() {
        MemoryRaftLog log = log(1);
        RaftNode follower = node(2, log, 1, 8, 1, 2, 3);
        follower.step(new AppendEntries(1, 2, 1, 1, 1, List.of(), 1));
        assertThat(follower.propose(APP, new byte[0])).isEqualTo(new ProposeResult.NotLeader(1));
        assertThatThrownBy(() -> follower.propose(Entry.TYPE_NOOP, new byte[0]))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void restartRefusesACommitIndexPastTheLog() {
        MemoryRaftLog log = log(1);
        assertThatThrownBy(() -> new RaftNode(config(1, 8), MajorityConfig.of(1, 2, 3), log,
            new HardState(1, 0, 5), 0, bound -> 0, () -> null)).isInstanceOf(IllegalStateException.class);
    }
}
