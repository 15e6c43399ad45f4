package io.raftmq.tools.dashboard;

import io.raftmq.client.admin.ClusterStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dashboard's model: leader changes once per (leader, term), bounded history, lag, stale polls. */
class ClusterPollerTest {
    private final AtomicLong now = new AtomicLong(1_000);

    static ClusterStatus.Member member(String id, String role, long term, long last, boolean up) {
        return new ClusterStatus.Member("127.0.0.1:1" + id.substring(1) + "911", 0, up, up ? role : null, id,
            up ? term : -1, up ? last : -1, up ? last : -1, up ? last : -1, "", up ? null : "connect refused");
    }

    static ClusterStatus status(ClusterStatus.Member... ms) {
        return new ClusterStatus(List.of(new ClusterStatus.Group("c", "broker-a", null, List.of(ms))));
    }

    @Test
    void aLeaderChangeIsRecordedOncePerLeaderAndTerm() {
        ClusterPoller p = new ClusterPoller(10, 10, now::get);
        p.record(status(member("n0", "LEADER", 1, 10, true), member("n1", "FOLLOWER", 1, 8, true)));
        now.addAndGet(1000);
        p.record(status(member("n0", "LEADER", 1, 12, true), member("n1", "FOLLOWER", 1, 12, true)));
        now.addAndGet(1000);
        p.record(status(member("n0", "LEADER", 1, 12, false), member("n1", "CANDIDATE", 2, 12, true)));
        now.addAndGet(1000);
        p.record(status(member("n0", "LEADER", 1, 12, false), member("n1", "LEADER", 2, 13, true)));

        List<ClusterPoller.LeaderChange> changes = p.view().changes().get("broker-a");
        assertThat(changes).extracting(ClusterPoller.LeaderChange::selfId, ClusterPoller.LeaderChange::term,
            ClusterPoller.LeaderChange::timeMs).containsExactly(
                org.assertj.core.groups.Tuple.tuple("n0", 1L, 1_000L),
                org.assertj.core.groups.Tuple.tuple("n1", 2L, 4_000L));
    }

    @Test
    void lagIsEntriesBehindTheLeaderAndUnknownForASilentMember() {
        ClusterPoller p = new ClusterPoller(10, 10, now::get);
        p.record(status(member("n0", "LEADER", 3, 100, true), member("n1", "FOLLOWER", 3, 97, true),
            member("n2", "FOLLOWER", 3, 0, false)));
        ClusterPoller.Sample s = p.view().history().get("broker-a").get(0);
        assertThat(s.lag()).containsEntry("n0", 0L).containsEntry("n1", 3L).containsEntry("n2", null);
        assertThat(s.commit()).containsEntry("n0", 100L).containsEntry("n1", 97L).containsEntry("n2", null);
    }

    @Test
    void historyKeepsTheNewestSamplesOnly() {
        ClusterPoller p = new ClusterPoller(3, 2, now::get);
        for (int i = 0; i < 5; i++) {
            now.addAndGet(1000);
            p.record(status(member("n0", "LEADER", 1 + i, 10 + i, true)));
        }
        ClusterPoller.View v = p.view();
        assertThat(v.history().get("broker-a")).extracting(ClusterPoller.Sample::timeMs)
            .containsExactly(4_000L, 5_000L, 6_000L);
        assertThat(v.changes().get("broker-a")).extracting(ClusterPoller.LeaderChange::term).containsExactly(4L, 5L);
    }

    @Test
    void aFailedPollKeepsTheLastStatusMarkedStale() {
        ClusterPoller p = new ClusterPoller(10, 10, now::get);
        assertThat(p.view().error()).isEqualTo("no poll yet");
        p.record(status(member("n0", "LEADER", 1, 10, true)));
        assertThat(p.view().error()).isNull();
        now.addAndGet(1000);
        p.failed("namesrv 127.0.0.1:9876 unreachable");
        ClusterPoller.View v = p.view();
        assertThat(v.error()).isEqualTo("namesrv 127.0.0.1:9876 unreachable");
        assertThat(v.timeMs()).isEqualTo(2_000);
        assertThat(v.status().groups()).hasSize(1);
    }

    @Test
    void aMemberTheNameServerDroppedStaysListedAsNotRegistered() {
        ClusterPoller p = new ClusterPoller(10, 10, now::get);
        p.record(status(member("n0", "LEADER", 1, 10, true), member("n1", "FOLLOWER", 1, 10, true)));
        now.addAndGet(1000);
        p.record(status(member("n1", "LEADER", 2, 11, true)));
        List<ClusterStatus.Member> ms = p.view().status().groups().get(0).members();
        assertThat(ms).extracting(ClusterStatus.Member::selfId).containsExactly("n0", "n1");
        assertThat(ms.get(0).reachable()).isFalse();
        assertThat(ms.get(0).error()).isEqualTo(ClusterPoller.NOT_REGISTERED);
        assertThat(p.view().history().get("broker-a").get(1).lag()).containsEntry("n0", null).containsEntry("n1", 0L);
    }

    @Test
    void boundsMustBePositive() {
        assertThatThrownBy(() -> new ClusterPoller(0, 1, now::get)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("samplesMax");
    }
}
