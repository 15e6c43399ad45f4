package io.raftmq.chaos.apache;

import io.raftmq.client.consumer.ConcurrentListener;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
import io.raftmq.client.consumer.LitePullConsumer;
import io.raftmq.client.consumer.OrderlyListener;
import io.raftmq.client.consumer.PushConsumer;
import io.raftmq.client.consumer.ReceivedMessage;
import io.raftmq.client.instance.LeaderProbe;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.MessageQueueSelector;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendException;
import io.raftmq.client.producer.SendResult;
import io.raftmq.client.producer.SendStatus;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.header.GetMaxOffsetRequestHeader;
import io.raftmq.client.protocol.header.OffsetResponseHeader;
import io.raftmq.client.route.TopicRoute;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Our SDK against Apache RocketMQ 5.3.3 itself (docs/sdk.md "Against Apache RocketMQ"): the official NameServer and a
 * master and slave broker run as JVMs from their Maven Central jars ({@link ApacheRocketMq}), and our producer, push
 * consumers
 * (concurrent and orderly) and lite pull consumer do their everyday work against them: sync, async, oneway and batch
 * sends, a compressed body, tags filtered by the broker, ordered sends by key, a delay level, a retry through
 * CONSUMER_SEND_MSG_BACK and the DLQ, and the leader query that a plain broker answers without Raft fields. One
 * NameServer and broker group serve every test (they take 10-40 s to start); each test has its own topics and
 * groups. The last test kills the master: consumers then read from the slave (brokerId 1), and sends fail cleanly.
 * Each step is printed.
 */
@ProcessTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ApacheRocketMqSdkTest {
    private static final Duration START_MAX = Duration.ofSeconds(120);
    private static final Duration CONSUME_MAX = Duration.ofSeconds(30);
    /** Apache's slave copies topic configs every 10 s and the commit log over its HA link: slow under load. */
    private static final Duration SLAVE_SYNC_MAX = Duration.ofSeconds(90);

    @TempDir
    static Path tmp;
    private static ApacheRocketMq apache;
    private static Producer producer;

    @BeforeAll
    static void startApacheRocketMq() throws Exception {
        long t0 = System.nanoTime();
        apache = new ApacheRocketMq(tmp.resolve("apache")).start();
        producer = new Producer(ProducerConfig.builder().namesrv(apache.namesrvAddr()).group("ApacheCompatPG")
            .build());
        producer.start();
        try {
            Awaits.await("the broker registered with the NameServer (TBW102's route, read by our SDK)")
                .atMost(START_MAX).pollInterval(Duration.ofMillis(200)).until(ApacheRocketMqSdkTest::registered);
        } catch (AssertionError e) {
            System.out.println(apache.logTails(30));
            throw e;
        }
        System.out.printf("apache: master %s (brokerId 0) and slave %s (brokerId 1) of %s registered after %d ms%n",
            apache.brokerAddr(), apache.slaveAddr(), ApacheRocketMq.BROKER_NAME,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private static boolean registered() throws InterruptedException {
        try {
            TopicRoute r = producer.instance().refreshRoute(TopicRoute.DEFAULT_TOPIC).get();
            return apache.brokerAddr().equals(r.leaders().get(ApacheRocketMq.BROKER_NAME))
                && r.members().getOrDefault(ApacheRocketMq.BROKER_NAME, List.of()).contains(apache.slaveAddr());
        } catch (java.util.concurrent.ExecutionException notYet) {
            return false;
        }
    }

    @AfterAll
    static void stopApacheRocketMq() throws Exception {
        if (producer != null) {
            producer.shutdown();
        }
        if (apache != null) {
            List<Long> pids = apache.pids();
            List<Integer> codes = apache.stop();
            System.out.printf("apache: NameServer, master, slave (pids %s) ended with exit codes %s%n", pids, codes);
            System.out.printf("apache: %d WARN/ERROR lines in the master's logs:%n", apache.warnings().size());
            apache.warnings().forEach(System.out::println);
            assertThat(apache.warnings()).as("RocketMQ's complaints about our requests")
                .noneMatch(l -> l.contains("Exception") || l.contains("not supported") || l.contains("illegal")
                    || l.contains("decode"));
            assertThat(codes).as("exit codes of the NameServer, master and slave (143: SIGTERM, 137: SIGKILL)")
                .hasSize(3).allMatch(c -> c == 143 || c == 137);
        }
    }

    @Test
    void sendsOfEveryKindReachTheConcurrentPushConsumer() throws Exception {
        String topic = "ApacheSends";
        Map<String, String> sent = new TreeMap<>(); // body -> UNIQ_KEY msgId ("" for oneway)
        for (int i = 0; i < 10; i++) {
            SendResult r = producer.send(Message.of(topic, "sync-" + i).tags("TagA").keys("key-sync-" + i)
                .property("color", "red"));
            assertThat(r.status()).isEqualTo(SendStatus.SEND_OK);
            assertThat(r.queue().brokerName()).isEqualTo(ApacheRocketMq.BROKER_NAME);
            sent.put("sync-" + i, r.msgId());
        }
        System.out.println("sdk: 10 sync sends SEND_OK (the topic was auto-created through TBW102)");
        List<CompletableFuture<SendResult>> async = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            async.add(producer.sendAsync(Message.of(topic, "async-" + i).tags("TagB")));
        }
        for (int i = 0; i < 10; i++) {
            sent.put("async-" + i, async.get(i).get(10, TimeUnit.SECONDS).msgId());
        }
        for (int i = 0; i < 5; i++) {
            producer.sendOneway(Message.of(topic, "oneway-" + i).tags("TagA"));
            sent.put("oneway-" + i, "");
        }
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            batch.add(Message.of(topic, "batch-" + i).tags("TagA").keys("key-batch-" + i));
        }
        SendResult b = producer.sendBatch(batch);
        assertThat(b.status()).isEqualTo(SendStatus.SEND_OK);
        String[] batchIds = b.msgId().split(",");
        assertThat(batchIds).hasSize(8);
        for (int i = 0; i < 8; i++) {
            sent.put("batch-" + i, batchIds[i]);
        }
        String big = "big-" + "0123456789abcdef".repeat(1024); // above the 4 KiB threshold: sent deflated
        sent.put(big, producer.send(new Message(topic, "TagB", big.getBytes(StandardCharsets.UTF_8))).msgId());
        producer.send(Message.of(topic, "filtered-out").tags("TagC"));
        System.out.println("sdk: 10 async, 5 oneway, a batch of 8, one 16 KiB body (compressed), one TagC sent");

        Map<String, ReceivedMessage> got = new ConcurrentHashMap<>();
        ConsumerConfig cfg = ConsumerConfig.builder().namesrv(apache.namesrvAddr()).group("ApacheConcurrentCG")
            .subscribe(topic, "TagA || TagB").consumeFrom(ConsumeFrom.FIRST).build();
        try (PushConsumer c = PushConsumer.concurrent(cfg, msgs -> {
            msgs.forEach(m -> got.put(m.bodyString(), m));
            return ConcurrentListener.Status.SUCCESS;
        })) {
            c.start();
            Awaits.await(sent.size() + " messages consumed").atMost(CONSUME_MAX)
                .until(() -> got.keySet().containsAll(sent.keySet()));
        }
        assertThat(got.keySet()).as("what the broker's tag filter let through").isEqualTo(sent.keySet());
        sent.forEach((body, id) -> {
            if (!id.isEmpty()) {
                String name = body.substring(0, Math.min(9, body.length()));
                assertThat(got.get(body).msgId()).as("UNIQ_KEY of " + name).isEqualTo(id);
            }
        });
        assertThat(got.get("sync-3").property("color")).isEqualTo("red");
        assertThat(got.get("sync-3").keys()).isEqualTo("key-sync-3");
        assertThat(got.get("batch-5").keys()).isEqualTo("key-batch-5");
        assertThat(got.get(big).sysFlag() & 0x1).as("compressed flag as stored").isEqualTo(1);
        System.out.printf("sdk: the concurrent push consumer got all %d (ids, keys, properties, the inflated"
            + " body), not the TagC one%n", sent.size());
    }

    @Test
    void orderedSendsByKeyReachTheOrderlyPushConsumerInOrder() throws Exception {
        String topic = "ApacheOrdered";
        int keys = 4;
        int perKey = 25;
        Map<String, Set<MessageQueue>> queuesOfKey = new HashMap<>();
        for (int s = 0; s < perKey; s++) {
            for (int k = 0; k < keys; k++) {
                SendResult r = producer.send(Message.of(topic, "k" + k + "-" + s), MessageQueueSelector.byKeyHash(),
                    "order-" + k);
                queuesOfKey.computeIfAbsent("k" + k, x -> new HashSet<>()).add(r.queue());
            }
        }
        queuesOfKey.forEach((k, qs) -> assertThat(qs).as("queues of key " + k).hasSize(1));
        System.out.printf("sdk: %d ordered sends, each key's on one queue%n", keys * perKey);

        Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
        ConsumerConfig cfg = ConsumerConfig.builder().namesrv(apache.namesrvAddr()).group("ApacheOrderlyCG")
            .subscribe(topic, "*").consumeFrom(ConsumeFrom.FIRST).consumeThreads(4).build();
        try (PushConsumer c = PushConsumer.orderly(cfg, msgs -> {
            for (ReceivedMessage m : msgs) {
                String body = m.bodyString();
                seen.computeIfAbsent(body.substring(0, body.indexOf('-')), x -> new CopyOnWriteArrayList<>())
                    .add(Integer.parseInt(body.substring(body.indexOf('-') + 1)));
            }
            return OrderlyListener.Status.SUCCESS;
        })) {
            c.start();
            Awaits.await(keys * perKey + " ordered messages consumed").atMost(CONSUME_MAX)
                .until(() -> seen.values().stream().mapToInt(List::size).sum() >= keys * perKey);
        }
        List<Integer> inOrder = new ArrayList<>();
        for (int s = 0; s < perKey; s++) {
            inOrder.add(s);
        }
        for (int k = 0; k < keys; k++) {
            assertThat(seen.get("k" + k)).as("key " + k + ": in order, once each").isEqualTo(inOrder);
        }
        System.out.println("sdk: the orderly push consumer (queue locks 41/42 on the broker) got every key in order");
    }

    @Test
    void litePullConsumerReadsCommitsAndSeeks() throws Exception {
        String topic = "ApacheLite";
        for (int i = 0; i < 30; i++) {
            producer.send(Message.of(topic, "lite-" + i));
        }
        ConsumerConfig cfg = ConsumerConfig.builder().namesrv(apache.namesrvAddr()).group("ApacheLiteCG")
            .consumeFrom(ConsumeFrom.FIRST).autoCommit(false).build();
        try (LitePullConsumer lite = new LitePullConsumer(cfg)) {
            lite.start();
            List<MessageQueue> queues = lite.fetchQueues(topic);
            assertThat(queues).hasSize(4);
            lite.assign(queues);
            List<ReceivedMessage> got = pollUntil(lite, 30);
            assertThat(got).extracting(ReceivedMessage::bodyString).doesNotHaveDuplicates().hasSize(30);
            lite.commitSync();
            MessageQueue q = got.get(0).queue();
            long position = lite.position(q);
            Awaits.await("the committed offset of " + q).until(() -> lite.committed(q) == position);
            long inQueue = got.stream().filter(m -> m.queue().equals(q)).count();
            assertThat(position).isEqualTo(inQueue);
            lite.seek(q, 0);
            List<ReceivedMessage> again = pollUntil(lite, (int) inQueue);
            assertThat(again).allMatch(m -> m.queue().equals(q)).hasSize((int) inQueue);
            System.out.printf("sdk: lite pull read 30 from 4 queues, committed %s at %d, re-read it after a seek%n",
                q, position);
        }
    }

    @Test
    void aDelayLevelHoldsTheMessageForItsDelay() throws Exception {
        String topic = "ApacheDelay";
        producer.send(Message.of(topic, "plain"));
        Map<String, Long> receivedAt = new ConcurrentHashMap<>();
        ConsumerConfig cfg = ConsumerConfig.builder().namesrv(apache.namesrvAddr()).group("ApacheDelayCG")
            .subscribe(topic, "*").consumeFrom(ConsumeFrom.FIRST).build();
        try (PushConsumer c = PushConsumer.concurrent(cfg, msgs -> {
            msgs.forEach(m -> receivedAt.put(m.bodyString(), System.nanoTime()));
            return ConcurrentListener.Status.SUCCESS;
        })) {
            c.start();
            Awaits.await("the plain message").atMost(CONSUME_MAX).until(() -> receivedAt.containsKey("plain"));
            long sentAt = System.nanoTime();
            producer.send(Message.of(topic, "delayed").delayTimeLevel(2));
            Awaits.await("the delayed message").atMost(CONSUME_MAX).until(() -> receivedAt.containsKey("delayed"));
            long delayMs = TimeUnit.NANOSECONDS.toMillis(receivedAt.get("delayed") - sentAt);
            System.out.printf("sdk: delay level 2 (2 s on this broker) delivered after %d ms%n", delayMs);
            assertThat(delayMs).as("ms from the send to the delivery of a level-2 message").isGreaterThan(1_900);
        }
    }

    @Test
    void reconsumeLaterComesBackThroughTheRetryTopicThenLandsInTheDlq() throws Exception {
        String topic = "ApacheRetry";
        String group = "ApacheRetryCG";
        producer.send(Message.of(topic, "poison").keys("bad-key"));
        List<ReceivedMessage> deliveries = new CopyOnWriteArrayList<>();
        ConsumerConfig cfg = ConsumerConfig.builder().namesrv(apache.namesrvAddr()).group(group)
            .subscribe(topic, "*").consumeFrom(ConsumeFrom.FIRST).reconsumeTimesMax(1).build();
        try (PushConsumer c = PushConsumer.concurrent(cfg, msgs -> {
            deliveries.addAll(msgs);
            return ConcurrentListener.Status.RECONSUME_LATER;
        })) {
            c.start();
            Awaits.await("two deliveries of the poison message").atMost(CONSUME_MAX)
                .until(() -> deliveries.size() >= 2);
            List<ReceivedMessage> dlq = readAll("%DLQ%" + group, 1);
            assertThat(dlq).extracting(ReceivedMessage::bodyString).containsExactly("poison");
            assertThat(dlq.get(0).keys()).isEqualTo("bad-key");
        }
        assertThat(deliveries.get(0).reconsumeTimes()).isZero();
        assertThat(deliveries.get(0).queue().topic()).isEqualTo(topic);
        assertThat(deliveries.get(1).reconsumeTimes()).isEqualTo(1);
        assertThat(deliveries.get(1).queue().topic()).isEqualTo("%RETRY%" + group);
        assertThat(deliveries.get(1).topic()).as("the original topic, restored").isEqualTo(topic);
        assertThat(deliveries.get(1).keys()).isEqualTo("bad-key");
        System.out.println("sdk: RECONSUME_LATER went back through CONSUMER_SEND_MSG_BACK to %RETRY%" + group
            + ", came again, then landed in %DLQ%" + group);
    }

    @Test
    void theLeaderQueryFindsNoRaftGroupAndSendsStillGoToBrokerIdZero() throws Exception {
        TopicRoute route = producer.instance().refreshRoute(TopicRoute.DEFAULT_TOPIC).get(10, TimeUnit.SECONDS);
        assertThat(route.members().get(ApacheRocketMq.BROKER_NAME)).as("members, brokerId order")
            .containsExactly(apache.brokerAddr(), apache.slaveAddr());
        LeaderProbe p = producer.instance().locateLeader(ApacheRocketMq.BROKER_NAME).get(10, TimeUnit.SECONDS);
        assertThat(p.raftAware()).as("a plain broker answers GET_BROKER_RUNTIME_INFO without raft keys").isFalse();
        assertThat(p.leader()).isNull();
        SendResult r = producer.send(Message.of("ApacheProbe", "after the probe"));
        assertThat(r.status()).isEqualTo(SendStatus.SEND_OK);
        System.out.println("sdk: the leader query asked master and slave, answered 'not a Raft group'; sends go on"
            + " to brokerId 0");
    }

    @Test
    @Order(Integer.MAX_VALUE) // kills the master: runs last
    void withTheMasterKilledConsumersReadFromTheSlaveAndSendsFailCleanly() throws Exception {
        String topic = "ApacheSlave";
        for (int i = 0; i < 20; i++) {
            producer.send(Message.of(topic, "slave-" + i));
        }
        List<MessageQueue> queues = producer.instance().refreshRoute(topic).get(10, TimeUnit.SECONDS).readQueues();
        // the slave copies topic configs from the master every 10 s: without it, it refuses pulls of the topic
        Awaits.await("the slave has the topic's config and its 20 messages").atMost(SLAVE_SYNC_MAX)
            .pollInterval(Duration.ofMillis(200))
            .until(() -> slaveKnows(topic) && maxOffsetsOn(apache.slaveAddr(), queues) == 20);
        apache.killMaster();
        ConsumerConfig cfg = ConsumerConfig.builder().namesrv(apache.namesrvAddr()).group("ApacheSlaveCG")
            .consumeFrom(ConsumeFrom.FIRST).autoCommit(false).pullRetryMs(200).build();
        try (LitePullConsumer lite = new LitePullConsumer(cfg)) {
            lite.start();
            lite.assign(queues);
            List<ReceivedMessage> got = pollUntil(lite, 20);
            assertThat(got).extracting(ReceivedMessage::bodyString).doesNotHaveDuplicates().hasSize(20);
        }
        System.out.println("sdk: with the master killed, the lite pull consumer read all 20 from the slave");
        long t0 = System.nanoTime();
        Throwable noMaster = catchThrowable(() -> producer.send(Message.of(topic, "no-master")));
        System.out.printf("sdk: a send with no master failed after %d ms: %s%n",
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), noMaster);
        assertThat(noMaster).as("a send with no master (it must fail, not hang)").isInstanceOf(SendException.class);
    }

    /** Whether the slave's topic configs (GET_ALL_TOPIC_CONFIG 21) name {@code topic}. */
    private static boolean slaveKnows(String topic) throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.GET_ALL_TOPIC_CONFIG);
        RemotingCommand r = producer.instance().remoting().invokeAsync(apache.slaveAddr(), req, 3_000)
            .get(5, TimeUnit.SECONDS);
        try {
            return r.code() == ResponseCode.SUCCESS && r.bodyLength() > 0
                && new String(r.bodyBytes(), StandardCharsets.UTF_8).contains("\"" + topic + "\"");
        } finally {
            r.release();
        }
    }

    /** The sum of {@code queues}' max offsets on the broker at {@code addr} (GET_MAX_OFFSET 30 to that address). */
    private static long maxOffsetsOn(String addr, List<MessageQueue> queues) throws Exception {
        long sum = 0;
        for (MessageQueue q : queues) {
            RemotingCommand req = RemotingCommand.createRequest(RequestCode.GET_MAX_OFFSET,
                new GetMaxOffsetRequestHeader(q.topic(), q.queueId(), true, q.brokerName()));
            RemotingCommand r = producer.instance().remoting().invokeAsync(addr, req, 3_000).get(5, TimeUnit.SECONDS);
            try {
                if (r.code() != ResponseCode.SUCCESS) {
                    return -1;
                }
                sum += OffsetResponseHeader.decode(r.extFields()).offset();
            } finally {
                r.release();
            }
        }
        return sum;
    }

    /** Reads {@code expected} messages of {@code topic} from its first offset with a lite pull consumer. */
    private static List<ReceivedMessage> readAll(String topic, int expected) throws Exception {
        ConsumerConfig cfg = ConsumerConfig.builder().namesrv(apache.namesrvAddr())
            .group("ApacheReader" + Math.abs(topic.hashCode())).consumeFrom(ConsumeFrom.FIRST).autoCommit(false)
            .build();
        try (LitePullConsumer r = new LitePullConsumer(cfg)) {
            r.start();
            Awaits.await(topic + " routed").atMost(CONSUME_MAX)
                .until(() -> !producer.instance().refreshRoute(topic).get().provisional());
            r.assign(r.fetchQueues(topic));
            return pollUntil(r, expected);
        }
    }

    private static List<ReceivedMessage> pollUntil(LitePullConsumer lite, int expected) {
        List<ReceivedMessage> got = new ArrayList<>();
        Awaits.await(expected + " messages polled").atMost(CONSUME_MAX).until(() -> {
            got.addAll(lite.poll(100));
            return got.size() >= expected;
        });
        return got;
    }
}
