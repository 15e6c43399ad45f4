package io.raftmq.broker.it.sdk;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.admin.AdminException;
import io.raftmq.client.admin.ClusterStatus;
import io.raftmq.client.admin.ConsumerProgress;
import io.raftmq.client.admin.TransferResult;
import io.raftmq.client.consumer.ConcurrentListener;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
import io.raftmq.client.consumer.PushConsumer;
import io.raftmq.client.instance.ClientConfig;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: every call of the SDK's admin API does what it says against a three-member RaftMQ group: topics are created
 * (and routed), listed and deleted; groups created, listed and deleted; consumer progress shows the messages sent and
 * its lag going to 0 as they are consumed; the cluster status shows one leader and matching terms; a leadership
 * transfer moves the leader and the status shows it. Method: a TestCluster, one AdminClient, the SDK producer and
 * push consumer; waits are conditions with deadlines.
 */
@SocketTest
class SdkAdminTest {
    private static final String TOPIC = "AdminTopic";
    private static final String GROUP = "AdminCG";
    private static final int MESSAGES = 20;

    @Test
    void topicsGroupsAndProgress(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll();
             AdminClient admin = new AdminClient(ClientConfig.defaults(List.of(c.namesrv())))) {
            c.awaitLeaderRegistered(10_000);
            admin.start();
            admin.createTopic(TOPIC, 3);
            TestCluster.await(10_000, "the topic routed", () -> routed(admin, TOPIC));
            TopicRouteData route = admin.topicRoute(TOPIC);
            assertThat(route.queueDatas()).hasSize(1);
            assertThat(route.queueDatas().get(0).writeQueueNums()).isEqualTo(3);
            assertThat(route.queueDatas().get(0).perm()).isEqualTo(QueueData.PERM_READ | QueueData.PERM_WRITE);
            assertThat(admin.listTopics()).contains(TOPIC);
            assertThat(admin.topicConfigs(TestCluster.GROUP)).containsKey(TOPIC);

            admin.createGroup(GROUP);
            assertThat(admin.listGroups()).containsKey(GROUP);
            assertThat(admin.listGroups().get(GROUP).retryMaxTimes()).isEqualTo(16);

            try (Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("AdminPG").build())) {
                p.start();
                for (int i = 0; i < MESSAGES; i++) {
                    p.send(Message.of(TOPIC, "m-" + i));
                }
            }
            Set<String> got = ConcurrentHashMap.newKeySet();
            PushConsumer consumer = PushConsumer.concurrent(ConsumerConfig.builder().namesrv(c.namesrv())
                .group(GROUP).subscribe(TOPIC, "*").consumeFrom(ConsumeFrom.FIRST).commitIntervalMs(200).build(),
                msgs -> {
                    msgs.forEach(m -> got.add(m.bodyString()));
                    return ConcurrentListener.Status.SUCCESS;
                });
            consumer.start();
            try {
                TestCluster.await(20_000, "every message consumed", () -> got.size() == MESSAGES);
                AtomicReference<Object> last = new AtomicReference<>();
                try {
                    TestCluster.await(20_000, "lag 0 with every message counted", () -> {
                        ConsumerProgress pr = progress(admin, last);
                        return pr != null && pr.of(TOPIC).size() == 3 && pr.totalLag() == 0
                            && sum(pr.of(TOPIC), true) == MESSAGES && sum(pr.of(TOPIC), false) == MESSAGES;
                    });
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError("consumer progress never reached lag 0; last seen: " + last.get(), e);
                }
                ConsumerProgress pr = admin.consumerProgress(GROUP, TOPIC);
                assertThat(pr.queues()).hasSize(3).allMatch(q -> q.lag() == 0 && q.queue().topic().equals(TOPIC));
                assertThat(pr.queues()).anyMatch(q -> q.lastTimestamp() > 0);
            } finally {
                consumer.shutdown();
            }

