package io.raftmq.broker.transaction;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: transactional messages work with the official RocketMQ 5.3.3 TransactionMQProducer, unchanged, against a
 * three-member RaftMQ group with short transaction timings (docs/messaging.md "Transactions"). Method: each test
 * sends half messages whose local transaction answers COMMIT, ROLLBACK or UNKNOW, lets the leader check back, and
 * checks what became visible (a push consumer and the leader's ConsumeQueues) and what is still pending on every
 * member. The client's heartbeat and route polling run every second so a new leader learns the producer quickly.
 */
@SocketTest
class OfficialTransactionTest {
    private static final String TOPIC = "TxnTopic";

    private static Map<String, String> settings(long timeoutMs, long intervalMs, int checkMax) {
        return Map.of("transactionTimeoutMs", Long.toString(timeoutMs), "transactionCheckIntervalMs",
            Long.toString(intervalMs), "transactionCheckMax", Integer.toString(checkMax));
    }

    @Test
    void exactlyTheCommittedMessagesBecomeVisibleOnce(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, settings(1000, 1000, 15)).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();
            TransactionMQProducer p = producer(c, "TxnPG", body -> body.startsWith("commit")
                ? LocalTransactionState.COMMIT_MESSAGE : body.startsWith("rollback")
                ? LocalTransactionState.ROLLBACK_MESSAGE : LocalTransactionState.UNKNOW, body -> {
                    checks.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
                    return LocalTransactionState.COMMIT_MESSAGE;
                });
            Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
            DefaultMQPushConsumer consumer = consumer(c, "TxnCG", received);
            try {
                Set<String> expected = new HashSet<>();
                for (String kind : new String[] {"commit", "rollback", "unknown"}) {
                    for (int i = 0; i < 4; i++) {
                        String body = kind + "-" + i;
                        TransactionSendResult r = p.sendMessageInTransaction(msg(body), null);
                        assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                        if (!kind.equals("rollback")) {
                            expected.add(body);
                        }
                    }
                }
                consumer.start();
                TestCluster.await(20_000, "every half resolved on every member", () -> pendingEverywhere(c) == 0);
                TestCluster.await(10_000, "the committed messages consumed", () -> received.keySet()
                    .equals(expected));
                assertThat(visible(leader, TOPIC)).isEqualTo(expected.size());
                assertThat(received.values()).allMatch(n -> n.get() == 1);
                assertThat(checks.keySet()).allMatch(b -> b.startsWith("unknown")).hasSize(4);
            } finally {
                consumer.shutdown();
                p.shutdown();
            }
        }
    }

    @Test
    void halvesNeverAnsweredAreDiscardedAfterCheckMax(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, settings(1000, 500, 2)).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();
            TransactionMQProducer p = producer(c, "TxnMaxPG", body -> LocalTransactionState.UNKNOW, body -> {
                checks.computeIfAbsent(body, k -> new AtomicInteger()).incrementAndGet();
                return LocalTransactionState.UNKNOW;
            });
            try {
                for (int i = 0; i < 2; i++) {
                    p.sendMessageInTransaction(msg("never-" + i), null);
                }
                TestCluster.await(20_000, "both halves discarded", () -> pendingEverywhere(c) == 0);
                assertThat(visible(leader, TransactionNames.CHECK_MAX_TOPIC)).isEqualTo(2);
                assertThat(visible(leader, TOPIC)).isZero();
                assertThat(leader.topics().get(TransactionNames.CHECK_MAX_TOPIC).perm() & QueueData.PERM_READ)
                    .isNotZero();
                assertThat(checks).hasSize(2);
                assertThat(checks.values()).allMatch(n -> n.get() <= 2);
            } finally {
                p.shutdown();
            }
        }
    }

    @Test
    void aNewLeaderChecksBackTheHalvesItsPredecessorLeftPending(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, settings(1000, 1000, 1000)).startAll()) {
            BrokerController first = c.awaitLeaderRegistered(10_000);
            Set<String> answered = ConcurrentHashMap.newKeySet();
            AtomicInteger commitFrom = new AtomicInteger(Integer.MAX_VALUE);
            TransactionMQProducer p = producer(c, "TxnFailoverPG", body -> LocalTransactionState.UNKNOW, body -> {
                if (c.leader() == null || c.indexOf(c.leader()) != commitFrom.get()) {
                    return LocalTransactionState.UNKNOW;
                }
                answered.add(body);
                return LocalTransactionState.COMMIT_MESSAGE;
            });
            try {
                for (int i = 0; i < 3; i++) {
                    p.sendMessageInTransaction(msg("failover-" + i), null);
                }
                TestCluster.await(10_000, "3 halves pending on every member", () -> allPending(c, 3));
                first.shutdown();
                BrokerController next = c.awaitLeaderRegistered(15_000);
                assertThat(next).isNotSameAs(first);
                commitFrom.set(c.indexOf(next));
                TestCluster.await(30_000, "the new leader resolved every half", () -> pendingEverywhere(c) == 0);
                assertThat(visible(next, TOPIC)).isEqualTo(3);
                assertThat(answered).hasSize(3);
            } finally {
                p.shutdown();
            }
        }
    }

    private static TransactionMQProducer producer(TestCluster c, String group,
                                                  Function<String, LocalTransactionState> local,
                                                  Function<String, LocalTransactionState> check) throws Exception {
        TransactionMQProducer p = new TransactionMQProducer(group);
        p.setNamesrvAddr(c.namesrv());
        p.setInstanceName(group + "-" + System.nanoTime());
        p.setSendMsgTimeout(5000);
        p.setHeartbeatBrokerInterval(1000);
        p.setPollNameServerInterval(1000);
        p.setTransactionListener(new TransactionListener() {
            @Override
            public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
                return local.apply(new String(msg.getBody(), StandardCharsets.UTF_8));
            }

            @Override
            public LocalTransactionState checkLocalTransaction(MessageExt msg) {
                return check.apply(new String(msg.getBody(), StandardCharsets.UTF_8));
            }
        });
        p.start();
        return p;
    }

    private static DefaultMQPushConsumer consumer(TestCluster c, String group, Map<String, AtomicInteger> received)
            throws Exception {
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(c.namesrv());
        consumer.setInstanceName(group + "-" + System.nanoTime());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(TOPIC, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt m : msgs) {
                received.computeIfAbsent(new String(m.getBody(), StandardCharsets.UTF_8), k -> new AtomicInteger())
                    .incrementAndGet();
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        return consumer;
    }

    private static Message msg(String body) {
        return new Message(TOPIC, "TagA", body.getBytes(StandardCharsets.UTF_8));
    }

    /** Pending halves summed over the running members. */
    private static int pendingEverywhere(TestCluster c) {
        int n = 0;
        for (BrokerController b : c.brokers) {
            n += b.isStarted() ? b.transactions().pending().size() : 0;
        }
        return n;
    }

    private static boolean allPending(TestCluster c, int n) {
        for (BrokerController b : c.brokers) {
            if (b.transactions().pending().size() != n) {
                return false;
            }
        }
        return true;
    }

    /** Messages in {@code topic}'s ConsumeQueues on {@code b}. */
    private static long visible(BrokerController b, String topic) {
        long n = 0;
        for (int q = 0; q < 16; q++) {
            n += b.store().consumeQueues().maxOffset(topic, q);
        }
        return n;
    }
}
