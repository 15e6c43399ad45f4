package io.raftmq.tools.admin;

import io.raftmq.client.admin.ClusterStatus;
import io.raftmq.client.admin.ConsumerProgress;
import io.raftmq.client.admin.MessageView;
import io.raftmq.client.admin.NameServerView;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.TopicOffset;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.body.TopicStatsTable;
import io.raftmq.client.protocol.json.JsonWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the JSON each command prints with {@code --output json} keeps the shape docs/admin.md documents, key for key
 * and in order, with explicit nulls for what is unknown, so scripts parsing it do not break silently. Method: each
 * command's JSON writer on fixed values, compared byte for byte with the golden files under
 * {@code src/test/resources/admin-json/} (the actual text is also written to {@code target/admin-json/} for review
 * when a shape changes on purpose).
 */
class AdminJsonShapeTest {
    private static final MessageQueue Q0 = new MessageQueue("Orders", "broker-a", 0);
    private static final MessageQueue Q1 = new MessageQueue("Orders", "broker-a", 1);

    private static void assertGolden(String name, JsonWriter w) throws IOException {
        String actual = w.toString();
        Path out = Path.of("target", "admin-json", name);
        Files.createDirectories(out.getParent());
        Files.writeString(out, actual);
        try (InputStream in = AdminJsonShapeTest.class.getResourceAsStream("/admin-json/" + name)) {
            assertThat(in).as("golden file admin-json/%s (actual in %s)", name, out).isNotNull();
            assertThat(actual).isEqualTo(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
        }
    }

    @Test
    void cluster() throws IOException {
        ClusterStatus.Member l = new ClusterStatus.Member("127.0.0.1:10911", 0, true, "LEADER", "n0", 4, 120, 120,
            121, "127.0.0.1:10911", null);
        ClusterStatus.Member f = new ClusterStatus.Member("127.0.0.1:10921", 1, true, "FOLLOWER", "n1", 4, 118, 118,
            119, "127.0.0.1:10911", null);
        ClusterStatus.Member d = new ClusterStatus.Member("127.0.0.1:10931", 2, false, null, null, -1, -1, -1, -1,
            null, "no answer from 127.0.0.1:10931");
        ClusterStatus s = new ClusterStatus(List.of(new ClusterStatus.Group("DefaultCluster", "broker-a",
            "127.0.0.1:10911", List.of(l, f, d))));
        assertGolden("cluster.json", ClusterCommand.json(s, Map.of("127.0.0.1:10911", "127.0.0.1:9000",
            "127.0.0.1:10921", "127.0.0.1:9001")));
    }

    @Test
    void topicRouteAndStats() throws IOException {
        TopicRouteData r = new TopicRouteData(null, List.of(new QueueData("broker-a", 2, 2, 6, 0)),
            List.of(new BrokerData("DefaultCluster", "broker-a", new TreeMap<>(Map.of(0L, "127.0.0.1:10911")), null,
                false)), null);
        assertGolden("topic-route.json", TopicCommands.routeJson("Orders", r));
        TopicStatsTable t = new TopicStatsTable(new TreeMap<>(Map.of(Q0, new TopicOffset(0, 5, 1_700_000_000_123L),
            Q1, new TopicOffset(2, 4, 0))), 1.5);
        assertGolden("topic-stats.json", TopicCommands.statsJson("Orders", t, 7));
    }

    @Test
    void groupProgress() throws IOException {
        ConsumerProgress p = new ConsumerProgress("OrdersCG", List.of(
            new ConsumerProgress.Queue(Q0, 5, 3, 1_700_000_000_123L), new ConsumerProgress.Queue(Q1, 4, 4, 0)));
        assertGolden("group-progress.json", GroupCommands.progressJson(p, "Orders"));
    }

    @Test
    void messages() throws IOException {
        MessageView text = new MessageView("Orders", "broker-a", 1, 2,
            1694, "C000020202EB1EE2AFDD2279ABCA0005", "7F00000100002A9F000000000000069E", 1_700_000_000_000L,
            1_700_000_000_123L, 0, 0, 0, new TreeMap<>(Map.of("TAGS", "TagA", "KEYS", "k1 k2",
            "UNIQ_KEY", "C000020202EB1EE2AFDD2279ABCA0005")), "hello \"admin\"\n".getBytes(StandardCharsets.UTF_8));
        MessageView binary = new MessageView("Orders", "broker-a", 0,
            0, 0, "7F00000100002A9F0000000000000000", "7F00000100002A9F0000000000000000", 1, 2, 1, 0, 0,
            new TreeMap<>(), new byte[] {0, 1, 2, (byte) 0xFF});
        assertGolden("message-get.json", MessageCommands.json(List.of(text, binary)));
    }

    @Test
    void naming() throws IOException {
        NameServerView up = new NameServerView("127.0.0.1:9876", true, List.of(new BrokerData("DefaultCluster",
            "broker-a", new TreeMap<>(Map.of(0L, "127.0.0.1:10911", 1L, "127.0.0.1:10921")), null, false)),
            List.of("Orders", "TBW102"), null);
        NameServerView down = new NameServerView("127.0.0.1:9877", false, List.of(), List.of(),
            "no answer from 127.0.0.1:9877");
        assertGolden("naming-list.json", NamingCommands.json(List.of(up, down)));
    }
}
