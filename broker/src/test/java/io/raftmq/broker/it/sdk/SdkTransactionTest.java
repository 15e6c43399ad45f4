package io.raftmq.broker.it.sdk;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.consumer.ConcurrentListener;
import io.raftmq.client.consumer.ConsumeFrom;
import io.raftmq.client.consumer.ConsumerConfig;
import io.raftmq.client.consumer.PushConsumer;
import io.raftmq.client.consumer.ReceivedMessage;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendStatus;
import io.raftmq.client.producer.TransactionListener;
import io.raftmq.client.producer.TransactionProducer;
import io.raftmq.client.producer.TransactionSendResult;
import io.raftmq.client.producer.TransactionState;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the SDK's transactional producer against a three-member RaftMQ group with short transaction timings
 * (docs/messaging.md "Transactions"): a committed message becomes visible once, a rolled-back one never, an unknown
 * one after the broker's check-back is answered COMMIT, and a half message whose producer died is resolved through
 * a new producer instance of the same group. Method: every half is identified by its body; what became visible is
 * what an SDK push consumer from the first offset receives; nothing may stay pending on any member.
 */
@SocketTest
class SdkTransactionTest {
    private static final String TOPIC = "SdkTxnTopic";

    private static Map<String, String> settings() {
        return Map.of("transactionTimeoutMs", "1000", "transactionCheckIntervalMs", "500", "transactionCheckMax",
            "1000");
    }

    @Test
    void commitRollbackAndUnknownThenCheckBack(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, settings()).startAll()) {
            c.awaitLeaderRegistered(10_000);
            Map<String, AtomicInteger> checks = new ConcurrentHashMap<>();
            Map<String, String> checkedIds = new ConcurrentHashMap<>();
            Map<String, String> sentIds = new ConcurrentHashMap<>();
            Set<String> expected = new HashSet<>();
            try (TransactionProducer p = producer(c, "SdkTxnPG", body -> body.startsWith("commit")
                ? TransactionState.COMMIT : body.startsWith("rollback") ? TransactionState.ROLLBACK
                : body.startsWith("throw") ? fail() : TransactionState.UNKNOWN, m -> {
                    checks.computeIfAbsent(m.bodyString(), k -> new AtomicInteger()).incrementAndGet();
                    checkedIds.put(m.bodyString(), m.msgId() + "@" + m.topic());
                    return TransactionState.COMMIT;
                })) {
                p.start();
                for (String kind : new String[] {"commit", "rollback", "unknown", "throw"}) {
                    for (int i = 0; i < 3; i++) {
                        String body = kind + "-" + i;
                        TransactionSendResult r = p.send(Message.of(TOPIC, body).keys("k-" + body), body);
                        assertThat(r.send().status()).isEqualTo(SendStatus.SEND_OK);
                        assertThat(r.state()).isEqualTo(kind.equals("commit") ? TransactionState.COMMIT
                            : kind.equals("rollback") ? TransactionState.ROLLBACK : TransactionState.UNKNOWN);
                        sentIds.put(body, r.send().msgId());
                        if (!kind.equals("rollback")) {
                            expected.add(body);
                        }
                    }
                }
                TestCluster.await(20_000, "every half resolved on every member", () -> pendingEverywhere(c) == 0);
            }
            Map<String, AtomicInteger> received = consume(c, "SdkTxnCG", expected.size());
            assertThat(received.keySet()).isEqualTo(expected);
            assertThat(received.values()).allMatch(n -> n.get() == 1);
            assertThat(checks.keySet()).allMatch(b -> b.startsWith("unknown") || b.startsWith("throw")).hasSize(6);
            for (Map.Entry<String, String> e : checkedIds.entrySet()) {
                assertThat(e.getValue()).isEqualTo(sentIds.get(e.getKey()) + "@" + TOPIC);
            }
        }
    }

    @Test
    void aHalfLeftByADeadProducerIsResolvedByItsSuccessor(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, settings()).startAll()) {
            c.awaitLeaderRegistered(10_000);
            Set<String> sent = new HashSet<>();
            TransactionProducer first = producer(c, "SdkTxnDiesPG", body -> TransactionState.UNKNOWN,
                m -> TransactionState.UNKNOWN);
            first.start();
            for (int i = 0; i < 2; i++) {
                assertThat(first.send(Message.of(TOPIC, "orphan-" + i), null).state())
                    .isEqualTo(TransactionState.UNKNOWN);
                sent.add("orphan-" + i);
            }
            TestCluster.await(10_000, "2 halves pending on every member", () -> allPending(c, 2));
            first.shutdown(); // its halves stay pending: only a producer of the group can resolve them
            Set<String> checked = ConcurrentHashMap.newKeySet();
            try (TransactionProducer next = producer(c, "SdkTxnDiesPG", body -> TransactionState.ROLLBACK, m -> {
                checked.add(m.bodyString());
                return TransactionState.COMMIT;
            })) {
                next.start();
                TestCluster.await(20_000, "the successor resolved both halves", () -> pendingEverywhere(c) == 0);
            }
            assertThat(checked).isEqualTo(sent);
            assertThat(consume(c, "SdkTxnDiesCG", 2).keySet()).isEqualTo(sent);
        }
    }

    private static TransactionState fail() {
        throw new IllegalStateException("local transaction failed (test)");
    }

    private static TransactionProducer producer(TestCluster c, String group, Function<String, TransactionState> local,
                                                Function<ReceivedMessage, TransactionState> check) {
        return new TransactionProducer(ProducerConfig.builder().namesrv(c.namesrv()).group(group).build(),
            new TransactionListener() {
                @Override
                public TransactionState executeLocal(Message msg, Object arg) {
                    assertThat(arg).isIn(null, new String(msg.body(), java.nio.charset.StandardCharsets.UTF_8));
                    return local.apply(new String(msg.body(), java.nio.charset.StandardCharsets.UTF_8));
                }

                @Override
                public TransactionState checkLocal(ReceivedMessage msg) {
                    return check.apply(msg);
                }
            }, 1_000);
    }

    /** What an SDK push consumer from the first offset receives, once {@code expected} bodies arrived. */
    private static Map<String, AtomicInteger> consume(TestCluster c, String group, int expected) throws Exception {
        Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
        PushConsumer consumer = PushConsumer.concurrent(ConsumerConfig.builder().namesrv(c.namesrv()).group(group)
            .subscribe(TOPIC, "*").consumeFrom(ConsumeFrom.FIRST).build(), msgs -> {
                msgs.forEach(m -> received.computeIfAbsent(m.bodyString(), k -> new AtomicInteger())
                    .incrementAndGet());
                return ConcurrentListener.Status.SUCCESS;
            });
        consumer.start();
        try {
            TestCluster.await(20_000, expected + " messages consumed", () -> received.size() >= expected);
            assertThat(visible(c.leader(), TOPIC)).as("messages in the topic's queues").isEqualTo(expected);
        } finally {
            consumer.shutdown();
        }
        return received;
    }

    /** Messages in {@code topic}'s ConsumeQueues on {@code b}. */
    private static long visible(BrokerController b, String topic) {
        long n = 0;
        for (int q = 0; q < 16; q++) {
            n += b.store().consumeQueues().maxOffset(topic, q);
        }
        return n;
    }

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
}
