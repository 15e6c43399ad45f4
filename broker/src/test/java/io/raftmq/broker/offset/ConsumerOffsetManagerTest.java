package io.raftmq.broker.offset;

import io.raftmq.broker.entry.ConsumerOffsetCodec;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.OffsetUpdate;
import io.raftmq.broker.entry.ProposalFailedException;
import io.raftmq.broker.metadata.FakeProposer;
import io.raftmq.broker.metadata.Fixture;
import io.raftmq.raft.driver.NotLeaderException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: offset commits are coalesced (last writer wins per queue) into entries of at most batchUpdatesMax updates,
 * the pending table and the in-flight entries are bounded, reads see applied state only (but a consumer's own
 * commit, queryLatest), followers refuse, and a failed proposal fails its waiters. Method: a {@link FakeProposer}
 * that can hold proposals; flush driven by hand.
 */
class ConsumerOffsetManagerTest {
    @Test
    void commitsCoalesceLastWriterWinsAndAreVisibleOnlyWhenApplied() {
        Fixture f = Fixture.leader();
        CompletableFuture<Void> a = f.offsets.commit("G", "T", 0, 5);
        CompletableFuture<Void> b = f.offsets.commit("G", "T", 0, 9);
        f.offsets.commit("G", "T", 1, 3);
        assertThat(f.offsets.query("G", "T", 0)).as("pending is not visible").isEqualTo(-1);
        assertThat(a).isNotDone();
        assertThat(f.offsets.flush()).isEqualTo(1);
        assertThat(a).isCompleted();
        assertThat(b).isCompleted();
        assertThat(f.offsets.query("G", "T", 0)).isEqualTo(9);
        assertThat(f.offsets.queueOffsets("G", "T")).containsExactly(java.util.Map.entry(0, 9L),
                java.util.Map.entry(1, 3L));
        List<FakeProposer.Logged> log = f.proposer.log();
        assertThat(log).hasSize(1);
        assertThat(log.get(0).type()).isEqualTo(EntryType.CONSUMER_OFFSETS);
        assertThat(ConsumerOffsetCodec.decode(log.get(0).payload())).containsExactly(
                new OffsetUpdate("G", "T", 0, 9), new OffsetUpdate("G", "T", 1, 3));
        assertThat(f.offsets.flush()).as("nothing pending").isZero();
        assertThat(f.offsets.topicsOf("G")).containsExactly("T");
        assertThat(f.offsets.groupsOf("T")).containsExactly("G");
    }

    @Test
    void queryLatestReadsOwnCommitsWhilePendingAndProposedAndForgetsFailedOnes() {
        Fixture f = Fixture.leader();
        f.proposer.hold(true);
        f.offsets.commit("G", "T", 0, 7);
        assertThat(f.offsets.query("G", "T", 0)).isEqualTo(-1);
        assertThat(f.offsets.queryLatest("G", "T", 0)).as("pending").isEqualTo(7);
        f.offsets.flush();
        assertThat(f.offsets.queryLatest("G", "T", 0)).as("proposed, not applied").isEqualTo(7);
        f.proposer.releaseAll();
        assertThat(f.offsets.query("G", "T", 0)).isEqualTo(7);
        assertThat(f.offsets.queryLatest("G", "T", 0)).isEqualTo(7);
        f.offsets.commit("G", "T", 0, 3);
        f.offsets.flush();
        f.proposer.failAll(new IllegalStateException("lost leadership"));
        assertThat(f.offsets.queryLatest("G", "T", 0)).as("a failed proposal is forgotten").isEqualTo(7);
    }

    @Test
    void entriesNeverExceedBatchUpdatesMax() {
        Fixture f = new Fixture(true, 3, 10, 4);
        f.proposer.attach(f.sm);
        for (int q = 0; q < 8; q++) {
            f.offsets.commit("G", "T", q, q);
        }
        assertThat(f.offsets.flush()).isEqualTo(3);
        assertThat(f.proposer.log()).extracting(l -> ConsumerOffsetCodec.decode(l.payload()).size())
                .containsExactly(3, 3, 2);
        assertThat(f.offsets.queueOffsets("G", "T")).hasSize(8);
    }

    @Test
    void pendingTableIsBoundedButExistingKeysStillUpdate() {
        Fixture f = new Fixture(true, 2, 4, 1);
        f.proposer.attach(f.sm);
        for (int q = 0; q < 4; q++) {
            assertThat(f.offsets.commit("G", "T", q, 1)).isNotCompletedExceptionally();
        }
        assertThatThrownBy(() -> f.offsets.commit("G", "T", 4, 1).join())
                .hasCauseInstanceOf(OffsetBacklogFullException.class);
        assertThat(f.offsets.commit("G", "T", 3, 2)).isNotCompletedExceptionally();
        assertThat(f.offsets.commitsRefused()).isEqualTo(1);
        assertThat(f.offsets.pendingCount()).isEqualTo(4);
    }

    @Test
    void inflightEntriesBoundDrains() {
        Fixture f = new Fixture(true, 2, 8, 2);
        f.proposer.attach(f.sm);
        f.proposer.hold(true);
        f.offsets.commit("G", "T", 0, 1);
        assertThat(f.offsets.flush()).isEqualTo(1);
        f.offsets.commit("G", "T", 1, 1);
        f.offsets.commit("G", "T", 2, 1);
        f.offsets.commit("G", "T", 3, 1);
        assertThat(f.offsets.flush()).as("1 in flight + 2 chunks > 2: wait").isZero();
        assertThat(f.offsets.inflightCount()).isEqualTo(1);
        assertThat(f.proposer.heldCount()).isEqualTo(1);
        f.proposer.releaseAll();
        assertThat(f.offsets.inflightCount()).isZero();
        assertThat(f.offsets.flush()).isEqualTo(2);
        f.proposer.releaseAll();
        assertThat(f.offsets.queueOffsets("G", "T")).hasSize(4);
    }

    @Test
    void followerRefusesAndFailedProposalFailsWaiters() {
        Fixture f = Fixture.leader();
        f.proposer.leader(false);
        assertThatThrownBy(() -> f.offsets.commit("G", "T", 0, 1).join()).hasCauseInstanceOf(NotLeaderException.class);
        f.proposer.leader(true);
        f.proposer.hold(true);
        CompletableFuture<Void> w = f.offsets.commit("G", "T", 0, 1);
        f.offsets.flush();
        f.proposer.failAll(new ProposalFailedException("timeout"));
        assertThatThrownBy(w::join).hasCauseInstanceOf(ProposalFailedException.class);
        assertThat(f.offsets.inflightCount()).isZero();
        assertThat(f.offsets.query("G", "T", 0)).isEqualTo(-1);
    }

    @Test
    void snapshotRestoreRoundTrip() {
        Fixture f = Fixture.leader();
        f.offsets.commit("G", "T", 0, 1);
        f.offsets.commit("A", "%RETRY%A", 0, 2);
        f.offsets.flush();
        Fixture g = Fixture.member();
        g.offsets.restore(f.offsets.snapshot());
        assertThat(g.offsets.snapshot()).isEqualTo(f.offsets.snapshot());
        assertThat(g.offsets.query("A", "%RETRY%A", 0)).isEqualTo(2);
    }
}
