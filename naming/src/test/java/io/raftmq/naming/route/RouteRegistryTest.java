package io.raftmq.naming.route;

import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicRouteData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the route table follows broker registrations exactly as clients need it: key 0 is always the current
 * Raft leader, followers appear under their own ids, topics come from the leader's config, and brokers leave
 * the table on unregistration, lease expiry (driven by a manual clock) or connection close.
 * Method: a {@link RouteRegistry} on a {@link ManualClock}, pure (no threads, no sockets); the table's invariants
 * are checked after every test.
 */
class RouteRegistryTest {
    private static final String CLUSTER = "DefaultCluster";
    private static final String A = "127.0.0.1:10911";
    private static final String B = "127.0.0.1:10921";
    private static final String C = "127.0.0.1:10931";
    private static final long EXPIRY_MS = 120_000;

    private final ManualClock clock = new ManualClock(1_000);
    private final RouteRegistry registry = new RouteRegistry(clock, false);

    @AfterEach
    void invariantsHold() {
        registry.snapshot().verifyInvariants();
    }

    private static BrokerRegistration reg(String group, long id, String addr, Object conn, TopicConfig... topics) {
        return reg(1, group, id, addr, conn, topics);
    }

    /** A registration whose topic table has data version {@code version} (a broker raises it per topic change). */
    private static BrokerRegistration reg(long version, String group, long id, String addr, Object conn,
                                          TopicConfig... topics) {
        return new BrokerRegistration(CLUSTER, group, addr, addr, id, List.of(topics), new DataVersion(version, 0, 7),
                EXPIRY_MS, conn);
    }

    private Map<Long, String> members(String group) {
        BrokerGroup g = registry.snapshot().group(group);
        return g == null ? null : g.addrs();
    }

