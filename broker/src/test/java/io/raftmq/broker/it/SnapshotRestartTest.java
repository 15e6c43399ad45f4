package io.raftmq.broker.it;

import io.raftmq.broker.BrokerController;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.LockBatchRequestBody;
import io.raftmq.client.protocol.body.LockBatchResponseBody;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a member restarts from its newest snapshot and replays only the entries after it (docs/snapshots.md rule 2),
 * and everything the snapshot holds survives: a topic, a subscription group, a consumer offset, a queue lock and a
 * timer message still pending at the restart (delivered once, after the restart, not before its due time). Method:
 * a one-member group with snapshots every 100 entries; the state is made, then 120 more sends so that a snapshot
 * covers it; the member is stopped and started again. The replay is checked by the restored index (the newest
 * snapshot's) and by the number of entries the new instance applied, not by time. In a 3-member group every member
 * takes its own snapshots and a restarted follower starts from its own.
 */
@SocketTest
class SnapshotRestartTest {
    private static final String TOPIC = "SnapTopic";
    private static final String TIMER_TOPIC = "SnapTimerTopic";
    private static final String GROUP = "SnapGroup";
    private static final MessageQueue Q0 = new MessageQueue(TOPIC, TestCluster.GROUP, 0);
    private static final long TIMER_DELAY_SEC = 8;

    @Test
    void aRestartFromTheSnapshotKeepsTheStateAndReplaysOnlyTheEntriesAfterIt(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 1, Map.of("snapshotIntervalEntries", "100")).startAll()) {
            BrokerController b = c.awaitLeaderRegistered(10_000);
            b.topics().createOrUpdate(TopicConfig.of(TOPIC, 4)).get(5, TimeUnit.SECONDS);
            b.groups().createOrUpdate(SubscriptionGroupConfig.defaults(GROUP)).get(5, TimeUnit.SECONDS);
            b.offsets().commit(GROUP, TOPIC, 1, 77).get(5, TimeUnit.SECONDS);
            assertThat(lock(c, b, "client-1")).containsExactly(Q0);
            long timerSentMs = System.currentTimeMillis();
            send(c, b, timerRequest());
            long stateIndex = b.raftStatus().appliedIndex();
            for (int i = 0; i < 120; i++) {
                send(c, b, TestCluster.sendRequest(TOPIC, i % 4, "m" + i, "u" + i));
            }
            Path snapshots = Path.of(c.configs.get(0).storePathRootDir(), "snapshot");
            TestCluster.await(10_000, "a snapshot past the state", () -> newestSnapshot(snapshots) > stateIndex);
            assertThat(b.store().consumeQueues().maxOffset(TIMER_TOPIC, 0)).as("the timer is still parked").isZero();
            long lastBefore = b.raftStatus().lastIndex();

            BrokerController r = c.restart(0);
            long restored = newestSnapshot(snapshots);
            assertThat(r.recoveredIndex()).isEqualTo(restored).isGreaterThan(stateIndex).isGreaterThanOrEqualTo(100);
            c.awaitLeaderRegistered(10_000);
            TestCluster.await(10_000, "caught up", () -> r.raftStatus().appliedIndex() > lastBefore);
            assertThat(r.stateMachine().entriesApplied()).as("only the entries after the snapshot were applied")
                .isEqualTo(r.raftStatus().appliedIndex() - restored);

            assertThat(r.topics().get(TOPIC)).isNotNull();
            assertThat(r.groups().get(GROUP)).isNotNull();
            assertThat(r.offsets().query(GROUP, TOPIC, 1)).isEqualTo(77);
            assertThat(lock(c, r, "client-2")).as("held by client-1 since before the restart").isEmpty();
            assertThat(lock(c, r, "client-1")).containsExactly(Q0);
            TestCluster.await(20_000, "the pending timer delivered",
                () -> r.store().consumeQueues().maxOffset(TIMER_TOPIC, 0) >= 1);
            assertThat(System.currentTimeMillis() - timerSentMs).as("not before its due time")
                .isGreaterThanOrEqualTo(TIMER_DELAY_SEC * 1000 - 1000);
            assertThat(r.store().consumeQueues().maxOffset(TIMER_TOPIC, 0)).as("delivered once").isEqualTo(1);
        }
    }

    @Test
    void everyMemberTakesItsOwnSnapshotsAndAFollowerRestartsFromOne(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, Map.of("snapshotIntervalEntries", "100")).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            leader.topics().createOrUpdate(TopicConfig.of(TOPIC, 4)).get(5, TimeUnit.SECONDS);
            leader.offsets().commit(GROUP, TOPIC, 2, 55).get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 120; i++) {
                send(c, leader, TestCluster.sendRequest(TOPIC, i % 4, "m" + i, "u" + i));
            }
            for (int i = 0; i < 3; i++) {
                Path snapshots = Path.of(c.configs.get(i).storePathRootDir(), "snapshot");
                TestCluster.await(10_000, "member " + i + " took a snapshot", () -> newestSnapshot(snapshots) >= 100);
            }
            BrokerController f = c.follower();
            int at = c.indexOf(f);
            long lastBefore = leader.raftStatus().lastIndex();
            BrokerController r = c.restart(at);
            assertThat(r.recoveredIndex()).isGreaterThanOrEqualTo(100);
            TestCluster.await(10_000, "the follower caught up", () -> r.raftStatus().appliedIndex() >= lastBefore);
            assertThat(r.stateMachine().entriesApplied()).isLessThan(lastBefore);
            assertThat(r.topics().get(TOPIC)).isNotNull();
            assertThat(r.offsets().query(GROUP, TOPIC, 2)).isEqualTo(55);
            assertThat(r.store().consumeQueues().maxOffset(TOPIC, 0)).isEqualTo(30);
        }
    }

    /** The newest snapshot file's index, from the names only (a store opened here would race the member's). */
    private static long newestSnapshot(Path dir) {
        long newest = -1;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                if (n.endsWith(".snap")) {
                    newest = Math.max(newest, Long.parseLong(n.substring(0, n.length() - ".snap".length())));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return newest;
    }

    private static RemotingCommand timerRequest() {
        String props = "UNIQ_KEY\u0001timer-1\u0002WAIT\u0001true\u0002TIMER_DELAY_SEC\u0001" + TIMER_DELAY_SEC
            + "\u0002";
        SendMessageRequestHeader h = new SendMessageRequestHeader("PG", TIMER_TOPIC, "TBW102", 4, 0, 0,
            System.currentTimeMillis(), 0, props, 0, false, false, null, TestCluster.GROUP);
        return RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2, h.asV2())
            .setBody("timer".getBytes(StandardCharsets.UTF_8));
    }

    private static void send(TestCluster c, BrokerController b, RemotingCommand req) throws Exception {
        RemotingCommand r = c.client.invokeSync(b.config().brokerAddr(), req, 5000);
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
        } finally {
            r.release();
        }
    }

    private static List<MessageQueue> lock(TestCluster c, BrokerController b, String client) throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.LOCK_BATCH_MQ)
            .setBody(new LockBatchRequestBody(client, GROUP, List.of(Q0), true).encode());
        RemotingCommand r = c.client.invokeSync(b.config().brokerAddr(), req, 5000);
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            return LockBatchResponseBody.decode(r.bodyBytes()).lockOKMQSet();
        } finally {
            r.release();
        }
    }
}
