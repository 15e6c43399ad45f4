package io.raftmq.raft.core.quorum;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the quorum math is right for any configuration. Method: jqwik properties compare
 * {@link MajorityConfig#committedIndex} and {@link MajorityConfig#voteResult} with brute-force definitions
 * (the largest index acknowledged by at least a majority; a vote is won/lost once no outcome of the missing
 * votes can change it), plus edge cases.
 */
class MajorityConfigTest {

    @Property
    void committedIndexIsTheLargestIndexAMajorityAcknowledged(
        @ForAll @Size(min = 1, max = 7) List<@LongRange(min = 0, max = 20) Long> acked) {
        long[] ids = new long[acked.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i + 1;
        }
        MajorityConfig c = MajorityConfig.of(ids);
        long expected = 0;
        for (long candidate = 0; candidate <= 20; candidate++) {
            long finalCandidate = candidate;
            long count = acked.stream().filter(a -> a >= finalCandidate).count();
            if (count * 2 > acked.size()) {
                expected = candidate;
            }
        }
        assertThat(c.committedIndex(id -> acked.get((int) id - 1))).isEqualTo(expected);
    }

    @Property
    void voteResultMatchesBruteForce(@ForAll @Size(min = 1, max = 7) List<@IntRange(min = -1, max = 1) Integer> votes) {
        long[] ids = new long[votes.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i + 1;
        }
        MajorityConfig c = MajorityConfig.of(ids);
        long granted = votes.stream().filter(v -> v == 1).count();
        long missing = votes.stream().filter(v -> v == -1).count();
        boolean canWin = (granted + missing) * 2 > votes.size();
        boolean won = granted * 2 > votes.size();
        VoteResult expected = won ? VoteResult.WON : canWin ? VoteResult.PENDING : VoteResult.LOST;
        assertThat(c.voteResult(id -> votes.get((int) id - 1))).isEqualTo(expected);
    }

    @Test
    void rejectsEmptyDuplicateAndNonPositiveIds() {
        assertThatThrownBy(MajorityConfig::of).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MajorityConfig.of(1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MajorityConfig.of(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void quorumSizes() {
        assertThat(MajorityConfig.of(1).quorum()).isEqualTo(1);
        assertThat(MajorityConfig.of(1, 2).quorum()).isEqualTo(2);
        assertThat(MajorityConfig.of(1, 2, 3).quorum()).isEqualTo(2);
        assertThat(MajorityConfig.of(5, 4, 3, 2, 1).quorum()).isEqualTo(3);
        assertThat(MajorityConfig.of(3, 1, 2).voters()).containsExactly(1, 2, 3);
    }
}
