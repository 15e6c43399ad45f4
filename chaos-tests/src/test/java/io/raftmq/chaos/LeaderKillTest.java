package io.raftmq.chaos;

import io.raftmq.chaos.check.DeliveryChecker;
import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.exception.RemotingException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The issue's acceptance point, on real processes: the official {@code rocketmq-client} 5.3.3 producer sends a stream
 * of synchronous sends to a three-member group ({@link ProcessCluster}: NameServer + three broker JVMs on 127.0.0.1-3);
 * after a seeded number of acknowledgements the LEADER PROCESS is killed with SIGKILL mid-stream. Then:
 * <ul>
 *   <li>a new leader is elected and routed as brokerId 0 by the NameServer within 2 s of the kill (asserted;
 *       measured from just before the signal to the first route query showing another id-0 address, polled every
 *       10 ms), and the producer gets its first SEND_OK from the new leader (reported, and asserted within 10 s);
 *   <li>every message the producer got SEND_OK for is consumed afterwards by an official
 *       {@link DefaultLitePullConsumer} reading every queue from offset 0: 0 lost (duplicates, e.g. from the
 *       client's own retries, are counted and allowed);
 *   <li>the killed member, restarted on its data, rejoins as a follower and the route keeps the new leader.
 * </ul>
 * The official client refreshes routes every 30 s by default; the test sets {@code pollNameServerInterval} to 200 ms
 * so the producer learns the new leader quickly. (A stale route would still work against a live follower, which
 * forwards sends to the leader, but not against the killed process.) The seed ({@code -Dchaos.seed=N}, printed)
 * fixes when the kill happens; the figures are printed in one RESULT line.
 */
@ProcessTest
class LeaderKillTest {
    private static final String TOPIC = "ChaosLeaderKill";
    private static final long ELECTION_AND_ROUTE_MAX_MS = 2000;

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private DefaultMQProducer producer;
    private DefaultLitePullConsumer consumer;

    @AfterEach
    void tearDown() {
        if (producer != null) {
            producer.shutdown();
        }
        if (consumer != null) {
            consumer.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(120)
    void everyAcknowledgedSendSurvivesKillingTheLeaderProcess() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        SplittableRandom random = new SplittableRandom(seed);
        int acksBeforeKill = 100 + random.nextInt(200);

        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir));
        ProcessCluster.Member leader = cluster.start();
        History history = new History();
        producer = producer(cluster.namesrvAddr(), seed);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acked = new AtomicInteger();
        Thread sender = new Thread(() -> sendUntil(stop, history, acked, seed), "chaos-producer");
        sender.start();
        try {
            Awaits.await(acksBeforeKill + " acknowledged sends").until(() -> acked.get() >= acksBeforeKill);
            long killNanos = history.info("nemesis", "kill", leader.id(), "pid " + leader.pid());
            cluster.kill(leader);
            ProcessCluster.Member next = cluster.awaitRoutedLeader(leader.brokerAddr(), 10_000);
            long routedNanos = history.info("nemesis", "routed-leader", next.id(), next.brokerAddr());
            History.Event firstOk = awaitOkFrom(history, next, killNanos);
            int ackedAtRoute = acked.get();
            Awaits.await("100 more acknowledged sends").until(() -> acked.get() >= ackedAtRoute + 100);
            stop.set(true);
            sender.join(30_000);

            consumeAll(history);
            DeliveryChecker.Result result = DeliveryChecker.check(history);
            double electMs = (routedNanos - killNanos) / 1e6;
            double firstOkMs = (firstOk.nanos() - killNanos) / 1e6;
            System.out.printf("RESULT leader-kill seed=%d killed=%s newLeader=%s kill_to_routed_ms=%.0f"
                + " kill_to_first_send_ok_ms=%.0f %s%n", seed, leader.id(), next.id(), electMs, firstOkMs, result);

            assertThat(result.lost()).as("acknowledged but never consumed").isEmpty();
            assertThat(result.phantoms()).as("consumed but never sent").isEmpty();
            assertThat(result.acknowledged()).isGreaterThanOrEqualTo(acksBeforeKill + 100);
            assertThat(next.id()).isNotEqualTo(leader.id());
            assertThat(electMs).as("kill -> new leader routed as brokerId 0 (ms)")
                .isLessThan(ELECTION_AND_ROUTE_MAX_MS);

            cluster.restart(leader); // same data: it rejoins as a follower of the new leader
            Awaits.await("the restarted " + leader.id() + " to follow")
                .until(() -> cluster.role(leader).equals("FOLLOWER"));
            assertThat(cluster.routedLeader()).isEqualTo(next.brokerAddr());
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(40));
            throw e;
        } finally {
            stop.set(true);
            sender.join(30_000);
        }
    }

    private static DefaultMQProducer producer(String namesrv, long seed) throws MQClientException {
        DefaultMQProducer p = new DefaultMQProducer("ChaosPG");
        p.setNamesrvAddr(namesrv);
        p.setInstanceName("chaos-p-" + seed);
        p.setPollNameServerInterval(200); // default 30 s: learn the new leader's route quickly
        p.setSendMsgTimeout(3000);
        p.setRetryTimesWhenSendFailed(2);
        p.start();
        return p;
    }

    /** One thread of synchronous sends, value "v-N": OK on SEND_OK, INFO (outcome unknown) on anything else. */
    private void sendUntil(AtomicBoolean stop, History h, AtomicInteger acked, long seed) {
        for (int i = 0; !stop.get() && i < 50_000; i++) {
            String v = "v-" + seed + "-" + i;
            h.invoke("producer", "send", v);
            Message m = new Message(TOPIC, v.getBytes(StandardCharsets.UTF_8));
            m.setKeys(v);
            try {
                SendResult r = producer.send(m);
                if (r.getSendStatus() == SendStatus.SEND_OK) {
                    h.ok("producer", "send", v, r.getOffsetMsgId());
                    acked.incrementAndGet();
                } else {
                    h.info("producer", "send", v, r.getSendStatus().name());
                }
            } catch (MQClientException | RemotingException | MQBrokerException e) {
                h.info("producer", "send", v, e.toString());
            } catch (InterruptedException e) {
                h.info("producer", "send", v, "interrupted");
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The first SEND_OK after the kill that the new leader stored (its offset msgId names the store host). */
    private static History.Event awaitOkFrom(History h, ProcessCluster.Member next, long killNanos) {
        History.Event[] found = new History.Event[1];
        Awaits.await("a SEND_OK from the new leader " + next.id()).atMost(Duration.ofSeconds(10)).until(() -> {
            for (History.Event e : h.select(History.Type.OK, "send")) {
                if (e.nanos() - killNanos >= 0 && storeHost(e.detail()).equals(next.brokerAddr())) {
                    found[0] = e;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    private static String storeHost(String offsetMsgId) {
        try {
            InetSocketAddress a = (InetSocketAddress) MessageDecoder.decodeMessageId(offsetMsgId).getAddress();
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("bad offset msgId " + offsetMsgId, e);
        }
    }

    /** Reads every queue of the topic from offset 0 until every acknowledged value was seen or 30 s passed. */
    private void consumeAll(History h) throws MQClientException {
        consumer = new DefaultLitePullConsumer("ChaosCG");
        consumer.setNamesrvAddr(cluster.namesrvAddr());
        consumer.setInstanceName("chaos-c-" + System.nanoTime());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setAutoCommit(false);
        consumer.setPollTimeoutMillis(500);
        consumer.start();
        Collection<MessageQueue> queues = consumer.fetchMessageQueues(TOPIC);
        consumer.assign(queues);
        Set<String> pending = new HashSet<>();
        h.select(History.Type.OK, "send").forEach(e -> pending.add(e.value()));
        long deadline = System.nanoTime() + 30_000_000_000L;
        int idlePolls = 0;
        while (System.nanoTime() - deadline < 0 && (!pending.isEmpty() || idlePolls < 2)) {
            List<MessageExt> batch = consumer.poll();
            idlePolls = batch.isEmpty() ? idlePolls + 1 : 0;
            for (MessageExt m : batch) {
                String v = new String(m.getBody(), StandardCharsets.UTF_8);
                h.ok("consumer", "consume", v, m.getQueueId() + "@" + m.getQueueOffset());
                pending.remove(v);
            }
        }
    }
}
