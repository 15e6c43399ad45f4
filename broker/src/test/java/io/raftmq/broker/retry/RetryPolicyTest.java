package io.raftmq.broker.retry;

import io.raftmq.broker.metadata.FakeProposer;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.processor.send.Placement;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.commitlog.message.MessageProperties;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the send-back and fallback decisions of docs/protocol.md §2.7 (DLQ at the maximum or a negative level,
 * level 3 + reconsumeTimes when 0, RETRY_TOPIC / ORIGIN_MESSAGE_ID kept when present), and that the route and the
 * send-back agree for every count (seeded sweep): the send-back's copy never gets moved again by the route.
 */
class RetryPolicyTest {
    private static String props(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return MessageProperties.encode(m);
    }

    private static SendMessageRequestHeader header(String topic, int reconsumeTimes, Integer max, String props) {
        return new SendMessageRequestHeader("pg", topic, null, 0, 0, 0, 1L, 0, props, reconsumeTimes, false, false,
            max, null);
    }

    @Test
    void sendBackDecisions() {
        assertThat(RetryPolicy.sendBack(0, 16, 0)).isEqualTo(new RetryPolicy.Target(false, 3));
        assertThat(RetryPolicy.sendBack(5, 16, 0)).isEqualTo(new RetryPolicy.Target(false, 8));
        assertThat(RetryPolicy.sendBack(5, 16, 2)).isEqualTo(new RetryPolicy.Target(false, 2));
        assertThat(RetryPolicy.sendBack(16, 16, 0).deadLetter()).isTrue();
        assertThat(RetryPolicy.sendBack(2, 2, 5).deadLetter()).isTrue();
        assertThat(RetryPolicy.sendBack(0, 16, -1).deadLetter()).isTrue();
        assertThat(RetryPolicy.maxReconsumeTimes(null, null)).isEqualTo(16);
        assertThat(RetryPolicy.maxReconsumeTimes(3, null)).isEqualTo(3);
    }

    @Test
    void sendBackPropertiesKeepOriginsAndSetOrClearDelay() {
        String p = RetryPolicy.sendBackProperties(props("KEYS", "k1", "DELAY", "2"), "T", "ID1",
            new RetryPolicy.Target(false, 4));
        assertThat(MessageProperties.decode(p)).containsEntry("KEYS", "k1").containsEntry("RETRY_TOPIC", "T")
            .containsEntry("ORIGIN_MESSAGE_ID", "ID1").containsEntry("DELAY", "4");
        String again = RetryPolicy.sendBackProperties(p, "%RETRY%g", "ID2", new RetryPolicy.Target(true, 0));
        assertThat(MessageProperties.decode(again)).containsEntry("RETRY_TOPIC", "T")
            .containsEntry("ORIGIN_MESSAGE_ID", "ID1").doesNotContainKey("DELAY");
    }

    @Test
    void routeMovesRetrySendsAboveTheMaximumToTheDeadLetterQueue() {
        FakeProposer proposer = new FakeProposer();
        SubscriptionGroupManager groups = new SubscriptionGroupManager(proposer, () -> 0L, true);
        RetryRoute route = new RetryRoute(groups);
        String p = props("DELAY", "5", "KEYS", "k");
        Placement at = new Placement("%RETRY%g", 0, p, 0);
        assertThat(route.route(header("%RETRY%g", 16, null, p), at)).isSameAs(at);
        Placement dlq = route.route(header("%RETRY%g", 17, null, p), at);
        assertThat(dlq.topic()).isEqualTo("%DLQ%g");
        assertThat(dlq.queueId()).isZero();
        assertThat(MessageProperties.decode(dlq.properties())).containsEntry("KEYS", "k").doesNotContainKey("DELAY");
        assertThat(route.route(header("%RETRY%g", 3, 2, p), at).topic()).isEqualTo("%DLQ%g");
        String withProps = props("RECONSUME_TIME", "3", "MAX_RECONSUME_TIMES", "2");
        assertThat(route.route(header("%RETRY%g", 0, null, withProps), new Placement("%RETRY%g", 0, withProps, 0))
            .topic()).as("counts from properties when the header has none").isEqualTo("%DLQ%g");
        Placement other = new Placement("T", 1, p, 0);
        assertThat(route.route(header("T", 99, 1, p), other)).isSameAs(other);
    }

    @Test
    void routeUsesTheGroupsRetryMaxTimes() {
        FakeProposer proposer = new FakeProposer();
        SubscriptionGroupManager groups = new SubscriptionGroupManager(proposer, () -> 0L, true);
        proposer.attach(new io.raftmq.broker.metadata.MetadataStateMachine(
            new io.raftmq.broker.metadata.TopicConfigManager(proposer, () -> 0L, true, 4), groups,
            new io.raftmq.broker.offset.ConsumerOffsetManager(proposer, 1000, 100, 100, 4)));
        SubscriptionGroupConfig d = SubscriptionGroupConfig.defaults("g");
        groups.createOrUpdate(new SubscriptionGroupConfig(d.groupName(), d.consumeEnable(), d.consumeFromMinEnable(),
            d.consumeBroadcastEnable(), d.consumeMessageOrderly(), d.retryQueueNums(), 1, d.groupRetryPolicyType(),
            d.brokerId(), d.whichBrokerWhenConsumeSlowly(), d.notifyConsumerIdsChangedEnable(), d.groupSysFlag(),
            d.consumeTimeoutMinute(), d.attributes())).join();
        RetryRoute route = new RetryRoute(groups);
        Placement at = new Placement("%RETRY%g", 0, "", 0);
        assertThat(route.route(header("%RETRY%g", 1, null, ""), at)).isSameAs(at);
        assertThat(route.route(header("%RETRY%g", 2, null, ""), at).topic()).isEqualTo("%DLQ%g");
    }

    @Test
    void theRouteNeverMovesASendBackCopy() {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("RetryPolicyTest seed=" + seed);
        Random r = new Random(seed);
        RetryRoute route = new RetryRoute(new SubscriptionGroupManager(new FakeProposer(), () -> 0L, true));
        for (int i = 0; i < 10_000; i++) {
            int times = r.nextInt(40);
            int max = r.nextInt(20);
            int level = r.nextInt(22) - 2;
            RetryPolicy.Target t = RetryPolicy.sendBack(times, max, level);
            String topic = t.deadLetter() ? "%DLQ%g" : "%RETRY%g";
            Placement p = new Placement(topic, 0, "", 0);
            assertThat(route.route(header(topic, times + 1, max, ""), p)).isSameAs(p);
            assertThat(t.deadLetter()).isEqualTo(RetryPolicy.fallbackIsDeadLetter(times + 1, max) || level < 0);
        }
    }
}
