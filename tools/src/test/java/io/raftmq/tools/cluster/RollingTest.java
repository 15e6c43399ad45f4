package io.raftmq.tools.cluster;

import io.raftmq.tools.cluster.ClusterProbe.MemberState;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pure parts of the rolling restart: the order (followers, down members included, in the given order, then the
 * leader: leadership moves once) and the caught-up verdict of {@code await --caught-up} (every member applied the
 * index the leader had committed, else one line naming who lags).
 */
class RollingTest {
    private static MemberState member(String name, String role, long applied) {
        return new MemberState(name, "127.0.0.1:1", role, 2, applied, applied, "", null);
    }

    @Test
    void followersFirstTheLeaderLast() {
        List<MemberState> states = List.of(member("n0", "LEADER", 9), member("n1", "FOLLOWER", 9),
            new MemberState("n2", "127.0.0.1:2", "DOWN", -1, -1, -1, "", "Connection refused"));
        assertThat(Rolling.order(states)).containsExactly("n1", "n2", "n0");
        assertThat(Rolling.order(List.of(member("n0", "FOLLOWER", 1), member("n1", "CANDIDATE", 1))))
            .containsExactly("n0", "n1");
    }

    @Test
    void caughtUpNamesTheMembersThatLag() {
        List<MemberState> states = List.of(member("n0", "LEADER", 12), member("n1", "FOLLOWER", 10),
            member("n2", "FOLLOWER", 7));
        assertThat(Readiness.caughtUp(states, 7)).isNull();
        assertThat(Readiness.caughtUp(states, 10)).isEqualTo("not caught up to index 10: n2 applied 7");
        assertThat(Readiness.caughtUp(states, 11)).isEqualTo("not caught up to index 11: n1 applied 10, n2 applied 7");
    }
}
