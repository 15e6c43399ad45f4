package io.raftmq.tools.dashboard;

import io.raftmq.client.admin.ClusterStatus;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The /api/state shape the page and docs/dashboard.md rely on, byte for byte for a known view. */
class DashboardJsonTest {
    @Test
    void rendersTheDocumentedShape() {
        ClusterStatus.Member n0 = new ClusterStatus.Member("127.0.0.1:10911", 0, true, "LEADER", "n0", 2, 7, 7, 8,
            "127.0.0.1:10911", null);
        ClusterStatus.Member n1 = new ClusterStatus.Member("127.0.0.1:10921", 1, false, null, "n1", -1, -1, -1, -1,
            "", "refused");
        ClusterStatus s = new ClusterStatus(List.of(new ClusterStatus.Group("c", "g", "127.0.0.1:10911",
            List.of(n0, n1))));
        ClusterPoller.Sample sample = new ClusterPoller.Sample(5, mapOf("n0", 7L, "n1", null),
            mapOf("n0", 0L, "n1", null));
        ClusterPoller.View v = new ClusterPoller.View(5, null, s, Map.of("g", List.of(sample)),
            Map.of("g", List.of(new ClusterPoller.LeaderChange(5, "n0", "127.0.0.1:10911", 2))));

        assertThat(DashboardJson.render(v)).isEqualTo("{\"time\":5,\"error\":null,\"groups\":[{\"cluster\":\"c\","
            + "\"name\":\"g\",\"leader\":\"n0\",\"term\":2,\"members\":[{\"id\":\"n0\",\"address\":\"127.0.0.1:10911\","
            + "\"role\":\"LEADER\",\"term\":2,\"commitIndex\":7,\"appliedIndex\":7,\"lastIndex\":8,\"lag\":0,"
            + "\"reachable\":true,\"error\":null},{\"id\":\"n1\",\"address\":\"127.0.0.1:10921\",\"role\":"
            + "\"UNREACHABLE\",\"term\":-1,\"commitIndex\":-1,\"appliedIndex\":-1,\"lastIndex\":-1,\"lag\":null,"
            + "\"reachable\":false,\"error\":\"refused\"}],\"history\":{\"time\":[5],\"commit\":{\"n0\":[7],"
            + "\"n1\":[null]},\"lag\":{\"n0\":[0],\"n1\":[null]}},\"leaderChanges\":[{\"time\":5,\"id\":\"n0\","
            + "\"address\":\"127.0.0.1:10911\",\"term\":2}]}]}");
    }

    private static Map<String, Long> mapOf(String k1, Long v1, String k2, Long v2) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put(k1, v1);
        m.put(k2, v2);
        return m;
    }
}
