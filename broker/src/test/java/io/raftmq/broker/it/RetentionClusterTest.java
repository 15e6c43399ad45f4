package io.raftmq.broker.it;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.retention.DiskUsage;
import io.raftmq.broker.retention.RetentionService;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;
import io.raftmq.client.protocol.header.PullMessageResponseHeader;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: retention works on a real three-member group: head segments are deleted on every member (expired ones, and
 * with a disk above diskSpaceCleanForciblyRatio unexpired ones oldest first), ConsumeQueues follow, a pull below the
 * new minimum is answered PULL_OFFSET_MOVED with the new minimum, every message still retained is served with its
 * own body, sends keep being accepted at 90 % and are refused with a clear error (nothing stored) on a full disk,
 * runtime info counts the deletions, and a member restarted after a deletion
 * starts from its compacted log (the boundary answers for the first index minus one) and catches up by log; a
 * leader keeps what a stopped follower still needs while that follower counts as live, and deletes once it is back.
 * Method: 1 MiB segments, 100 KB messages, fileReservedTime 1 h, retention every 200 ms at every hour; hours pass by
 * shifting the members' wall clock (raft keeps real time); each member compacts to its own snapshots (a run held back
 * by the snapshot floor asks for one), and its disk usage port is set by the test. Pulls are checked once retention is
 * idle, so they race no deletion.
 */
@SocketTest
class RetentionClusterTest {
    private static final String TOPIC = "RetentionTopic";
    private static final int BODY_BYTES = 100_000;

    private static final long HOUR = 3_600_000L;
    /** The members' clock: real nanoseconds (raft ticks), wall time shifted by the test to let hours pass. */
    private final ShiftedClock clock = new ShiftedClock();

