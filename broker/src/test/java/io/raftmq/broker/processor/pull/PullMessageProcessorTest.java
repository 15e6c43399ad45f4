package io.raftmq.broker.processor.pull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.raftmq.broker.store.PullStatus;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.client.protocol.GoldenFrames;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandCodec;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.GetMaxOffsetRequestHeader;
import io.raftmq.client.protocol.header.OffsetResponseHeader;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;
import io.raftmq.client.protocol.header.PullMessageResponseHeader;
import io.raftmq.testsupport.GoldenVectors;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.raftmq.broker.processor.pull.PullTestBroker.LITE;
import static io.raftmq.broker.processor.pull.PullTestBroker.PUSH;
import static io.raftmq.broker.processor.pull.PullTestBroker.SUB;
import static io.raftmq.broker.processor.pull.PullTestBroker.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: PULL_MESSAGE / LITE_PULL_MESSAGE (requests and responses through the wire codec) answer with the codes,
 * headers (vector 30/32 shapes and golden bytes) and bodies of docs/protocol.md §2.4, filter with the heartbeat
 * subscription (docs/protocol.md trap 3), long-poll without blocking the connection (released by a dispatch or by
 * the deadline on a manual clock), and piggyback offsets on the leader only. Method: {@link PullTestBroker} (an
 * embedded connection + real MessageStore).
 */
@SocketTest
class PullMessageProcessorTest {
    @TempDir
    Path dir;
    PullTestBroker b;

    @BeforeEach
    void start() throws Exception {
        b = new PullTestBroker(dir);
    }

    @AfterEach
    void stop() throws Exception {
        b.close();
    }

    private static List<String> messages(RemotingCommand response) {
        ByteBuf body = response.body();
        ByteBuffer copy = ByteBuffer.allocate(body.readableBytes());
        body.getBytes(body.readerIndex(), copy);
        response.release();
        return StoreFixture.describe(copy.flip());
    }

    @Test
    void responseHeaderBytesEqualVectors30And32() {
        RemotingCommandCodec codec = new RemotingCommandCodec();
        RemotingCommand notFound = PullMessageProcessor.response(ResponseCode.PULL_NOT_FOUND,
                PullStatus.OFFSET_OVERFLOW_ONE, 1, 0, 1).markResponseTo(3);
        ByteBuf frame = codec.encodeFrame(notFound, io.netty.buffer.ByteBufAllocator.DEFAULT);
        try {
            assertThat(ByteBufUtilBytes.of(frame))
                    .isEqualTo(GoldenVectors.bytes("32_pull_response_not_found_json.bin"));
        } finally {
            frame.release();
        }
        byte[] v30 = GoldenVectors.bytes("30_pull_response_found_json.bin");
        byte[] stored08 = GoldenVectors.bytes("08_stored_message_v1.bin");
        RemotingCommand found = PullMessageProcessor.response(ResponseCode.SUCCESS, PullStatus.FOUND, 1, 0, 1)
                .markResponseTo(3).setBody(Unpooled.wrappedBuffer(stored08));
        ByteBuf frame30 = codec.encodeFrame(found, io.netty.buffer.ByteBufAllocator.DEFAULT);
        try {
            assertThat(ByteBufUtilBytes.of(frame30)).isEqualTo(v30);
        } finally {
            frame30.release();
            found.release();
        }
    }

    @Test
    void foundOverTheWireCarriesTheVector30HeaderFields() throws Exception {
        b.fx.append("T", 0, "TagA", 3);
        b.fx.commit();
        RemotingCommand r = b.call(pullRequest(RequestCode.PULL_MESSAGE, 0, 0, SUB, "*", 0, 0));
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(r.remark()).isEqualTo("FOUND");
        RemotingCommand v30 = GoldenFrames.decodeFrame(GoldenVectors.bytes("30_pull_response_found_json.bin"));
        assertThat(r.extFields().toMap().keySet()).isEqualTo(v30.extFields().toMap().keySet());
        v30.release();
        PullMessageResponseHeader h = PullMessageResponseHeader.decode(r.extFields());
        assertThat(h).isEqualTo(new PullMessageResponseHeader(0, 3, 0, 3, null, 0, 0, null));
        assertThat(messages(r)).containsExactly("T@0:m0", "T@1:m1", "T@2:m2");
    }

