package io.raftmq.tools.cluster;

import io.raftmq.tools.cluster.ClusterProbe.MemberState;
import io.raftmq.tools.cluster.ClusterProbe.Route;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verdicts behind {@code raftmq-cluster status} (all up, exactly one leader) and the wait of start and restart
 * (everyone follows that leader in its term and the NameServer routes it), each failure as one line naming what is
 * wrong; and the loopback-only guard of the probe.
 */
class ReadinessTest {
    private static final String NS = "127.0.0.1:9876";
    private static final String A0 = "127.0.0.1:10911";
    private static final String A1 = "127.0.0.1:10921";

    private static MemberState member(String name, String addr, String role, long term, String leaderAddr) {
        return new MemberState(name, addr, role, term, 5, 5, leaderAddr, null);
    }

    private static MemberState down(String name, String addr) {
        return new MemberState(name, addr, "DOWN", -1, -1, -1, "", "Connection refused");
    }

    @Test
    void upNeedsTheNameServerEveryMemberAndOneLeader() {
        Route routed = new Route(null, A0);
        List<MemberState> healthy = List.of(member("n0", A0, "LEADER", 2, A0), member("n1", A1, "FOLLOWER", 2, A0));
        assertThat(Readiness.up(NS, routed, healthy)).isNull();
        assertThat(Readiness.up(NS, new Route("Connection refused", null), healthy))
            .isEqualTo("NameServer 127.0.0.1:9876 unreachable: Connection refused");
        assertThat(Readiness.up(NS, routed, List.of(member("n0", A0, "LEADER", 2, A0), down("n1", A1))))
            .isEqualTo("n1 (127.0.0.1:10921) unreachable: Connection refused");
        assertThat(Readiness.up(NS, routed, List.of(member("n0", A0, "CANDIDATE", 3, ""),
            member("n1", A1, "FOLLOWER", 3, "")))).isEqualTo("no leader (n0 CANDIDATE term 3, n1 FOLLOWER term 3)");
        assertThat(Readiness.up(NS, routed, List.of(member("n0", A0, "LEADER", 2, A0),
            member("n1", A1, "LEADER", 3, A1)))).isEqualTo("2 leaders: n0 (term 2), n1 (term 3)");
    }

    @Test
    void settledAlsoNeedsEveryoneFollowingTheRoutedLeader() {
        List<MemberState> healthy = List.of(member("n0", A0, "LEADER", 2, A0), member("n1", A1, "FOLLOWER", 2, A0));
        assertThat(Readiness.settled(NS, "broker-a", new Route(null, A0), healthy)).isNull();
        assertThat(Readiness.settled(NS, "broker-a", new Route(null, A0), List.of(member("n0", A0, "LEADER", 2, A0),
            member("n1", A1, "FOLLOWER", 1, "")))).isEqualTo("n1 has not joined n0's term 2 yet (term 1, leader"
            + " unknown)");
        assertThat(Readiness.settled(NS, "broker-a", new Route(null, null), healthy))
            .isEqualTo("the NameServer routes no leader for broker-a, not yet n0 (127.0.0.1:10911)");
        assertThat(Readiness.settled(NS, "broker-a", new Route(null, A1), healthy))
            .startsWith("the NameServer routes 127.0.0.1:10921 for broker-a");
    }

    @Test
    void onlyLoopbackAddressesAreDialled() {
        assertThat(ClusterProbe.requireLoopback("127.0.0.1:9876")).isEqualTo("127.0.0.1:9876");
        assertThat(ClusterProbe.requireLoopback("127.0.0.3:10911")).isEqualTo("127.0.0.3:10911");
        assertThatThrownBy(() -> ClusterProbe.requireLoopback("10.1.2.3:9876"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a loopback address");
    }
}
