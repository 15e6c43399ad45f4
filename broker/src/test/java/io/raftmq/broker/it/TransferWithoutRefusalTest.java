package io.raftmq.broker.it;

import io.raftmq.broker.BrokerController;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.testsupport.Seeds;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: moving leadership refuses no send, even for a producer that keeps addressing the member that led when it
 * looked the route up (as the official client does until its next route poll) and never retries. Method: a
 * three-member {@link TestCluster}; two threads send synchronously and without retries to the first leader's
 * address, a third to a follower's; meanwhile RAFT_TRANSFER_LEADERSHIP moves leadership several times (the seed,
 * printed, picks the targets and the sends between moves). Every send must answer SUCCESS: the moving leader holds
 * the sends its transfer refuses and forwards them to the new leader (docs/raft-driver.md, "Sends while
 * leadership moves"). The members' hold counters show the hold was used.
 */
@SocketTest
class TransferWithoutRefusalTest {
    private static final String TOPIC = "TransferTopic";
    private static final int MOVES = 4;

    @Test
    @Timeout(120)
    void leadershipMovesWhileProducersSendWithoutRetries(@TempDir Path dir) throws Exception {
        long seed = Seeds.seed("transfer.seed");
        SplittableRandom random = new SplittableRandom(seed);
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController first = c.awaitLeaderRegistered(10_000);
            String leaderAddr = first.config().brokerAddr();
            String followerAddr = c.follower().config().brokerAddr();
            send(c, leaderAddr, "create", new ConcurrentLinkedQueue<>()); // the topic exists before the moves
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger acked = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            List<Thread> senders = List.of(
                sender(c, leaderAddr, "a", stop, acked, failures), sender(c, leaderAddr, "b", stop, acked, failures),
                sender(c, followerAddr, "f", stop, acked, failures));
            senders.forEach(Thread::start);
            try {
                for (int move = 0; move < MOVES; move++) {
                    awaitAcks(acked, acked.get() + 20 + random.nextInt(60));
                    BrokerController from = c.leader();
                    assertThat(from).as("one leader before move " + move).isNotNull();
                    List<BrokerController> others = c.brokers.stream().filter(b -> b != from).toList();
                    String to = others.get(random.nextInt(others.size())).config().brokerAddr();
                    RemotingCommand req = RemotingCommand.createRequest(RequestCode.RAFT_TRANSFER_LEADERSHIP);
                    req.addExtField("to", to);
                    RemotingCommand r = c.client.invokeSync(from.config().brokerAddr(), req, 10_000);
                    try {
                        assertThat(r.code()).as("move " + move + ": " + r.remark()).isEqualTo(ResponseCode.SUCCESS);
                    } finally {
                        r.release();
                    }
                }
                awaitAcks(acked, acked.get() + 50);
            } finally {
                stop.set(true);
                for (Thread t : senders) {
                    t.join(20_000);
                }
            }
            long held = c.brokers.stream().mapToLong(b -> Long.parseLong(runtime(c, b, "sendHeld"))).sum();
            long expired = c.brokers.stream().mapToLong(b -> Long.parseLong(runtime(c, b, "sendHoldExpired"))).sum();
            System.out.printf("RESULT transfer-without-refusal seed=%d moves=%d acknowledged=%d failed=%d held=%d"
                + " hold_expired=%d%n", seed, MOVES, acked.get(), failures.size(), held, expired);
            assertThat(failures).as("refused sends while leadership moved").isEmpty();
            assertThat(expired).isZero();
        }
    }

    private static String runtime(TestCluster c, BrokerController b, String key) {
        try {
            RemotingCommand r = c.client.invokeSync(b.config().brokerAddr(),
                RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO), 5000);
            try {
                return io.raftmq.client.protocol.body.KVTable.decode(r.bodyBytes()).table().get(key);
            } finally {
                r.release();
            }
        } catch (Exception e) {
            throw new IllegalStateException("runtime info of " + b.config().brokerAddr(), e);
        }
    }

    private static void awaitAcks(AtomicInteger acked, int atLeast) throws InterruptedException {
        TestCluster.await(30_000, atLeast + " acknowledged sends", () -> acked.get() >= atLeast);
    }

    private static Thread sender(TestCluster c, String addr, String name, AtomicBoolean stop, AtomicInteger acked,
                                 ConcurrentLinkedQueue<String> failures) {
        Thread t = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                if (send(c, addr, name + "-" + i, failures)) {
                    acked.incrementAndGet();
                }
            }
        }, "sender-" + name);
        t.setDaemon(true);
        return t;
    }

    /** One send without retries; a non-SUCCESS answer or an exception is recorded as a failure. */
    private static boolean send(TestCluster c, String addr, String body, ConcurrentLinkedQueue<String> failures) {
        try {
            RemotingCommand r = c.client.invokeSync(addr, TestCluster.sendRequest(TOPIC, -1, body, "U-" + body),
                5000);
            try {
                if (r.code() == ResponseCode.SUCCESS) {
                    return true;
                }
                failures.add(body + " to " + addr + ": " + r.code() + " " + r.remark());
                return false;
            } finally {
                r.release();
            }
        } catch (Exception e) { // a test thread: every failure is recorded and asserted on
            failures.add(body + " to " + addr + ": " + e);
            return false;
        }
    }
}
