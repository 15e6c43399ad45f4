package io.raftmq.client.route;

import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.TopicRouteData;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: routes are read as the official producer reads them (writable queues of writable brokers, brokers by name,
 * orderTopicConf first, TBW102 fallback capped), the cache picks the documented target for a group (routed leader,
 * hint, reachable member), and fault windows grow and end as documented. Deterministic: an injected clock.
 */
class RouteTest {
    /** A fastjson-style route (bare numeric keys, vector 13's form): b has no leader, c is read-only. */
    private static final String ROUTE = "{\"brokerDatas\":["
        + "{\"brokerAddrs\":{0:\"10.0.0.1:10911\",2:\"10.0.0.2:10911\"},\"brokerName\":\"b\",\"cluster\":\"c\"},"
        + "{\"brokerAddrs\":{0:\"10.0.1.1:10911\"},\"brokerName\":\"a\",\"cluster\":\"c\"},"
        + "{\"brokerAddrs\":{3:\"10.0.2.3:10911\"},\"brokerName\":\"x\",\"cluster\":\"c\"},"
        + "{\"brokerAddrs\":{0:\"10.0.3.1:10911\"},\"brokerName\":\"ro\",\"cluster\":\"c\"}],"
        + "\"filterServerTable\":{},\"queueDatas\":["
        + "{\"brokerName\":\"b\",\"perm\":6,\"readQueueNums\":2,\"topicSysFlag\":0,\"writeQueueNums\":2},"
        + "{\"brokerName\":\"a\",\"perm\":6,\"readQueueNums\":1,\"topicSysFlag\":0,\"writeQueueNums\":1},"
        + "{\"brokerName\":\"x\",\"perm\":7,\"readQueueNums\":8,\"topicSysFlag\":0,\"writeQueueNums\":8},"
        + "{\"brokerName\":\"ro\",\"perm\":4,\"readQueueNums\":4,\"topicSysFlag\":0,\"writeQueueNums\":4}]}";

    @Test
    void routeParsing() throws Exception {
        TopicRouteData data = TopicRouteData.decode(ROUTE.getBytes(StandardCharsets.UTF_8));
        TopicRoute r = TopicRoute.of("T", data);
        assertThat(r.writeQueues()).containsExactly(new MessageQueue("T", "a", 0), new MessageQueue("T", "b", 0),
            new MessageQueue("T", "b", 1), new MessageQueue("T", "x", 0), new MessageQueue("T", "x", 1),
            new MessageQueue("T", "x", 2), new MessageQueue("T", "x", 3), new MessageQueue("T", "x", 4),
            new MessageQueue("T", "x", 5), new MessageQueue("T", "x", 6), new MessageQueue("T", "x", 7));
        assertThat(r.leaders()).containsEntry("b", "10.0.0.1:10911").doesNotContainKey("x");
        assertThat(r.members().get("b")).containsExactly("10.0.0.1:10911", "10.0.0.2:10911");
        assertThat(r.provisional()).isFalse();
        TopicRoute p = TopicRoute.fromDefault("New", data, 4);
        assertThat(p.provisional()).isTrue();
        assertThat(p.writeQueues()).filteredOn(q -> q.brokerName().equals("x")).hasSize(4);
        TopicRouteData ordered = new TopicRouteData("a:2;b:1", data.queueDatas(), data.brokerDatas(), null);
        assertThat(TopicRoute.of("T", ordered).writeQueues()).containsExactly(new MessageQueue("T", "a", 0),
            new MessageQueue("T", "a", 1), new MessageQueue("T", "b", 0));
    }

    @Test
    void cachePicksTargets() throws Exception {
        AtomicLong now = new AtomicLong(1_000_000_000L);
        FaultTracker faults = new FaultTracker(50, 1000, now::get);
        RouteCache cache = new RouteCache();
        cache.update(TopicRoute.of("T", TopicRouteData.decode(ROUTE.getBytes(StandardCharsets.UTF_8))), now.get());
        assertThat(cache.leaderFor("b", faults)).isEqualTo("10.0.0.1:10911");
        assertThat(cache.leaderFor("x", faults)).as("no leader routed: a member").isEqualTo("10.0.2.3:10911");
        assertThat(cache.leaderFor("unknown", faults)).isNull();
        faults.markFailed("10.0.0.1:10911");
        assertThat(cache.leaderFor("b", faults)).as("routed leader faulty: a member").isEqualTo("10.0.0.2:10911");
        cache.hint("b", "10.0.0.9:10911");
        assertThat(cache.leaderFor("b", faults)).as("hint").isEqualTo("10.0.0.9:10911");
        assertThat(cache.members("b")).contains("10.0.0.9:10911");
        now.addAndGet(60_000_000L);
        assertThat(cache.leaderFor("b", faults)).as("a routed leader that failed stays behind the hint")
            .isEqualTo("10.0.0.9:10911");
        faults.markOk("10.0.0.1:10911");
        assertThat(cache.leaderFor("b", faults)).as("healthy routed leader again").isEqualTo("10.0.0.1:10911");
    }

    @Test
    void faultWindowsGrowAndEnd() {
        AtomicLong now = new AtomicLong();
        FaultTracker f = new FaultTracker(50, 300, now::get);
        assertThat(f.isAvailable("a")).isTrue();
        f.markFailed("a");
        assertThat(f.isAvailable("a")).isFalse();
        now.addAndGet(50_000_000L);
        assertThat(f.isAvailable("a")).isTrue();
        f.markFailed("a");
        now.addAndGet(99_000_000L);
        assertThat(f.isAvailable("a")).as("second window 100 ms").isFalse();
        now.addAndGet(1_000_000L);
        assertThat(f.isAvailable("a")).isTrue();
        assertThat(f.windowNs(3)).isEqualTo(200_000_000L);
        assertThat(f.windowNs(4)).as("capped").isEqualTo(300_000_000L);
        assertThat(f.windowNs(64)).isEqualTo(300_000_000L);
        assertThat(f.failures("a")).isEqualTo(2);
        f.markOk("a");
        assertThat(f.failures("a")).isZero();
        assertThat(f.isAvailable("a")).isTrue();
    }

    @Test
    void aFailureLongAfterTheLastWindowStartsANewSeries() {
        AtomicLong now = new AtomicLong();
        FaultTracker f = new FaultTracker(50, 300, now::get);
        for (int i = 0; i < 5; i++) {
            f.markFailed("b"); // a member that died: many failures, never a success (it came back as a follower)
        }
        assertThat(f.failures("b")).isEqualTo(5);
        now.addAndGet(300_000_000L + 300_000_000L); // its 300 ms window ended, then 300 ms more
        f.markFailed("b");
        assertThat(f.failures("b")).as("still within the maximum after the window").isEqualTo(6);
        now.addAndGet(300_000_000L + 300_000_001L);
        f.markFailed("b");
        assertThat(f.failures("b")).as("a new series").isEqualTo(1);
        now.addAndGet(49_000_000L);
        assertThat(f.isAvailable("b")).as("the first window again: 50 ms").isFalse();
        now.addAndGet(1_000_000L);
        assertThat(f.isAvailable("b")).isTrue();
    }
}
