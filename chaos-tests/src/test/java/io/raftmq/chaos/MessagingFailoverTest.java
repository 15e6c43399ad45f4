package io.raftmq.chaos;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageClientExt;
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
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Delayed, timer, transactional and orderly messages across a leader kill, on real processes with the official
 * client 5.3.3 (docs/messaging.md). While delayed messages (a delay level), timer messages (deliver-at) and
 * transactional half messages (the local transaction answers UNKNOW; the check-back answers COMMIT for even numbers
 * and ROLLBACK for odd) are pending, and while an orderly producer and a {@link MessageListenerOrderly} consumer
 * run, the leader process is killed with SIGKILL. Afterwards:
 * <ul>
 *   <li>every delayed and timer message is delivered, not before its due time, and stored once (the broker made no
 *       duplicate: one offset msgId per message; a consumer's own redelivery of the same copy is allowed);</li>
 *   <li>every even transaction is checked back by the (new) leader and becomes visible exactly once; no odd one is
 *       ever visible;</li>
 *   <li>the orderly consumer saw each key's sequence in order: a number is never received before its predecessor
 *       (going back, a redelivery, is allowed; skipping ahead is not).</li>
 * </ul>
 * The seed ({@code -Dchaos.seed=N}, printed) fixes the delays and when the orderly stream is cut by the kill.
 */
@ProcessTest
class MessagingFailoverTest {
    private static final String DELAY_TOPIC = "FailDelay";
    private static final String TIMER_TOPIC = "FailTimer";
    private static final String TXN_TOPIC = "FailTxn";
    private static final String ORDER_TOPIC = "FailOrder";
    private static final int DELAY_LEVEL = 4; // 4 s with the levels below
    private static final int PER_KIND = 40;
    private static final int KEYS = 8;

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private final List<Runnable> shutdowns = new ArrayList<>();
    private final Received received = new Received();
    private final Map<String, List<Integer>> orderly = new ConcurrentHashMap<>();
    private final Map<String, Long> dueTimes = new ConcurrentHashMap<>();

    @AfterEach
    void tearDown() {
        shutdowns.forEach(Runnable::run);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(180)
    void pendingDelayedTimerAndTransactionalMessagesSurviveKillingTheLeader() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        SplittableRandom random = new SplittableRandom(seed);
        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir).withBrokerProperties(Map.of(
            "messageDelayLevel", "1s 2s 3s 4s 5s 6s 7s 8s 9s 10s",
            "transactionTimeoutMs", "1000", "transactionCheckIntervalMs", "1000")));
        ProcessCluster.Member leader = cluster.start();
        startConsumers();
        DefaultMQProducer producer = producer("FailPG");
        TxnListener txn = new TxnListener();
        TransactionMQProducer txnProducer = txnProducer(txn);
        AtomicBoolean stopOrderly = new AtomicBoolean();
        Thread orderlyProducer = new Thread(() -> sendOrderly(producer, stopOrderly), "orderly-producer");
        orderlyProducer.start();
        try {
            Map<String, Long> due = sendPending(producer, txnProducer, random);
            dueTimes.putAll(due);
            Awaits.await("orderly sends before the kill").until(() -> orderly.size() == KEYS);
            cluster.kill(leader);
            ProcessCluster.Member next = cluster.awaitRoutedLeader(leader.brokerAddr(), 10_000);
            cluster.restart(leader);
            Awaits.await("every delayed, timer and committed transactional message").atMost(Duration.ofSeconds(60))
                .until(() -> received.keys().containsAll(due.keySet()) && received.keys().containsAll(txn.evens()));
            Awaits.await("every odd transaction rolled back by a check-back").atMost(Duration.ofSeconds(30))
                .until(() -> txn.rolledBack().size() == PER_KIND / 2);
            stopOrderly.set(true);
            orderlyProducer.join(30_000);
            System.out.printf("RESULT messaging-failover seed=%d killed=%s newLeader=%s %s checks=%d%n", seed,
                leader.id(), next.id(), received.summary(due), txn.checks());
            assertDelivery(due, txn);
            assertOrderly();
        } catch (AssertionError | RuntimeException e) {
            System.out.println("missing: " + received.missing(due(), txn.evens()) + " rolled back: "
                + txn.rolledBack().size() + " checks: " + txn.checks());
            System.out.println(cluster.logTails(60));
            throw e;
        } finally {
            stopOrderly.set(true);
            orderlyProducer.join(30_000);
        }
    }

    private Set<String> due() {
        return dueTimes.keySet();
    }

    private void assertDelivery(Map<String, Long> due, TxnListener txn) {
        for (Map.Entry<String, Long> e : due.entrySet()) {
            assertThat(received.firstAt(e.getKey())).as("%s received at or after its due time", e.getKey())
                .isGreaterThanOrEqualTo(e.getValue());
        }
        assertThat(received.storedTwice()).as("messages the broker stored twice").isEmpty();
        assertThat(received.keys()).as("rolled-back transactions are never visible")
            .doesNotContainAnyElementsOf(txn.rolledBack());
    }

    private void assertOrderly() {
        assertThat(orderly).hasSize(KEYS);
        orderly.forEach((key, seen) -> {
            int max = -1;
            for (int s : seen) {
                assertThat(s).as("key %s: %d received before %d", key, s, max + 1).isLessThanOrEqualTo(max + 1);
                max = Math.max(max, s);
            }
            assertThat(max).as("key %s consumed up to", key).isPositive();
        });
    }

    /** Sends the delayed, timer and transactional messages; returns the due time (ms) of each delayed/timer one. */
    private Map<String, Long> sendPending(DefaultMQProducer p, TransactionMQProducer tp, SplittableRandom random)
            throws Exception {
        Map<String, Long> due = new ConcurrentHashMap<>();
        for (int i = 0; i < PER_KIND; i++) {
            String key = "delay-" + i;
            Message m = message(DELAY_TOPIC, key);
            m.setDelayTimeLevel(DELAY_LEVEL);
            long before = System.currentTimeMillis();
            assertThat(p.send(m).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
            due.put(key, before + DELAY_LEVEL * 1000L);
        }
        for (int i = 0; i < PER_KIND; i++) {
            String key = "timer-" + i;
            Message m = message(TIMER_TOPIC, key);
            long at = System.currentTimeMillis() + 3000 + random.nextInt(4000);
            m.setDeliverTimeMs(at);
            assertThat(p.send(m).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
            due.put(key, at);
        }
        for (int i = 0; i < PER_KIND; i++) {
            SendResult r = tp.sendMessageInTransaction(message(TXN_TOPIC, "txn-" + i), null);
            assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
        }
        return due;
    }

    /** Key k gets 0, 1, 2, ... to one queue chosen by the key (the orderly producer's rule). */
    private void sendOrderly(DefaultMQProducer p, AtomicBoolean stop) {
        for (int seq = 0; !stop.get() && seq < 100_000; seq++) {
            for (int k = 0; k < KEYS && !stop.get(); k++) {
                Message m = message(ORDER_TOPIC, "K" + k + ":" + seq);
                int key = k;
                boolean sent = false;
                while (!sent && !stop.get()) {
                    try {
                        sent = p.send(m, (mqs, msg, arg) -> mqs.get((Integer) arg % mqs.size()), key)
                            .getSendStatus() == SendStatus.SEND_OK;
                    } catch (Exception e) { // failover: retry the same number until it is acknowledged
                        sent = false;
                    }
                }
            }
        }
    }

    private void startConsumers() throws MQClientException {
        DefaultMQPushConsumer c = pushConsumer("FailCG");
        c.subscribe(DELAY_TOPIC, "*");
        c.subscribe(TIMER_TOPIC, "*");
        c.subscribe(TXN_TOPIC, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(received::add);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        DefaultMQPushConsumer o = pushConsumer("FailOrderCG");
        o.subscribe(ORDER_TOPIC, "*");
        o.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                String[] kv = new String(m.getBody(), StandardCharsets.UTF_8).split(":");
                orderly.computeIfAbsent(kv[0], k -> new ArrayList<>()).add(Integer.parseInt(kv[1]));
            }
            return ConsumeOrderlyStatus.SUCCESS;
        });
        o.start();
    }

    private DefaultMQPushConsumer pushConsumer(String group) {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(cluster.namesrvAddr());
        c.setInstanceName(group + "-" + System.nanoTime());
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setPollNameServerInterval(200);
        shutdowns.add(c::shutdown);
        return c;
    }

    private DefaultMQProducer producer(String group) throws MQClientException {
        DefaultMQProducer p = new DefaultMQProducer(group);
        configure(p);
        p.start();
        return p;
    }

    private TransactionMQProducer txnProducer(TxnListener listener) throws MQClientException {
        TransactionMQProducer p = new TransactionMQProducer("FailTxnPG");
        configure(p);
        p.setTransactionListener(listener);
        p.start();
        return p;
    }

    private void configure(DefaultMQProducer p) {
        p.setNamesrvAddr(cluster.namesrvAddr());
        p.setInstanceName(p.getProducerGroup() + "-" + System.nanoTime());
        p.setPollNameServerInterval(200);
        p.setHeartbeatBrokerInterval(1000); // default 30 s: a new leader learns the producers (check-back) sooner
        p.setSendMsgTimeout(3000);
        shutdowns.add(p::shutdown);
    }

    private static Message message(String topic, String key) {
        Message m = new Message(topic, key.getBytes(StandardCharsets.UTF_8));
        m.setKeys(key);
        return m;
    }

    /** UNKNOW at first; the check-back commits even numbers and rolls back odd ones. */
    private static final class TxnListener implements TransactionListener {
        private final Set<String> evens = ConcurrentHashMap.newKeySet();
        private final Set<String> rolledBack = ConcurrentHashMap.newKeySet();
        private final Map<String, Integer> checks = new ConcurrentHashMap<>();

        @Override
        public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
            String key = msg.getKeys();
            if (Integer.parseInt(key.substring(key.indexOf('-') + 1)) % 2 == 0) {
                evens.add(key);
            }
            return LocalTransactionState.UNKNOW;
        }

        @Override
        public LocalTransactionState checkLocalTransaction(MessageExt msg) {
            String key = msg.getKeys();
            checks.merge(key, 1, Integer::sum);
            if (evens.contains(key)) {
                return LocalTransactionState.COMMIT_MESSAGE;
            }
            rolledBack.add(key);
            return LocalTransactionState.ROLLBACK_MESSAGE;
        }

        Set<String> evens() {
            return evens;
        }

        Set<String> rolledBack() {
            return rolledBack;
        }

        int checks() {
            return checks.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /** What the concurrent consumer got: first receive time and the stored copies (offset msgIds) per key. */
    private static final class Received {
        private final Map<String, Long> first = new ConcurrentHashMap<>();
        private final Map<String, Set<String>> copies = new ConcurrentHashMap<>();

        void add(MessageExt m) {
            String key = new String(m.getBody(), StandardCharsets.UTF_8);
            first.putIfAbsent(key, System.currentTimeMillis());
            copies.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet())
                .add(((MessageClientExt) m).getOffsetMsgId());
        }

        Set<String> keys() {
            return first.keySet();
        }

        List<String> missing(Set<String> dueKeys, Set<String> evens) {
            List<String> out = new ArrayList<>();
            dueKeys.stream().filter(k -> !first.containsKey(k)).sorted().forEach(out::add);
            evens.stream().filter(k -> !first.containsKey(k)).sorted().forEach(out::add);
            return out;
        }

        long firstAt(String key) {
            return first.get(key);
        }

        List<String> storedTwice() {
            List<String> out = new ArrayList<>();
            copies.forEach((k, ids) -> {
                if (ids.size() > 1) {
                    out.add(k + "=" + ids);
                }
            });
            return out;
        }

        String summary(Map<String, Long> due) {
            long lateMax = 0;
            for (Map.Entry<String, Long> e : due.entrySet()) {
                Long at = first.get(e.getKey());
                lateMax = at == null ? lateMax : Math.max(lateMax, at - e.getValue());
            }
            return "received=" + first.size() + " max_ms_after_due=" + lateMax;
        }
    }
}
