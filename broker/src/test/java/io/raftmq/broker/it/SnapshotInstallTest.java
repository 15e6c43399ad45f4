package io.raftmq.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.broker.BrokerController;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.testsupport.SocketTest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a follower caught up by snapshot stores what the leader stores (docs/snapshots.md rule 4). Method: a real
 * three-member group on loopback with 256 KiB segments; one follower is stopped, the leader receives more messages
 * and its retention (every segment expired, a snapshot every 100 entries) deletes its old segments, so the stopped
 * follower's next entry is gone; the follower restarts, installs the leader's snapshot and receives the log. Then,
 * over the range they share, every record sits at the same position on both with the same bytes (header timestamps
 * are the leader's, carried by the entries, so the crc chain matches too), the follower's
 * ConsumeQueues hold the leader's units from its restart offsets on, and pulls from the follower return the
 * messages sent after the snapshot with the offsets their sends were answered with.
 */
@SocketTest
class SnapshotInstallTest {
    private static final String TOPIC = "InstallTopic";
    private static final int QUEUES = 4;
    private static final String ALL_HOURS = String.join(";", java.util.stream.IntStream.range(0, 24)
        .mapToObj(h -> String.format("%02d", h)).toList());

    @Test
    void followerInstallsAtTheLeadersPositionAndReceivesIdenticalRecords(@TempDir Path dir) throws Exception {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("commitLogSegmentBytes", Integer.toString(256 << 10));
        settings.put("messageSizeMax", Integer.toString(64 << 10));
        settings.put("sendBatchBytesMax", Integer.toString(128 << 10));
        // retention at every run: whatever the latest snapshot covers goes, unless a live follower still needs it
        settings.put("fileReservedTimeMs", "1");
        settings.put("deleteWhen", ALL_HOURS);
        settings.put("cleanResourceInterval", "100");
        settings.put("retentionFollowerSilentMsMax", "500");
        settings.put("snapshotIntervalEntries", "100");
        try (TestCluster c = new TestCluster(dir, 3, settings).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            String addr = leader.config().brokerAddr();
            for (int i = 0; i < 20; i++) {
                send(c, addr, i);
            }
            BrokerController stopped = c.follower();
            int f = c.indexOf(stopped);
            TestCluster.await(5000, "the follower has every entry", () -> stopped.store().commitLog().lastIndex()
                >= leader.store().commitLog().lastIndex());
            long followerLast = stopped.store().commitLog().lastIndex();
            stopped.shutdown();
            for (int i = 20; i < 200; i++) {
                send(c, addr, i);
            }
            CommitLog leaderLog = leader.store().commitLog();
            TestCluster.await(20_000, "the leader's retention deleted what the stopped follower needs",
                () -> leaderLog.firstIndex() > followerLast + 1);

            BrokerController follower = c.restart(f);
            TestCluster.await(20_000, "the follower installed a snapshot",
                () -> follower.store().commitLog().firstIndex() > followerLast + 1);
            TestCluster.await(5000, "the install counted (raftmq_raft_snapshots_installed_total)",
                () -> follower.raftAgent().snapshotsInstalled() >= 1);
            long s = follower.store().commitLog().firstIndex() - 1;
            Map<Integer, Long> restart = new LinkedHashMap<>();
            for (int q = 0; q < QUEUES; q++) {
                restart.put(q, follower.store().consumeQueues().maxOffset(TOPIC, q));
            }
            List<SendMessageResponseHeader> after = new ArrayList<>();
            for (int i = 200; i < 240; i++) {
                after.add(send(c, addr, i));
            }
            long last = leaderLog.lastIndex();
            TestCluster.await(10_000, "the follower applied the leader's log", () -> follower.stateMachine()
                .appliedIndex() >= last && follower.store().dispatchedPosition() == leader.store()
                .dispatchedPosition());

            CommitLog followerLog = follower.store().commitLog();
            assertThat(followerLog.startPosition()).isEqualTo(leaderLog.position(s + 1));
            for (long i = s + 1; i <= last; i++) {
                assertThat(followerLog.position(i)).as("position of entry " + i).isEqualTo(leaderLog.position(i));
            }
            assertThat(records(followerLog, followerLog.startPosition(), leaderLog.endPosition()))
                .isEqualTo(records(leaderLog, followerLog.startPosition(), leaderLog.endPosition()));
            for (int q = 0; q < QUEUES; q++) {
                assertThat(units(follower, q, restart.get(q))).isEqualTo(units(leader, q, restart.get(q)));
            }
            for (int k = 0; k < after.size(); k++) {
                SendMessageResponseHeader h = after.get(k);
                assertThat(h.queueOffset()).isGreaterThanOrEqualTo(restart.get(h.queueId()));
                assertThat(pull(c, follower.config().brokerAddr(), h.queueId(), h.queueOffset()))
                    .isEqualTo("m" + (200 + k) + "@" + h.queueOffset());
            }
        }
    }

    private static SendMessageResponseHeader send(TestCluster c, String addr, int i) throws Exception {
        String body = "m" + i + "-" + "x".repeat(4000);
        RemotingCommand r = c.client.invokeSync(addr, TestCluster.sendRequest(TOPIC, i % QUEUES, body, "U" + i),
            5000);
        try {
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            return SendMessageResponseHeader.decode(r.extFields());
        } finally {
            r.release();
        }
    }

    /** The records in [from, to) back to back, each with its position, in hex. */
    private static String records(CommitLog log, long from, long to) {
        StringBuilder out = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long pos = from;
        while (pos < to) {
            buf.clear();
            long first = log.read(pos, buf);
            buf.flip();
            if (!buf.hasRemaining()) {
                break;
            }
            for (int at = 0; at < buf.limit(); at += RecordHeader.recordLength(buf, at)) {
                ByteBuffer rec = buf.duplicate().position(at).limit(at + RecordHeader.recordLength(buf, at)).slice();
                byte[] bytes = new byte[rec.remaining()];
                rec.get(bytes);
                out.append(first + at).append(':').append(HexFormat.of().formatHex(bytes)).append('\n');
            }
            pos = first + buf.limit();
        }
        return out.toString();
    }

    private static String units(BrokerController b, int queueId, long from) throws Exception {
        ConsumeQueue q = b.store().consumeQueues().queue(TOPIC, queueId);
        ByteBuffer units = ByteBuffer.allocate((int) (q.maxOffset() - from) * ConsumeQueue.UNIT_SIZE);
        q.read(from, Integer.MAX_VALUE, units);
        return q.maxOffset() + ":" + HexFormat.of().formatHex(units.array(), 0, units.position());
    }

    /** Pulls one message at {@code offset}; returns "body prefix@queue offset". */
    private static String pull(TestCluster c, String addr, int queueId, long offset) throws Exception {
        PullMessageRequestHeader ph = new PullMessageRequestHeader("InstallCheckCG", TOPIC, queueId, offset, 1,
            PullMessageRequestHeader.FLAG_SUBSCRIPTION, -1, 0, "*", 0, "TAG", null, null);
        RemotingCommand p = c.client.invokeSync(addr, RemotingCommand.createRequest(RequestCode.PULL_MESSAGE, ph),
            5000);
        try {
            assertThat(p.code()).as(p.remark()).isEqualTo(ResponseCode.SUCCESS);
            StoredMessage m = new StoredMessage();
            m.wrap(ByteBuffer.wrap(p.bodyBytes()), 0);
            String body = new String(m.body(), StandardCharsets.UTF_8);
            return body.substring(0, body.indexOf('-')) + "@" + m.queueOffset();
        } finally {
            p.release();
        }
    }
}
