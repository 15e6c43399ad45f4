package io.raftmq.broker.it;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a leader never holds more bytes of unanswered sends than its budget ({@code sendHeldBytesMax}), however many
 * batch sends arrive at once, and refusing is all the budget does: every send is answered SUCCESS or 2 SYSTEM_BUSY
 * with a [REJECTREQUEST] remark, every SUCCESS is stored on every member and nothing else is. Method: a three-member
 * {@link TestCluster} with a budget of about three batches; 200 SEND_BATCH_MESSAGE requests of 32 x 1 KiB written at
 * once over one connection; the bound is read from the batcher's own accounting ({@link SendBatcher#heldBytesPeak}).
 */
@SocketTest
class SendByteBudgetTest {
    private static final String TOPIC = "BudgetTopic";
    private static final int QUEUES = 4;
    private static final int SENDS = 200;
    private static final int MESSAGES_PER_SEND = 32;
    private static final int BODY_BYTES = 1024;
    private static final long BUDGET_BYTES = 100_000;

    @Test
    void concurrentBatchSendsAreAnsweredOkOrBusyAndTheLeaderHoldsAtMostItsBudget(@TempDir Path dir)
        throws Exception {
        Map<String, String> settings = TestCluster.shortSettings();
        settings.put("sendHeldBytesMax", Long.toString(BUDGET_BYTES));
        try (TestCluster c = new TestCluster(dir, 3, settings).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            String addr = leader.config().brokerAddr();
            RemotingCommand first = c.client.invokeSync(addr, batchRequest(-1), 10_000);
            assertThat(first.code()).as("the first send creates the topic: %s", first.remark())
                .isEqualTo(ResponseCode.SUCCESS);
            List<CompletableFuture<RemotingCommand>> answers = new ArrayList<>();
            for (int i = 0; i < SENDS; i++) {
                answers.add(c.client.invokeAsync(addr, batchRequest(i), 30_000));
            }
            int ok = 1;
            int busy = 0;
            for (CompletableFuture<RemotingCommand> f : answers) {
                RemotingCommand r = f.get(60, TimeUnit.SECONDS);
                if (r.code() == ResponseCode.SYSTEM_BUSY) {
                    assertThat(r.remark()).startsWith("[REJECTREQUEST]").contains("budget of " + BUDGET_BYTES);
                    busy++;
                } else {
                    assertThat(r.code()).as("answer %s", r.remark()).isEqualTo(ResponseCode.SUCCESS);
                    ok++;
                }
            }
            SendBatcher batcher = leader.sendBatcher();
            System.err.printf("sends: %d SUCCESS, %d SYSTEM_BUSY; peak held %d bytes of %d%n", ok, busy,
                batcher.heldBytesPeak(), BUDGET_BYTES);
            assertThat(busy).as("the budget refused sends (%d accepted)", ok).isPositive();
            assertThat(batcher.heldBytesPeak()).as("held at most the budget").isPositive()
                .isLessThanOrEqualTo(BUDGET_BYTES);
            assertThat(batcher.heldBytes()).as("all answered: nothing held").isZero();
            long stored = (long) ok * MESSAGES_PER_SEND;
            for (BrokerController b : c.brokers) {
                TestCluster.await(20_000, "every SUCCESS stored on " + b.config().raftSelfId(),
                    () -> messages(b) == stored);
            }
        }
    }

    private static long messages(BrokerController b) {
        long n = 0;
        for (int q = 0; q < QUEUES; q++) {
            n += b.store().consumeQueues().maxOffset(TOPIC, q);
        }
        return n;
    }

    /** SEND_BATCH_MESSAGE of 32 messages of 1 KiB to queue {@code i mod 4}, each with its own UNIQ_KEY. */
    private static RemotingCommand batchRequest(int i) {
        ByteBuffer buf = ByteBuffer.allocate(MESSAGES_PER_SEND * (BODY_BYTES + 128));
        byte[] body = new byte[BODY_BYTES];
        for (int m = 0; m < MESSAGES_PER_SEND; m++) {
            byte[] props = ("UNIQ_KEY\u0001B" + (i + 1) + "-" + m + "\u0002").getBytes(StandardCharsets.UTF_8);
            buf.putInt(20 + body.length + 2 + props.length).putInt(0).putInt(0).putInt(0)
                .putInt(body.length).put(body).putShort((short) props.length).put(props);
        }
        SendMessageRequestHeader h = new SendMessageRequestHeader("BudgetPG", TOPIC, "TBW102", QUEUES,
            Math.floorMod(i, QUEUES), 0, System.currentTimeMillis(), 0, "UNIQ_KEY\u0001B" + (i + 1) + "\u0002", 0,
            false, true, null, TestCluster.GROUP);
        byte[] bytes = new byte[buf.position()];
        buf.flip().get(bytes);
        return RemotingCommand.createRequest(RequestCode.SEND_BATCH_MESSAGE, h.asV2()).setBody(bytes);
    }
}
