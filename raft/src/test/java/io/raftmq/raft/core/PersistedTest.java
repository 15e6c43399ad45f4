package io.raftmq.raft.core;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.VoteResponse;
import io.raftmq.raft.state.HardState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: written is not durable. A leader counts its own entries only once {@link RaftNode#persisted} reports
 * them, a follower's acknowledgement never claims more than was reported durable, and a report about entries a
 * truncation has since replaced changes nothing (docs/raft-driver.md, "Fsync off the agent thread"). Method: one
 * node over a {@link MemoryRaftLog}, driven by hand like a driver whose log syncer reports late.
 */
class PersistedTest {
    private static final int APP = Entry.TYPE_APPLICATION_MIN;

    private static RaftNode node(long id, MemoryRaftLog log, long term, long... voters) {
        RaftConfig config = new RaftConfig(id, 10, 2, 4, 1 << 20, 8, 1000, false, false);
        return new RaftNode(config, MajorityConfig.of(voters), log, new HardState(term, 0, 0), 0, bound -> 0,
            () -> null);
    }

    private static Entry entry(long term, long index) {
        return new Entry(term, index, APP, new byte[] {(byte) index});
    }

    /** Processes one Ready without syncing: write, advance; returns every message. */
    private static List<RaftMessage> write(RaftNode n, MemoryRaftLog log) {
        Ready r = n.ready();
        List<RaftMessage> out = new ArrayList<>(r.earlyMessages());
        log.write(r.entries());
        out.addAll(r.messages());
        n.advance(r);
        return out;
    }

    private static List<AppendEntriesResponse> acks(List<RaftMessage> messages) {
        List<AppendEntriesResponse> out = new ArrayList<>();
        for (RaftMessage m : messages) {
            if (m instanceof AppendEntriesResponse a && !a.reject()) {
                out.add(a);
            }
        }
        return out;
    }

    private static RaftNode leaderOfThree(MemoryRaftLog log) {
        RaftNode n = node(1, log, 0, 1, 2, 3);
        for (int i = 0; i < 20 && n.role() != Role.CANDIDATE; i++) {
            n.tick();
        }
        write(n, log); // the vote for itself
        n.step(new VoteResponse(2, 1, n.term(), false, true));
        assertThat(n.role()).isEqualTo(Role.LEADER);
        return n;
    }

    @Test
    void aLeaderCommitsOnlyOnceItsOwnEntriesAreReportedDurable() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode leader = leaderOfThree(log);
        write(leader, log); // the no-op 1@1
        leader.step(new AppendEntriesResponse(2, 1, 1, 1, false, 0, 0));
        assertThat(leader.commitIndex()).as("one follower plus the leader, but the leader's write is not durable")
            .isZero();
        assertThat(leader.durableIndex()).isZero();
        leader.persisted(1, 1);
        assertThat(leader.durableIndex()).isEqualTo(1);
        assertThat(leader.commitIndex()).isEqualTo(1);
    }

    @Test
    void twoFollowersCommitWithoutTheLeadersOwnSync() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode leader = leaderOfThree(log);
        write(leader, log);
        leader.step(new AppendEntriesResponse(2, 1, 1, 1, false, 0, 0));
        leader.step(new AppendEntriesResponse(3, 1, 1, 1, false, 0, 0));
        assertThat(leader.commitIndex()).as("a majority of durable copies, the leader's not among them").isEqualTo(1);
        assertThat(leader.durableIndex()).isZero();
    }

    @Test
    void aFollowerAcknowledgesOnlyWhatWasReportedDurable() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode follower = node(2, log, 1, 1, 2, 3);
        follower.step(new AppendEntries(1, 2, 1, 0, 0, List.of(entry(1, 1), entry(1, 2)), 0));
        assertThat(acks(write(follower, log))).isEmpty();
        // pipelined: the next batch is written while the first one's sync is in flight
        follower.step(new AppendEntries(1, 2, 1, 2, 1, List.of(entry(1, 3), entry(1, 4)), 0));
        assertThat(acks(write(follower, log))).isEmpty();
        follower.persisted(2, 1); // the sync that started after the first write
        List<AppendEntriesResponse> first = acks(write(follower, log));
        assertThat(first).containsExactly(new AppendEntriesResponse(2, 1, 1, 2, false, 0, 0));
        follower.persisted(4, 1);
        assertThat(acks(write(follower, log))).containsExactly(new AppendEntriesResponse(2, 1, 1, 4, false, 0, 0));
        // an append of entries it already holds durably is acknowledged at once
        follower.step(new AppendEntries(1, 2, 1, 2, 1, List.of(entry(1, 3)), 0));
        assertThat(acks(write(follower, log))).containsExactly(new AppendEntriesResponse(2, 1, 1, 3, false, 0, 0));
    }

    @Test
    void entriesWrittenAsLeaderAndNotYetDurableAreNotAcknowledgedAsFollower() {
        // Written while leading, then deposed before the sync: an append that finds them already in the log must
        // still wait for the report, though this Ready writes nothing.
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode n = leaderOfThree(log);
        write(n, log); // 1@1, not durable
        n.step(new AppendEntries(3, 1, 2, 0, 0, List.of(entry(1, 1)), 0)); // a leader of term 2 holds 1@1 too
        assertThat(n.role()).isEqualTo(Role.FOLLOWER);
        Ready r = n.ready();
        assertThat(r.entries()).as("nothing new to write").isEmpty();
        assertThat(acks(r.earlyMessages())).isEmpty();
        assertThat(acks(r.messages())).isEmpty();
        n.advance(r);
        n.persisted(1, 1);
        assertThat(acks(write(n, log))).containsExactly(new AppendEntriesResponse(1, 3, 2, 1, false, 0, 0));
    }

    @Test
    void aStaleReportAfterATruncationIsIgnored() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode follower = node(2, log, 1, 1, 2, 3);
        follower.step(new AppendEntries(1, 2, 1, 0, 0, List.of(entry(1, 1), entry(1, 2), entry(1, 3)), 0));
        write(follower, log); // 1@1 2@1 3@1, a sync reading this write starts now
        follower.persisted(1, 1);
        assertThat(follower.durableIndex()).isEqualTo(1);
        // a leader of term 2 replaces 2..3 before the sync of 3@1 reports
        follower.step(new AppendEntries(3, 2, 2, 1, 1, List.of(entry(2, 2), entry(2, 3)), 0));
        assertThat(follower.durableIndex()).as("the replacing entries are not durable").isEqualTo(1);
        List<AppendEntriesResponse> acks = acks(write(follower, log));
        assertThat(acks).isEmpty();
        follower.persisted(3, 1); // stale: it was about 3@1, which the log no longer holds
        assertThat(follower.durableIndex()).isEqualTo(1);
        assertThat(follower.hasReady()).as("no acknowledgement released by a stale report").isFalse();
        follower.persisted(3, 2);
        assertThat(follower.durableIndex()).isEqualTo(3);
        assertThat(acks(write(follower, log))).containsExactly(new AppendEntriesResponse(2, 3, 2, 3, false, 0, 0));
    }

    @Test
    void anAcknowledgementWaitingForReplacedEntriesIsDropped() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode follower = node(2, log, 1, 1, 2, 3);
        follower.step(new AppendEntries(1, 2, 1, 0, 0, List.of(entry(1, 1), entry(1, 2), entry(1, 3)), 0));
        write(follower, log);
        assertThat(follower.acknowledgementsWaiting()).isEqualTo(1);
        follower.step(new AppendEntries(3, 2, 2, 1, 1, List.of(entry(2, 2)), 0));
        assertThat(follower.acknowledgementsWaiting()).as("the ack of 3@1 (term 1) is gone; 2@2's waits")
            .isEqualTo(1);
        write(follower, log);
        follower.persisted(2, 2);
        assertThat(acks(write(follower, log))).as("only the acknowledgement of what the log holds now")
            .containsExactly(new AppendEntriesResponse(2, 3, 2, 2, false, 0, 0));
    }

    @Test
    void aReportPastTheWrittenLogIsClipped() {
        MemoryRaftLog log = new MemoryRaftLog();
        RaftNode follower = node(2, log, 1, 1, 2, 3);
        follower.step(new AppendEntries(1, 2, 1, 0, 0, List.of(entry(1, 1)), 0));
        write(follower, log);
        follower.step(new AppendEntries(1, 2, 1, 1, 1, List.of(entry(1, 2)), 0)); // stepped, not yet written
        follower.persisted(2, 1);
        assertThat(follower.durableIndex()).as("2@1 is not written yet: nothing past 1 counts").isEqualTo(1);
    }
}