    @Test
    void leaderAndFollowerRegistrationsFormOneRouteWithTheLeadersTopics() {
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("TopicTest", 4)));
        registry.register(reg("broker-a", 1, B, "cb", TopicConfig.of("TopicTest", 8), TopicConfig.of("Other", 2)));

        TopicRouteData route = registry.snapshot().topicRoute("TopicTest");
        assertThat(route.brokerDatas()).containsExactly(
                new BrokerData(CLUSTER, "broker-a", new java.util.TreeMap<>(Map.of(0L, A, 1L, B)), null, false));
        assertThat(route.queueDatas()).containsExactly(new QueueData("broker-a", 4, 4, 6, 0));
        assertThat(route.orderTopicConf()).isNull();
        assertThat(registry.snapshot().topicRoute("Other")).as("a follower's topics are not routed").isNull();
    }

    @Test
    void leaderChangeMovesKeyZeroToTheNewLeaderAndTheOldOneToItsFollowerId() {
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4)));
        registry.register(reg("broker-a", 1, B, "cb", TopicConfig.of("T", 4)));
        registry.register(reg("broker-a", 2, C, "cc", TopicConfig.of("T", 4)));

        RouteRegistry.RegisterResult r = registry.register(reg("broker-a", 0, B, "cb", TopicConfig.of("T", 4)));
        assertThat(members("broker-a")).as("B left id 1 and replaced A at id 0").containsExactly(
                Map.entry(0L, B), Map.entry(2L, C));
        assertThat(r.masterAddr()).isEqualTo(B);

        registry.register(reg("broker-a", 1, A, "ca", TopicConfig.of("T", 4)));
        assertThat(members("broker-a")).containsExactly(Map.entry(0L, B), Map.entry(1L, A), Map.entry(2L, C));
        assertThat(registry.snapshot().topicRoute("T").brokerDatas().get(0).brokerAddrs().get(0L)).isEqualTo(B);
    }

    @Test
    void aStaleLeaderEntryExpiringLaterDoesNotRemoveTheNewLeader() {
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4)));
        clock.advance(60_000);
        registry.register(reg("broker-a", 0, B, "cb", TopicConfig.of("T", 4)));
        assertThat(members("broker-a")).containsExactly(Map.entry(0L, B));

        clock.advance(EXPIRY_MS - 60_000 + 1);
        assertThat(registry.expire()).containsExactly(new BrokerKey(CLUSTER, A));
        assertThat(members("broker-a")).containsExactly(Map.entry(0L, B));
        assertThat(registry.snapshot().topicRoute("T")).isNotNull();
    }

    @Test
    void leaseExpiresStrictlyAfterItsLengthAndTakesTheRouteWithIt() {
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4)));
        registry.register(new BrokerRegistration(CLUSTER, "broker-b", C, C, 0, List.of(TopicConfig.of("T", 2)),
                null, 500, "cc"));

        clock.advance(500);
        assertThat(registry.expire()).isEmpty();
        clock.advance(1);
        assertThat(registry.expire()).as("broker-b sent heartbeatTimeoutMillis=500")
                .containsExactly(new BrokerKey(CLUSTER, C));
        assertThat(registry.snapshot().topicRoute("T").queueDatas()).extracting(QueueData::brokerName)
                .containsExactly("broker-a");

        clock.advance(EXPIRY_MS - 501);
        assertThat(registry.expire()).isEmpty();
        clock.advance(1);
        assertThat(registry.expire()).containsExactly(new BrokerKey(CLUSTER, A));
        assertThat(registry.snapshot().topicRoute("T")).isNull();
        assertThat(registry.snapshot().clusterInfo().clusterAddrTable()).isEmpty();
        assertThat(registry.liveBrokerCount()).isZero();
    }

    @Test
    void heartbeatAndUnchangedDataVersionRenewTheLease() {
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4)));
        clock.advance(EXPIRY_MS);
        assertThat(registry.heartbeat(CLUSTER, A)).isTrue();
        assertThat(registry.heartbeat(CLUSTER, C)).as("unknown broker").isFalse();
        clock.advance(EXPIRY_MS);
        RouteRegistry.VersionCheck same = registry.checkDataVersion(CLUSTER, A, new DataVersion(1, 0, 7));
        assertThat(same.changed()).isFalse();
        clock.advance(EXPIRY_MS);
        assertThat(registry.expire()).isEmpty();
        RouteRegistry.VersionCheck other = registry.checkDataVersion(CLUSTER, A, new DataVersion(2, 0, 7));
        assertThat(other.changed()).isTrue();
        assertThat(other.registered()).isEqualTo(new DataVersion(1, 0, 7));
        clock.advance(1);
        assertThat(registry.expire()).as("a changed version does not renew").hasSize(1);
    }

    @Test
    void unregisterRemovesOnlyThatAddressAndKeepsTheGroupsTopicsWhileAMemberRemains() {
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4)));
        registry.register(reg("broker-a", 1, B, "cb"));

        assertThat(registry.unregister(CLUSTER, "broker-a", A)).isTrue();
        assertThat(members("broker-a")).containsExactly(Map.entry(1L, B));
        assertThat(registry.snapshot().topicRoute("T").queueDatas()).hasSize(1);
        assertThat(registry.unregister(CLUSTER, "broker-a", A)).as("twice").isFalse();

        assertThat(registry.unregister(CLUSTER, "broker-a", B)).isTrue();
        assertThat(registry.snapshot().group("broker-a")).isNull();
        assertThat(registry.snapshot().topicRoute("T")).isNull();
        assertThat(registry.snapshot().topicNames()).isEmpty();
    }

    @Test
    void connectionCloseDropsOnlyBrokersWhoseLatestRegistrationUsedIt() {
        registry.register(reg("broker-a", 0, A, "conn-1", TopicConfig.of("T", 4)));
        registry.register(reg("broker-a", 1, B, "conn-2"));
        registry.register(reg("broker-a", 1, B, "conn-3"));

        assertThat(registry.connectionClosed("conn-2")).as("B re-registered on conn-3").isEmpty();
        assertThat(registry.connectionClosed("conn-1")).containsExactly(new BrokerKey(CLUSTER, A));
        assertThat(members("broker-a")).containsExactly(Map.entry(1L, B));
    }

    @Test
    void topicDeletionWholeOrPerCluster() {
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4), TopicConfig.of("U", 1)));
        registry.register(new BrokerRegistration("OtherCluster", "broker-x", C, C, 0,
                List.of(TopicConfig.of("T", 2)), null, EXPIRY_MS, "cc"));
        assertThat(registry.snapshot().topicRoute("T").queueDatas()).hasSize(2);

        registry.deleteTopic("T", "OtherCluster");
        assertThat(registry.snapshot().topicRoute("T").queueDatas()).extracting(QueueData::brokerName)
                .containsExactly("broker-a");
        registry.deleteTopic("T", null);
        assertThat(registry.snapshot().topicRoute("T")).isNull();
        assertThat(registry.snapshot().topicNames()).containsExactly("U");

        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4), TopicConfig.of("U", 1)));
        assertThat(registry.snapshot().topicRoute("T")).as("the next registration brings it back").isNotNull();
    }

    @Test
    void clusterInfoAndTopicLists() {
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4), TopicConfig.of("TBW102", 8)));
        registry.register(reg("broker-b", 0, B, "cb", TopicConfig.of("V", 4)));
        registry.register(new BrokerRegistration("OtherCluster", "broker-x", C, C, 0,
                List.of(TopicConfig.of("X", 2)), null, EXPIRY_MS, "cc"));

        RouteTable t = registry.snapshot();
        assertThat(t.clusterInfo().clusterAddrTable()).containsExactly(
                Map.entry("DefaultCluster", List.of("broker-a", "broker-b")),
                Map.entry("OtherCluster", List.of("broker-x")));
        assertThat(t.clusterInfo().brokerAddrTable().get("broker-b").brokerAddrs()).containsExactly(
                Map.entry(0L, B));
        assertThat(t.topicNames()).containsExactly("T", "TBW102", "V", "X");
        assertThat(t.topicNamesOfCluster("DefaultCluster")).containsExactly("T", "TBW102", "V");
        assertThat(t.topicNamesOfCluster("NoSuchCluster")).isEmpty();
    }

    @Test
    void aGroupMovingToAnotherClusterLeavesTheOldOne() {
        registry.register(reg("broker-a", 0, A, "ca"));
        registry.register(new BrokerRegistration("NewCluster", "broker-a", A, A, 0, List.of(), null, EXPIRY_MS,
                "ca"));
        assertThat(registry.snapshot().clusterInfo().clusterAddrTable()).containsOnlyKeys("NewCluster");
    }

    @Test
    void orderTopicConfFromKvAppearsInTheRoute() {
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("Ordered", 4)));
        registry.putKv(RouteTable.ORDER_TOPIC_CONFIG, "Ordered", "broker-a:4");
        assertThat(registry.snapshot().topicRoute("Ordered").orderTopicConf()).isEqualTo("broker-a:4");
        assertThat(registry.snapshot().kvNamespace(RouteTable.ORDER_TOPIC_CONFIG))
                .containsExactly(Map.entry("Ordered", "broker-a:4"));
        registry.deleteKv(RouteTable.ORDER_TOPIC_CONFIG, "Ordered");
        assertThat(registry.snapshot().topicRoute("Ordered").orderTopicConf()).isNull();
        assertThat(registry.snapshot().kv(RouteTable.ORDER_TOPIC_CONFIG, "Ordered")).isNull();
    }

    @Test
    void anUnchangedReRegistrationPublishesNoNewSnapshot() {
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4)));
        RouteTable before = registry.snapshot();
        registry.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4)));
        assertThat(registry.snapshot()).isSameAs(before);
    }

    @Test
    void permAndQueueNumbersComeFromTheLeadersTopicConfigAndMergeByDefault() {
        TopicConfig tbw = new TopicConfig("TBW102", 8, 8, 7, TopicConfig.SINGLE_TAG, 0, false, Map.of());
        registry.register(reg("broker-a", 0, A, "ca", tbw, TopicConfig.of("T", 4)));
        registry.register(reg(2, "broker-a", 0, A, "ca", TopicConfig.of("T", 16)));
        assertThat(registry.snapshot().topicRoute("TBW102").queueDatas())
                .containsExactly(new QueueData("broker-a", 8, 8, 7, 0));
        assertThat(registry.snapshot().topicRoute("T").queueDatas())
                .containsExactly(new QueueData("broker-a", 16, 16, 6, 0));
    }

    @Test
    void replaceModeDropsTopicsTheLeaderNoLongerLists() {
        RouteRegistry replacing = new RouteRegistry(clock, true);
        replacing.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4), TopicConfig.of("U", 4)));
        replacing.register(reg("broker-b", 0, B, "cb", TopicConfig.of("U", 2)));
        replacing.register(reg(2, "broker-a", 0, A, "ca", TopicConfig.of("T", 4)));
        assertThat(replacing.snapshot().topicRoute("U").queueDatas()).extracting(QueueData::brokerName)
                .containsExactly("broker-b");
        replacing.snapshot().verifyInvariants();
    }

    @Test
    void anUnchangedLeadersReRegistrationOnlyRenewsItsLease() {
        RouteRegistry replacing = new RouteRegistry(clock, true);
        replacing.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4), TopicConfig.of("U", 4)));
        RouteTable before = replacing.snapshot();
        clock.advance(EXPIRY_MS - 1);
        replacing.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 4), TopicConfig.of("U", 4)));
        assertThat(replacing.snapshot()).as("same data version: the table is not rebuilt").isSameAs(before);
        replacing.register(reg("broker-a", 0, A, "ca", TopicConfig.of("T", 16)));
        assertThat(replacing.snapshot()).as("the same version is the same table: its topics are not read again")
                .isSameAs(before);
        clock.advance(EXPIRY_MS - 1);
        assertThat(replacing.expire()).isEmpty();
        assertThat(replacing.snapshot().topicRoute("T")).as("the lease was renewed").isNotNull();

        replacing.register(reg(2, "broker-a", 0, A, "ca", TopicConfig.of("T", 8)));
        assertThat(replacing.snapshot().topicRoute("T").queueDatas()).containsExactly(
                new QueueData("broker-a", 8, 8, 6, 0));
        assertThat(replacing.snapshot().topicRoute("U")).as("a new version replaces the group's topics").isNull();

        replacing.register(reg(2, "broker-b", 0, B, "cb", TopicConfig.of("T", 8)));
        replacing.register(reg(2, "broker-a", 1, C, "cc", TopicConfig.of("T", 8)));
        replacing.register(reg(2, "broker-a", 0, C, "cc", TopicConfig.of("T", 2)));
        assertThat(replacing.snapshot().topicRoute("T").queueDatas()).as("a new leader's table applies even at"
                + " the same version").contains(new QueueData("broker-a", 2, 2, 6, 0));
        replacing.snapshot().verifyInvariants();
    }
}
