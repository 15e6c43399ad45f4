package io.raftmq.chaos;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pop consumption across a leader kill on real processes with the official client 5.3.3 (docs/consumer-protocol.md
 * "Pop consumption"): a group switched to POP with SET_MESSAGE_REQUEST_MODE, two push consumers letting the broker
 * assign queues; 20 messages consumed, of which one ({@code kill-5}) is held by its listener and so never acked. Once
 * the leader reports exactly one offset in flight (runtime info {@code popInFlight}: every other ack is committed),
 * the leader process is killed with SIGKILL. The new leader hands {@code kill-5} out again after its invisible time
 * (reconsumeTimes 1) and nothing else: every other message was received exactly once. Then 10 more messages arrive
 * once each through the new leader.
 */
@ProcessTest
class PopLeaderKillTest {
    private static final String TOPIC = "PopKill";
    private static final String GROUP = "PopKillCG";

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private final List<Runnable> shutdowns = new ArrayList<>();
    private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
    private final List<String> redelivered = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() {
        release.countDown();
        shutdowns.forEach(Runnable::run);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(180)
    void theNewLeaderRedeliversOnlyTheUnackedMessage() throws Exception {
        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir));
        ProcessCluster.Member leader = cluster.start();
        DefaultMQProducer producer = ChaosClients.producer("PopKillPG", cluster.namesrvAddr(), "pop-p", 1000, true);
        shutdowns.add(0, producer::shutdown);
        send(producer, "warm", 1); // creates the topic
        setPopMode(leader.brokerAddr());
        for (int i = 0; i < 2; i++) {
            consumer("pop-c" + i);
        }
        send(producer, "kill", 20);
        try {
            Awaits.await("20 received, 19 acked").atMost(Duration.ofSeconds(60)).until(() -> count("kill-") == 20
                && "1".equals(inFlight(leader.brokerAddr())));
            cluster.kill(leader);
            ProcessCluster.Member next = cluster.awaitRoutedLeader(leader.brokerAddr(), 20_000);
            Awaits.await("kill-5 handed out again").atMost(Duration.ofSeconds(60))
                .until(() -> redelivered.contains("kill-5"));
            release.countDown();
            send(producer, "after", 10);
            Awaits.await("10 more through the new leader, all acked").atMost(Duration.ofSeconds(60))
                .until(() -> count("after-") == 10 && "0".equals(inFlight(next.brokerAddr())));
            System.out.printf("RESULT pop-leader-kill killed=%s newLeader=%s received=%s redelivered=%s%n",
                leader.id(), next.id(), received.size(), redelivered);
        } catch (AssertionError | RuntimeException e) {
            System.out.println("received " + received + " redelivered " + redelivered);
            System.out.println(cluster.logTails(60));
            throw e;
        }
        assertThat(redelivered).containsExactly("kill-5");
        for (int i = 0; i < 20; i++) {
            assertThat(received.get("kill-" + i)).as("kill-" + i).hasValue(i == 5 ? 2 : 1);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(received.get("after-" + i)).as("after-" + i).hasValue(1);
        }
    }

    private long count(String prefix) {
        return received.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    private String inFlight(String brokerAddr) {
        Map<String, String> info = cluster.runtimeInfo(brokerAddr);
        return info == null ? null : info.get("popInFlight");
    }

    private static void send(DefaultMQProducer p, String prefix, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            Message m = new Message(TOPIC, "TagA", (prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
            assertThat(p.send(m).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        }
    }

    /** SET_MESSAGE_REQUEST_MODE (401) to the leader, as {@code mqadmin setConsumeMode} sends it. */
    private static void setPopMode(String leaderAddr) throws Exception {
        RemotingClient client = new RemotingClient(RemotingClientConfig.defaults());
        client.start();
        try {
            String body = "{\"consumerGroup\":\"" + GROUP + "\",\"mode\":\"POP\",\"popShareQueueNum\":0,\"topic\":\""
                + TOPIC + "\"}";
            RemotingCommand r = client.invokeSync(leaderAddr, RemotingCommand.createRequest(401)
                .setBody(body.getBytes(StandardCharsets.UTF_8)), 5000);
            try {
                assertThat(r.code()).as(r.remark()).isZero();
            } finally {
                r.release();
            }
        } finally {
            client.shutdown();
        }
    }

    private void consumer(String instance) throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(GROUP);
        c.setNamesrvAddr(cluster.namesrvAddr());
        c.setInstanceName(instance);
        c.setClientRebalance(false);
        c.setPopInvisibleTime(5000);
        c.setPollNameServerInterval(1000);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(TOPIC, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt m : msgs) {
                String body = new String(m.getBody(), StandardCharsets.UTF_8);
                received.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
                if (m.getReconsumeTimes() > 0) {
                    redelivered.add(body);
                } else if (body.equals("kill-5")) {
                    awaitRelease();
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        shutdowns.add(0, c::shutdown);
    }

    private void awaitRelease() {
        try {
            release.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
