package io.raftmq.broker.lock;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.LockBatchRequestBody;
import io.raftmq.client.protocol.body.LockBatchResponseBody;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.testing.EmbeddedRemotingServer;
import io.raftmq.raft.driver.NotLeaderException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: LOCK/UNLOCK_BATCH_MQ as the client sees them, over the wire codec (embedded connection), with an injected
 * clock and readiness and a log that applies each proposal before completing it: a ready leader answers from the
 * applied entry; expiry and the renewal at a new leader's readiness follow the clock; empty sets and members that
 * may not grant propose nothing; a lost leadership answers 14.
 */
class QueueLockProcessorTest {
    private static final long EXPIRY = 60_000;
    private static final MessageQueue Q0 = new MessageQueue("t", "b", 0);
    private static final MessageQueue Q1 = new MessageQueue("t", "b", 1);

    private final QueueLockTable table = new QueueLockTable();
    private final List<byte[]> proposed = new ArrayList<>();
    private final long[] now = {1_000};
    private final long[] term = {1};
    private boolean leader = true;
    private final EmbeddedRemotingServer server = new EmbeddedRemotingServer();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    /** The log: applies the entry to the table, then completes (as the raft agent does after the apply). */
    private final MetadataProposer log = new MetadataProposer() {
        @Override
        public boolean isLeader() {
            return leader;
        }

        @Override
        public CompletableFuture<Void> propose(byte type, byte[] payload) {
            assertThat(type).isEqualTo(EntryType.QUEUE_LOCK);
            if (!leader) {
                return CompletableFuture.failedFuture(new NotLeaderException(2));
            }
            proposed.add(payload);
            table.apply(proposed.size(), payload);
            return CompletableFuture.completedFuture(null);
        }
    };

    @BeforeEach
    void start() throws Exception {
        ReadyTime ready = new ReadyTime(() -> term[0], () -> now[0]);
        QueueLockProcessor p = new QueueLockProcessor(table, log, ready, () -> now[0], EXPIRY, 3000);
        for (int code : QueueLockProcessor.CODES) {
            server.registerProcessor(code, p, executor);
        }
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        executor.shutdownNow();
    }

    private RemotingCommand call(int code, String client, String group, List<MessageQueue> qs) throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(code)
            .setBody(new LockBatchRequestBody(client, group, qs, true).encode());
        return server.call(req);
    }

    private List<MessageQueue> lock(String client, MessageQueue... qs) throws Exception {
        RemotingCommand r = call(RequestCode.LOCK_BATCH_MQ, client, "g", List.of(qs));
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            return LockBatchResponseBody.decode(r.bodyBytes()).lockOKMQSet();
        } finally {
            r.release();
        }
    }

    @Test
    void aReadyLeaderGrantsRefusesAndLetsExpiredLocksGo() throws Exception {
        assertThat(lock("a", Q0)).containsExactly(Q0);
        assertThat(lock("b", Q0, Q1)).containsExactly(Q1);
        now[0] += EXPIRY;
        assertThat(lock("b", Q0)).as("exactly at expiry").isEmpty();
        now[0] += 1;
        assertThat(lock("b", Q0)).containsExactly(Q0);
        assertThat(proposed).hasSize(4);
        QueueLockEntry last = QueueLockCodec.decode(proposed.get(3));
        assertThat(last.nowMs()).isEqualTo(now[0]);
        assertThat(last.readyMs()).isEqualTo(1_000);
        assertThat(last.expiryMs()).isEqualTo(EXPIRY);
    }

    @Test
    void unlockFreesTheCallersQueuesAfterCommit() throws Exception {
        lock("a", Q0, Q1);
        RemotingCommand r = call(RequestCode.UNLOCK_BATCH_MQ, "a", "g", List.of(Q0));
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        r.release();
        assertThat(table.holder("g", Q0)).isNull();
        assertThat(lock("b", Q0, Q1)).containsExactly(Q0);
    }

    @Test
    void aNewLeaderRenewsEveryLockWhenItBecomesReady() throws Exception {
        lock("a", Q0);
        term[0] = 2; // a new leader (here: the same member in a new term) ready at 30 s
        now[0] = 30_000;
        assertThat(lock("c", Q1)).as("the first call observes the readiness").containsExactly(Q1);
        now[0] = 1_000 + EXPIRY + 1;
        assertThat(lock("b", Q0)).as("expired by its last lock call, renewed at the ready time").isEmpty();
        now[0] = 30_000 + EXPIRY + 1;
        assertThat(lock("b", Q0)).containsExactly(Q0);
        assertThat(QueueLockCodec.decode(proposed.get(proposed.size() - 1)).readyMs()).isEqualTo(30_000);
    }

    @Test
    void emptySetsAndUnknownGroupsAreAnsweredLikeRocketMq() throws Exception {
        assertThat(lock("a")).isEmpty();
        RemotingCommand r = call(RequestCode.UNLOCK_BATCH_MQ, "a", "g", List.of());
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        r.release();
        assertThat(proposed).as("nothing proposed for an empty set").isEmpty();
        RemotingCommand unknown = call(RequestCode.LOCK_BATCH_MQ, "a", "never-created-group", List.of(Q0));
        assertThat(LockBatchResponseBody.decode(unknown.bodyBytes()).lockOKMQSet()).containsExactly(Q0);
        unknown.release();
    }

    @Test
    void aMemberThatMayNotGrantReportsTheReplicatedLocksOnly() throws Exception {
        lock("a", Q0);
        term[0] = 0;
        int before = proposed.size();
        assertThat(lock("a", Q0, Q1)).as("held before, not granted now").containsExactly(Q0);
        assertThat(lock("b", Q0, Q1)).isEmpty();
        RemotingCommand r = call(RequestCode.UNLOCK_BATCH_MQ, "a", "g", List.of(Q0));
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        r.release();
        assertThat(table.holder("g", Q0)).isEqualTo("a");
        now[0] += EXPIRY + 1;
        assertThat(lock("a", Q0)).as("expired by the local clock").isEmpty();
        assertThat(proposed).hasSize(before);
    }

    @Test
    void aLostLeadershipAnswersServiceNotAvailable() throws Exception {
        leader = false;
        RemotingCommand r = call(RequestCode.LOCK_BATCH_MQ, "a", "g", List.of(Q0));
        assertThat(r.code()).isEqualTo(ResponseCode.SERVICE_NOT_AVAILABLE);
        r.release();
    }
}
