package io.raftmq.raft.core.progress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: per-follower flow control behaves as documented. Method: drive {@link Progress} and {@link Inflights}
 * through probe, replicate (pipelining up to the inflight limit) and snapshot, including stale rejections.
 */
class ProgressTest {

    @Test
    void probeSendsOneAppendUntilAnswered() {
        Progress p = new Progress(5, 2);
        assertThat(p.paused()).isFalse();
        p.sentAppend(4, false);
        assertThat(p.paused()).isTrue();
        p.heartbeatAcknowledged();
        assertThat(p.paused()).isFalse();
    }

    @Test
    void replicatePipelinesUpToTheInflightLimit() {
        Progress p = new Progress(1, 2);
        assertThat(p.maybeUpdate(0)).isFalse();
        p.becomeReplicate();
        p.sentAppend(3, true);
        p.sentAppend(6, true);
        assertThat(p.next()).isEqualTo(7);
        assertThat(p.paused()).isTrue();
        assertThat(p.maybeUpdate(3)).isTrue();
        p.inflights().freeLE(3);
        assertThat(p.paused()).isFalse();
        assertThat(p.inflights().count()).isEqualTo(1);
    }

    @Test
    void staleRejectionsAreIgnored() {
        Progress p = new Progress(10, 4);
        p.sentAppend(9, false);
        assertThat(p.maybeDecreaseTo(5, 3)).as("rejects an index we did not probe").isFalse();
        assertThat(p.maybeDecreaseTo(9, 3)).isTrue();
        assertThat(p.next()).isEqualTo(4);
        p.maybeUpdate(3);
        p.becomeReplicate();
        assertThat(p.maybeDecreaseTo(2, 0)).as("at or below match is stale in replicate").isFalse();
    }

    @Test
    void snapshotPausesUntilInstalled() {
        Progress p = new Progress(3, 4);
        p.becomeSnapshot(50);
        assertThat(p.paused()).isTrue();
        p.maybeUpdate(50);
        p.becomeProbe();
        assertThat(p.next()).isEqualTo(51);
    }

    @Test
    void inflightsRejectOverflowAndNonIncreasingIndexes() {
        Inflights in = new Inflights(2);
        in.add(3);
        assertThatThrownBy(() -> in.add(3)).isInstanceOf(IllegalStateException.class);
        in.add(5);
        assertThatThrownBy(() -> in.add(9)).isInstanceOf(IllegalStateException.class);
        in.freeFirstOne();
        in.add(9);
        in.freeLE(100);
        assertThat(in.count()).isZero();
    }
}