            admin.deleteTopic(TOPIC);
            TestCluster.await(10_000, "the topic gone from the NameServer", () -> !listed(admin, TOPIC));
            assertThatThrownBy(() -> admin.topicRoute(TOPIC)).isInstanceOf(AdminException.class)
                .satisfies(e -> assertThat(((AdminException) e).code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST));
            assertThat(admin.topicConfigs(TestCluster.GROUP)).doesNotContainKey(TOPIC);
            admin.deleteGroup(GROUP, true);
            assertThat(admin.listGroups()).doesNotContainKey(GROUP);
        }
    }

    @Test
    void statusShowsOneLeaderAndTransferMovesIt(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll();
             AdminClient admin = new AdminClient(ClientConfig.defaults(List.of(c.namesrv())))) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            admin.start();
            TestCluster.await(10_000, "every member registered, one leader, the first entry committed everywhere",
                () -> settled(admin, 3));
            ClusterStatus.Group g = admin.clusterStatus().group(TestCluster.GROUP);
            assertThat(g.leader()).isEqualTo(leader.config().brokerAddr());
            assertThat(g.members()).hasSize(3).allMatch(ClusterStatus.Member::reachable)
                .allMatch(m -> m.term() == g.leaders().get(0).term()).allMatch(m -> m.commitIndex() > 0);
            assertThat(g.members().stream().map(ClusterStatus.Member::selfId)).containsExactlyInAnyOrder("n0", "n1",
                "n2");

            String target = c.follower().config().brokerAddr();
            TransferResult r = admin.transferLeadership(TestCluster.GROUP, target);
            assertThat(r.leader()).isEqualTo(target);
            assertThat(r.term()).isGreaterThan(g.leaders().get(0).term());
            TestCluster.await(10_000, "the status shows the new leader", () -> {
                ClusterStatus.Group now = group(admin);
                return now != null && target.equals(now.leader()) && now.leaders().size() == 1;
            });
            assertThatThrownBy(() -> admin.transferLeadership(TestCluster.GROUP, "127.0.0.1:1"))
                .isInstanceOf(AdminException.class)
                .satisfies(e -> assertThat(((AdminException) e).code()).isEqualTo(ResponseCode.INVALID_PARAMETER));
            assertThatThrownBy(() -> admin.transferLeadership("no-such-group", null))
                .isInstanceOf(AdminException.class).hasMessageContaining("no-such-group");
            // async form: completes on the callback executor
            assertThat(admin.clusterStatusAsync().get(10, TimeUnit.SECONDS).groups()).hasSize(1);
        }
    }

    private static boolean routed(AdminClient admin, String topic) {
        try {
            return !admin.topicRoute(topic).queueDatas().isEmpty();
        } catch (AdminException | InterruptedException e) { // not routed yet
            return false;
        }
    }

    private static boolean listed(AdminClient admin, String topic) {
        try {
            return admin.listTopics().contains(topic);
        } catch (AdminException | InterruptedException e) {
            return true;
        }
    }

    /** The group's progress, or null; {@code last} keeps what was seen (progress or failure) for the report. */
    private static ConsumerProgress progress(AdminClient admin, AtomicReference<Object> last) {
        try {
            ConsumerProgress p = admin.consumerProgress(GROUP);
            last.set(p);
            return p;
        } catch (AdminException | InterruptedException e) {
            last.set(e);
            return null;
        }
    }

    private static long sum(List<ConsumerProgress.Queue> qs, boolean broker) {
        return qs.stream().mapToLong(q -> broker ? q.brokerOffset() : q.consumerOffset()).sum();
    }

    private static ClusterStatus.Group group(AdminClient admin) {
        try {
            return admin.clusterStatus().group(TestCluster.GROUP);
        } catch (AdminException | InterruptedException e) {
            return null;
        }
    }

    private static boolean settled(AdminClient admin, int members) {
        ClusterStatus.Group g = group(admin);
        return g != null && g.members().size() == members && g.leaders().size() == 1
            && g.members().stream().allMatch(m -> m.reachable() && m.term() == g.leaders().get(0).term()
                && m.commitIndex() > 0); // a follower learns the leader's first commit one heartbeat later
    }
}