    private static Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("commitLogSegmentBytes", Integer.toString(1 << 20));
        m.put("sendBatchBytesMax", Integer.toString(512 << 10));
        m.put("fileReservedTime", "1");
        m.put("deleteWhen", "00;01;02;03;04;05;06;07;08;09;10;11;12;13;14;15;16;17;18;19;20;21;22;23");
        m.put("cleanResourceInterval", "200");
        return m;
    }

    /** Starts every member with {@code disk} as its disk usage. */
    private void start(TestCluster c, DiskUsage disk) throws Exception {
        for (int i = 0; i < c.configs.size(); i++) {
            c.brokers.add(startMember(c, i, disk));
        }
    }

    private BrokerController startMember(TestCluster c, int i, DiskUsage disk) throws Exception {
        BrokerController b = new BrokerController(c.configs.get(i), clock);
        b.useRetentionPorts(null, disk); // the member's own snapshot store: a run held back by it asks for one
        b.start();
        return b;
    }

    private static String body(int n) {
        String head = "m" + n + "-";
        return head + "x".repeat(BODY_BYTES - head.length());
    }

    private static long send(TestCluster c, BrokerController leader, int n) throws Exception {
        RemotingCommand r = c.client.invokeSync(leader.config().brokerAddr(),
            TestCluster.sendRequest(TOPIC, 0, body(n), "UNIQ-" + n), 5000);
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            return SendMessageResponseHeader.decode(r.extFields()).queueOffset();
        } finally {
            r.release();
        }
    }

    @Test
    void expiredHeadSegmentsGoOnEveryMemberAndARestartedMemberStillServes(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, settings())) {
            start(c, () -> 0.10);
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            for (int n = 0; n < 40; n++) {
                assertThat(send(c, leader, n)).isEqualTo(n);
            }
            for (BrokerController b : c.brokers) {
                TestCluster.await(5000, "dispatched on " + b.config().raftSelfId(), () -> queue(b).maxOffset() == 40);
            }
            assertThat(c.brokers).allSatisfy(b -> assertThat(b.retention().deletedSegments()).isZero());
            clock.shiftMs.addAndGet(2 * HOUR); // every message so far is now older than fileReservedTime
            for (BrokerController b : c.brokers) {
                TestCluster.await(20_000, "head segments deleted on " + b.config().raftSelfId(),
                    () -> b.retention().deletedSegments() >= 2 && queue(b).minOffset() > 0);
                awaitRetentionIdle(b);
            }
            for (int n = 40; n < 45; n++) {
                assertThat(send(c, leader, n)).isEqualTo(n);
            }
            for (BrokerController b : c.brokers) {
                TestCluster.await(5000, "all sends dispatched on " + b.config().raftSelfId(),
                    () -> queue(b).maxOffset() == 45);
                awaitRetentionIdle(b); // the new sends sealed the segment of the last old messages: it expires too
                assertServesFromMin(c, b, 45);
                Map<String, String> info = runtimeInfo(c, b);
                assertThat(Long.parseLong(info.get("retentionDeletedSegments"))).isGreaterThanOrEqualTo(2);
                assertThat(Long.parseLong(info.get("retentionDeletedBytes"))).isGreaterThanOrEqualTo(2L << 20);
                assertThat(Long.parseLong(info.get("commitLogMinOffset"))).isGreaterThanOrEqualTo(2L << 20);
            }

            BrokerController follower = c.follower();
            int i = c.indexOf(follower);
            long firstIndex = follower.store().commitLog().firstIndex();
            assertThat(firstIndex).isGreaterThan(1);
            assertThat(Files.exists(dir.resolve("n" + i).resolve("raft-compaction-boundary"))).isTrue();
            follower.shutdown();
            BrokerController again = startMember(c, i, () -> 0.10);
            c.brokers.set(i, again);
            assertThat(again.store().commitLog().firstIndex()).as("restarted on its compacted log")
                .isGreaterThanOrEqualTo(firstIndex);
            for (int n = 45; n < 48; n++) {
                send(c, c.awaitLeaderRegistered(10_000), n);
            }
            TestCluster.await(10_000, "the restarted member caught up by log",
                () -> queue(again).maxOffset() == 48 && !again.raftStatus().failed());
            assertThat(again.raftStatus().appliedIndex()).isEqualTo(again.store().commitLog().lastIndex());
        }
    }

    @Test
    void aDiskAboveTheForciblyRatioDeletesOldestFirstAndAFullOneRefusesSends(@TempDir Path dir)
        throws Exception {
        AtomicInteger usedPercent = new AtomicInteger(10); // set here, read by the members' schedulers
        try (TestCluster c = new TestCluster(dir, 3, settings())) {
            start(c, () -> usedPercent.get() / 100.0);
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            for (int n = 0; n < 40; n++) {
                send(c, leader, n);
            }
            for (BrokerController b : c.brokers) {
                TestCluster.await(5000, "dispatched on " + b.config().raftSelfId(), () -> queue(b).maxOffset() == 40);
            }
            assertThat(c.brokers).allSatisfy(b -> assertThat(b.retention().deletedSegments()).as("young, disk 10 %")
                .isZero());
            usedPercent.set(90);
            for (int n = 40; n < 60; n++) {
                send(c, leader, n); // sends go on while retention deletes
            }
            for (BrokerController b : c.brokers) {
                TestCluster.await(20_000, "forced deletion on " + b.config().raftSelfId(),
                    () -> b.retention().deletedSegments() >= 4 && queue(b).maxOffset() == 60);
            }
            usedPercent.set(50); // forced deletion stops: what is left must all be served
            for (BrokerController b : c.brokers) {
                awaitRetentionIdle(b);
                assertServesFromMin(c, b, 60);
            }

            usedPercent.set(100); // full: producers' sends are refused with a clear error before they reach the log
            TestCluster.await(5000, "the leader sees a full disk", () -> leader.retention().diskFull());
            RemotingCommand refused = c.client.invokeSync(leader.config().brokerAddr(),
                TestCluster.sendRequest(TOPIC, 0, body(60), "UNIQ-refused"), 5000);
            try {
                assertThat(refused.code()).isEqualTo(ResponseCode.SERVICE_NOT_AVAILABLE);
                assertThat(refused.remark()).contains("DISK_FULL").contains("diskSpaceWarningLevelRatio");
            } finally {
                refused.release();
            }
            usedPercent.set(50);
            TestCluster.await(5000, "writes accepted again", () -> !leader.retention().diskFull());
            assertThat(send(c, leader, 60)).as("nothing was stored for the refused send").isEqualTo(60);
            for (BrokerController b : c.brokers) {
                TestCluster.await(5000, "the last send on " + b.config().raftSelfId(),
                    () -> queue(b).maxOffset() == 61);
                assertServesFromMin(c, b, 61);
            }
        }
    }

    @Test
    void aLeaderKeepsWhatAStoppedFollowerNeedsWhileItCountsAsLive(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3, settings())) {
            start(c, () -> 0.10);
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            for (int n = 0; n < 10; n++) {
                send(c, leader, n);
            }
            BrokerController stopped = c.follower();
            int si = c.indexOf(stopped);
            TestCluster.await(5000, "the follower has everything", () -> queue(stopped).maxOffset() == 10);
            long neededFrom = stopped.store().commitLog().lastIndex() + 1;
            stopped.shutdown();
            for (int n = 10; n < 40; n++) {
                send(c, leader, n);
            }
            clock.shiftMs.addAndGet(2 * HOUR);
            BrokerController live = c.brokers.stream().filter(b -> b != leader && b != stopped).findFirst()
                .orElseThrow();
            TestCluster.await(20_000, "the other follower deleted its head",
                () -> live.store().commitLog().firstIndex() > neededFrom);
            long runs = leader.retention().runs();
            TestCluster.await(5000, "three more leader runs", () -> leader.retention().runs() >= runs + 3);
            assertThat(leader.store().commitLog().firstIndex()).as("the leader keeps what the stopped follower needs")
                .isLessThanOrEqualTo(neededFrom);

            BrokerController back = startMember(c, si, () -> 0.10);
            c.brokers.set(si, back);
            TestCluster.await(10_000, "the stopped follower caught up by log", () -> queue(back).maxOffset() == 40);
            TestCluster.await(20_000, "then the leader deletes too",
                () -> leader.store().commitLog().firstIndex() > neededFrom);
            awaitRetentionIdle(back);
            assertServesFromMin(c, back, 40);
        }
    }

    /** Waits until {@code b}'s retention ran three times in a row without deleting (pulls then race nothing). */
    private static void awaitRetentionIdle(BrokerController b) throws InterruptedException {
        long[] seen = {-1, -1};
        TestCluster.await(20_000, "retention idle on " + b.config().raftSelfId(), () -> {
            RetentionService r = b.retention();
            long deleted = r.deletedSegments();
            if (deleted != seen[0] || r.deletionInFlight()) {
                seen[0] = deleted;
                seen[1] = r.runs();
                return false;
            }
            return r.runs() >= seen[1] + 3;
        });
    }

    /** Real nanoseconds; wall milliseconds shifted by {@link #shiftMs}. */
    private static final class ShiftedClock implements Clock {
        final AtomicLong shiftMs = new AtomicLong();

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long wallMillis() {
            return System.currentTimeMillis() + shiftMs.get();
        }
    }

    private static ConsumeQueue queue(BrokerController b) {
        ConsumeQueue q = b.store().consumeQueues().queue(TOPIC, 0);
        assertThat(q).isNotNull();
        return q;
    }

    /**
     * A pull below the minimum is moved to it; from the minimum every message up to {@code max} is served, in order,
     * with its own body (only whole old segments went, oldest first).
     */
    private static void assertServesFromMin(TestCluster c, BrokerController b, long max) throws Exception {
        long min = queue(b).minOffset();
        assertThat(min).isPositive();
        PullMessageResponseHeader moved = pull(c, b, 0, new ArrayList<>(), ResponseCode.PULL_OFFSET_MOVED);
        assertThat(moved.minOffset()).isEqualTo(min);
        assertThat(moved.nextBeginOffset()).isEqualTo(min);
        List<String> bodies = new ArrayList<>();
        long next = min;
        while (next < max) {
            next = pull(c, b, next, bodies, ResponseCode.SUCCESS).nextBeginOffset();
        }
        for (int k = 0; k < bodies.size(); k++) {
            assertThat(bodies.get(k)).isEqualTo(body((int) min + k));
        }
        assertThat(bodies).hasSize((int) (max - min));
    }

    private static PullMessageResponseHeader pull(TestCluster c, BrokerController b, long offset, List<String> out,
                                                  int expectedCode) throws Exception {
        PullMessageRequestHeader h = new PullMessageRequestHeader("RetentionCG", TOPIC, 0, offset, 32,
            PullMessageRequestHeader.FLAG_SUBSCRIPTION, -1, 0, "*", 0, "TAG", null, null);
        RemotingCommand r = c.client.invokeSync(b.config().brokerAddr(),
            RemotingCommand.createRequest(RequestCode.PULL_MESSAGE, h), 5000);
        try {
            assertThat(r.code()).as("pull at %d from %s: %s", offset, b.config().raftSelfId(), r.remark())
                .isEqualTo(expectedCode);
            if (r.code() == ResponseCode.SUCCESS) {
                ByteBuffer bytes = ByteBuffer.wrap(r.bodyBytes());
                StoredMessage m = new StoredMessage();
                for (int at = 0; at < bytes.limit(); at += m.totalSize()) {
                    m.wrap(bytes, at);
                    out.add(new String(m.body(), StandardCharsets.UTF_8));
                }
            }
            return PullMessageResponseHeader.decode(r.extFields());
        } finally {
            r.release();
        }
    }

    private static Map<String, String> runtimeInfo(TestCluster c, BrokerController b) throws Exception {
        RemotingCommand r = c.client.invokeSync(b.config().brokerAddr(),
            RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO), 5000);
        try {
            return KVTable.decode(r.bodyBytes()).table();
        } finally {
            r.release();
        }
    }
}