    @Test
    void requestChecksMapToSpecCodes() throws Exception {
        RemotingCommand unknownTopic = RemotingCommand.createRequest(RequestCode.PULL_MESSAGE,
                new PullMessageRequestHeader("cg", "Nope", 0, 0, 32, SUB, -1, 0, "*", 0, null, null, null));
        assertThat(b.call(unknownTopic).code()).isEqualTo(ResponseCode.TOPIC_NOT_EXIST);
        assertThat(b.call(pullRequest(RequestCode.PULL_MESSAGE, 4, 0, SUB, "*", 0, 0)).code())
                .isEqualTo(ResponseCode.INVALID_PARAMETER);
        assertThat(b.call(pullRequest(RequestCode.PULL_MESSAGE, 0, 0, 0, null, 0, 0)).code())
                .isEqualTo(ResponseCode.SUBSCRIPTION_NOT_EXIST);
        RemotingCommand sql = RemotingCommand.createRequest(RequestCode.PULL_MESSAGE,
                new PullMessageRequestHeader("cg", "T", 0, 0, 32, SUB, -1, 0, "a > 1", 0, "SQL92", null, null));
        assertThat(b.call(sql).code()).as("a SQL92 pull of an empty queue").isEqualTo(ResponseCode.PULL_NOT_FOUND);
        RemotingCommand bad = RemotingCommand.createRequest(RequestCode.PULL_MESSAGE,
                new PullMessageRequestHeader("cg", "T", 0, 0, 32, SUB, -1, 0, "a > 'x'", 0, "SQL92", null, null));
        RemotingCommand refused = b.call(bad);
        assertThat(refused.code()).isEqualTo(ResponseCode.SUBSCRIPTION_PARSE_FAILED);
        assertThat(refused.remark()).contains("a > 'x'").contains("numbers only");
        RemotingCommand other = RemotingCommand.createRequest(RequestCode.PULL_MESSAGE,
                new PullMessageRequestHeader("cg", "T", 0, 0, 32, SUB, -1, 0, "x", 0, "CLASS", null, null));
        assertThat(b.call(other).code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
    }

    @Test
    void sqlPullsServeOnlyMatchingMessages() throws Exception {
        for (int i = 0; i < 4; i++) {
            b.fx.append("T", 0, i % 2 == 0 ? "TagA" : "TagB", 1);
        }
        b.fx.commit();
        RemotingCommand sql = RemotingCommand.createRequest(RequestCode.PULL_MESSAGE,
                new PullMessageRequestHeader("cg", "T", 0, 0, 32, SUB, -1, 0, "TAGS = 'TagB'", 0, "SQL92", null,
                        null));
        RemotingCommand r = b.call(sql);
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(messages(r)).containsExactly("T@1:m1", "T@3:m3");
        assertThat(PullMessageResponseHeader.decode(r.extFields()).nextBeginOffset()).isEqualTo(4);
    }

    @Test
    void aPullNewerThanTheHeartbeatSubscriptionIsServedUnfilteredNotRefused() throws Exception {
        for (int i = 0; i < 4; i++) {
            b.fx.append("T", 1, i % 2 == 0 ? "TagA" : "TagB", 1);
        }
        b.fx.commit();
        b.subscribe("TagA", List.of(2598919), 100, "TAG");
        // the 5.3.3 push consumer's rebalance bumped subVersion to 200 but its heartbeat lost the tryLock race
        RemotingCommand r = b.call(pullRequest(RequestCode.PULL_MESSAGE, 1, 0, 0, null, 200, 0));
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(messages(r)).containsExactly("T@0:m0", "T@1:m1", "T@2:m2", "T@3:m3");
    }

    @Test
    void heartbeatSubscriptionFiltersByTagWithoutTheSubscriptionFlag() throws Exception {
        for (int i = 0; i < 4; i++) {
            b.fx.append("T", 1, i % 2 == 0 ? "TagA" : "TagB", 1);
        }
        b.fx.commit();
        b.subscribe("TagA", List.of(2598919), 100, "TAG");
        RemotingCommand r = b.call(pullRequest(RequestCode.PULL_MESSAGE, 1, 0, 0, null, 100, 0));
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(PullMessageResponseHeader.decode(r.extFields()).nextBeginOffset()).isEqualTo(4);
        assertThat(messages(r)).containsExactly("T@0:m0", "T@2:m2");
        RemotingCommand retry = b.call(pullRequest(RequestCode.PULL_MESSAGE, 1, 3, 0, null, 100, 0));
        assertThat(retry.code()).isEqualTo(ResponseCode.PULL_RETRY_IMMEDIATELY);
        assertThat(PullMessageResponseHeader.decode(retry.extFields()).nextBeginOffset()).isEqualTo(4);
    }

    @Test
    void offsetsOutsideTheQueueAreMovedAndNotFoundWithoutSuspendAnswersAtOnce() throws Exception {
        RemotingCommand emptyAt5 = b.call(pullRequest(RequestCode.PULL_MESSAGE, 0, 5, SUB, "*", 0, 0));
        assertThat(emptyAt5.code()).isEqualTo(ResponseCode.PULL_OFFSET_MOVED);
        assertThat(PullMessageResponseHeader.decode(emptyAt5.extFields()).nextBeginOffset()).isZero();
        RemotingCommand emptyAt0 = b.call(pullRequest(RequestCode.PULL_MESSAGE, 0, 0, SUB, "*", 0, 15_000));
        assertThat(emptyAt0.code()).isEqualTo(ResponseCode.PULL_NOT_FOUND); // no SUSPEND flag
        b.fx.append("T", 0, "TagA", 3);
        b.fx.commit();
        RemotingCommand beyond = b.call(pullRequest(RequestCode.PULL_MESSAGE, 0, 10, SUB, "*", 0, 0));
        assertThat(beyond.code()).isEqualTo(ResponseCode.PULL_OFFSET_MOVED);
        assertThat(PullMessageResponseHeader.decode(beyond.extFields()))
                .isEqualTo(new PullMessageResponseHeader(0, 3, 0, 3, null, 0, 0, null));
        assertThat(beyond.remark()).isEqualTo("OFFSET_OVERFLOW_BADLY");
    }

    @Test
    void heldPullIsReleasedByADispatchAndDoesNotBlockTheConnection() throws Exception {
        CompletableFuture<RemotingCommand> f = b.callAsync(
                pullRequest(RequestCode.PULL_MESSAGE, 2, 0, PUSH | SUB, "*", 0, 15_000));
        PullTestBroker.await(() -> b.held.heldCount() == 1, "the pull to be held");
        RemotingCommand max = b.call(RemotingCommand.createRequest(RequestCode.GET_MAX_OFFSET,
                new GetMaxOffsetRequestHeader("T", 2, true, null)));
        assertThat(OffsetResponseHeader.decode(max.extFields()).offset()).isZero(); // same connection still serves
        assertThat(f).isNotDone();
        b.fx.append("T", 2, "TagA", 2);
        b.fx.commit();
        b.held.onDispatched("T", 2, b.store.maxOffset("T", 2));
        RemotingCommand r = f.get(5, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(messages(r)).containsExactly("T@0:m0", "T@1:m1");
        assertThat(b.held.heldCount()).isZero();
    }

    @Test
    void heldPullTimesOutWithTheVector32Answer() throws Exception {
        b.fx.append("T", 0, "TagA", 1);
        b.fx.commit();
        CompletableFuture<RemotingCommand> f = b.callAsync(
                pullRequest(RequestCode.PULL_MESSAGE, 0, 1, PUSH | SUB, "*", 0, 15_000));
        PullTestBroker.await(() -> b.held.heldCount() == 1, "the pull to be held");
        b.f.clock.addAndGet(14_999);
        assertThat(b.held.expire()).isZero();
        b.f.clock.addAndGet(1);
        assertThat(b.held.expire()).isEqualTo(1);
        RemotingCommand r = f.get(5, TimeUnit.SECONDS);
        RemotingCommand v32 = GoldenFrames.decodeFrame(GoldenVectors.bytes("32_pull_response_not_found_json.bin"));
        assertThat(r.code()).isEqualTo(v32.code());
        assertThat(r.remark()).isEqualTo(v32.remark());
        assertThat(r.extFields().toMap()).isEqualTo(v32.extFields().toMap());
        v32.release();
    }

    @Test
    void litePullUsesItsOwnCodeAndRequestSubscription() throws Exception {
        b.fx.append("T", 3, "TagB", 2);
        b.fx.commit();
        RemotingCommand r = b.call(pullRequest(RequestCode.LITE_PULL_MESSAGE, 3, 0, LITE, "TagB", 0, 20_000));
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(messages(r)).containsExactly("T@0:m0", "T@1:m1");
        RemotingCommand none = b.call(pullRequest(RequestCode.LITE_PULL_MESSAGE, 3, 0, SUB, "TagA", 0, 20_000));
        assertThat(none.code()).isEqualTo(ResponseCode.PULL_RETRY_IMMEDIATELY);
    }

    @Test
    void commitOffsetPiggybackIsStoredOnTheLeaderOnly() throws Exception {
        b.fx.append("T", 0, "TagA", 3);
        b.fx.commit();
        int flags = SUB | PullMessageRequestHeader.FLAG_COMMIT_OFFSET;
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.PULL_MESSAGE, new PullMessageRequestHeader(
                PullTestBroker.GROUP, "T", 0, 2, 32, flags, 2, 0, "*", 0, null, null, null));
        b.call(req).release();
        b.f.offsets.flush();
        assertThat(b.f.offsets.query(PullTestBroker.GROUP, "T", 0)).isEqualTo(2);
        b.leader.set(false);
        RemotingCommand onFollower = RemotingCommand.createRequest(RequestCode.PULL_MESSAGE,
                new PullMessageRequestHeader(PullTestBroker.GROUP, "T", 1, 0, 32, flags, 1, 0, "*", 0, null, null,
                        null));
        assertThat(b.call(onFollower).code()).isEqualTo(ResponseCode.PULL_NOT_FOUND);
        b.f.offsets.flush();
        assertThat(b.f.offsets.query(PullTestBroker.GROUP, "T", 1)).isEqualTo(-1);
        assertThat(b.pull.offsetCommitsDroppedCount()).isEqualTo(1);
        RemotingCommand noFlag = RemotingCommand.createRequest(RequestCode.PULL_MESSAGE, new PullMessageRequestHeader(
                PullTestBroker.GROUP, "T", 2, 0, 32, SUB, 5, 0, "*", 0, null, null, null));
        b.leader.set(true);
        b.call(noFlag);
        b.f.offsets.flush();
        // docs/protocol.md trap 7: bit 0 unset
        assertThat(b.f.offsets.query(PullTestBroker.GROUP, "T", 2)).isEqualTo(-1);
    }

    /** Copies a buffer's readable bytes. */
    static final class ByteBufUtilBytes {
        static byte[] of(ByteBuf b) {
            byte[] out = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), out);
            return out;
        }
    }
}
