package io.raftmq.broker.clients;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.raftmq.client.protocol.LanguageCode;
import io.raftmq.client.protocol.body.SubscriptionData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the client registry tracks group membership, notifies every channel of a group exactly when its set of
 * clientIDs changes (register, unregister, channel close, expiry), keeps subscriptions for the pull path and
 * expires silent clients by the injected clock. Method: EmbeddedChannels as client channels, a recording notifier.
 */
class ClientManagerTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final List<String> notified = new ArrayList<>();
    private final ClientManager mgr = new ClientManager(clock::get, 120_000,
            (ch, group) -> notified.add(group + "->" + ch.id().asShortText()), g -> !g.equals("QUIET"));

    private static ClientChannelInfo client(Channel ch, String id) {
        return new ClientChannelInfo(ch, id, LanguageCode.JAVA, 479, 0);
    }

    private static SubscriptionData sub(String topic, String expr) {
        return new SubscriptionData(topic, expr, List.of(), List.of(), 1, SubscriptionData.TYPE_TAG, false);
    }

    private boolean register(String group, Channel ch, String id) {
        return mgr.registerConsumer(group, client(ch, id), "CONSUME_PASSIVELY", "CLUSTERING",
                "CONSUME_FROM_LAST_OFFSET", List.of(sub("T", "TagA")), false);
    }

    @Test
    void membershipChangesNotifyTheWholeGroup() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        assertThat(register("CG", a, "c1")).isTrue();
        assertThat(notified).containsExactly("CG->" + a.id().asShortText());
        notified.clear();
        assertThat(register("CG", a, "c1")).as("repeat heartbeat").isFalse();
        assertThat(notified).isEmpty();
        assertThat(register("CG", b, "c2")).isTrue();
        assertThat(notified).containsExactlyInAnyOrder("CG->" + a.id().asShortText(), "CG->" + b.id().asShortText());
        assertThat(mgr.consumerIds("CG")).containsExactly("c1", "c2");
        notified.clear();
        mgr.unregisterConsumer("CG", "c1");
        assertThat(mgr.consumerIds("CG")).containsExactly("c2");
        assertThat(notified).containsExactly("CG->" + b.id().asShortText());
        notified.clear();
        mgr.channelClosed(b);
        assertThat(mgr.consumerIds("CG")).isEmpty();
        assertThat(mgr.consumerGroups()).isEmpty();
        assertThat(notified).as("nobody left to notify").isEmpty();
    }

    @Test
    void reconnectWithSameClientIdIsNotAMembershipChange() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel a2 = new EmbeddedChannel();
        register("CG", a, "c1");
        notified.clear();
        assertThat(register("CG", a2, "c1")).isFalse();
        assertThat(mgr.consumerConnection("CG").connectionSet()).hasSize(1);
        assertThat(notified).isEmpty();
    }

    @Test
    void notificationsCanBeDisabledPerGroup() {
        register("QUIET", new EmbeddedChannel(), "c1");
        register("QUIET", new EmbeddedChannel(), "c2");
        assertThat(notified).isEmpty();
        assertThat(mgr.consumerIds("QUIET")).hasSize(2);
    }

    @Test
    void silentClientsExpireByTheInjectedClock() {
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        EmbeddedChannel p = new EmbeddedChannel();
        register("CG", a, "c1");
        mgr.registerProducer("PG", client(p, "p1"));
        clock.addAndGet(60_000);
        register("CG", b, "c2");
        notified.clear();
        clock.addAndGet(60_001);
        assertThat(mgr.scanExpired()).isEqualTo(2);
        assertThat(a.isOpen()).isFalse();
        assertThat(p.isOpen()).isFalse();
        assertThat(b.isOpen()).isTrue();
        assertThat(mgr.consumerIds("CG")).containsExactly("c2");
        assertThat(mgr.producerConnection("PG")).isNull();
        assertThat(notified).containsExactly("CG->" + b.id().asShortText());
        clock.addAndGet(59_999);
        assertThat(mgr.scanExpired()).isZero();
    }

    @Test
    void subscriptionsAndConnectionsForThePullPathAndAdmin() {
        EmbeddedChannel a = new EmbeddedChannel();
        register("CG", a, "c1");
        assertThat(mgr.subscription("CG", "T").subString()).isEqualTo("TagA");
        assertThat(mgr.subscription("CG", "U")).isNull();
        mgr.registerConsumer("CG", client(a, "c1"), "CONSUME_PASSIVELY", "CLUSTERING", "CONSUME_FROM_LAST_OFFSET",
                List.of(), true);
        assertThat(mgr.subscription("CG", "T")).as("heartbeat v2 withoutSub keeps subscriptions").isNotNull();
        assertThat(mgr.groupsSubscribedTo("T")).containsExactly("CG");
        var conn = mgr.consumerConnection("CG");
        assertThat(conn.messageModel()).isEqualTo("CLUSTERING");
        assertThat(conn.connectionSet().get(0).language()).isEqualTo("JAVA");
        assertThat(conn.subscriptionTable()).containsKey("T");
        mgr.registerProducer("PG", client(a, "c1"));
        assertThat(mgr.producerConnection("PG").connectionSet()).hasSize(1);
        mgr.unregisterProducer("PG", "c1");
        assertThat(mgr.producerGroups()).isEmpty();
    }

    @Test
    void liveProducerChannelIsTheMostRecentlyHeardActiveOne() {
        assertThat(mgr.liveProducerChannel("PG")).isNull();
        EmbeddedChannel a = new EmbeddedChannel();
        EmbeddedChannel b = new EmbeddedChannel();
        mgr.registerProducer("PG", client(a, "p1"));
        clock.addAndGet(10);
        mgr.registerProducer("PG", client(b, "p2"));
        assertThat(mgr.liveProducerChannel("PG")).isSameAs(b);
        b.close();
        assertThat(mgr.liveProducerChannel("PG")).isSameAs(a);
        a.close();
        assertThat(mgr.liveProducerChannel("PG")).isNull();
        assertThat(mgr.liveProducerChannel("OTHER")).isNull();
    }
}
