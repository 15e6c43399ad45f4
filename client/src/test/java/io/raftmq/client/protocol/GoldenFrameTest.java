package io.raftmq.client.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.raftmq.client.protocol.header.CheckTransactionStateRequestHeader;
import io.raftmq.client.protocol.header.ConsumerGroupHeader;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.protocol.header.OffsetResponseHeader;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;
import io.raftmq.client.protocol.header.PullMessageResponseHeader;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.testsupport.GoldenVectors;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: our frame codec reads every golden frame (01-07, 12, 28-35) exactly as the 5.3.3 Java code wrote it, and
 * what we write is byte-identical to the vectors (JSON and ROCKETMQ headers, including fastjson key order and the
 * HashMap order of extFields). Method: decode each vector and check every field; rebuild the same command with our
 * typed headers, encode it, and compare bytes.
 */
class GoldenFrameTest {
    private static final String UNIQ = "7F0000010001B4AAC2F1234500000000";
    private static final String OFFSET_ID = "7F00000100002A9F0000000000000000";
    private static final String PROPS = "KEYS\u0001KEY1\u0002UNIQ_KEY\u0001" + UNIQ + "\u0002WAIT\u0001true\u0002TAGS"
            + "\u0001TagA\u0002";

    private static byte[] encode(RemotingCommand cmd) {
        ByteBuf out = new RemotingCommandCodec().encodeFrame(cmd, UnpooledByteBufAllocator.DEFAULT);
        try {
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
            cmd.release();
        }
    }

    private static void assertEncodesTo(RemotingCommand cmd, String vector) {
        byte[] expected = GoldenVectors.bytes(vector);
        byte[] actual = encode(cmd);
        assertThat(new String(actual, StandardCharsets.ISO_8859_1)).as(vector)
                .isEqualTo(new String(expected, StandardCharsets.ISO_8859_1));
    }

    private static RemotingCommand decode(String vector) {
        return GoldenFrames.decodeFrame(GoldenVectors.bytes(vector));
    }

    @Test
    void getRouteInfoRequestJsonAndBinary() throws Exception {
        for (String v : new String[] {"01_get_routeinfo_request_json.bin", "02_get_routeinfo_request_rocketmq.bin"}) {
            RemotingCommand c = decode(v);
            assertThat(c.code()).isEqualTo(RequestCode.GET_ROUTEINFO_BY_TOPIC);
            assertThat(c.language()).isEqualTo(LanguageCode.JAVA);
            assertThat(c.version()).isEqualTo(479);
            assertThat(c.opaque()).isEqualTo(1);
            assertThat(c.flag()).isZero();
            assertThat(c.remark()).isNull();
            assertThat(GetRouteInfoRequestHeader.decode(c.extFields()).topic()).isEqualTo("TopicTest");
            assertThat(c.body()).isNull();
        }
        assertThat(decode("02_get_routeinfo_request_rocketmq.bin").serializeType()).isEqualTo(SerializeType.ROCKETMQ);
        RemotingCommand json = RemotingCommand.createRequest(105, new GetRouteInfoRequestHeader("TopicTest", null));
        assertEncodesTo(json.opaque(1), "01_get_routeinfo_request_json.bin");
        RemotingCommand bin = RemotingCommand.createRequest(105, new GetRouteInfoRequestHeader("TopicTest", null));
        assertEncodesTo(bin.opaque(1).serializeType(SerializeType.ROCKETMQ), "02_get_routeinfo_request_rocketmq.bin");
    }

    private static SendMessageRequestHeader sendHeader() {
        return new SendMessageRequestHeader("PG", "TopicTest", "TBW102", 4, 1, 0, 1700000000000L, 0, PROPS, 0, false,
                false, null, "broker-a");
    }

    @Test
    void sendMessageV2RequestJsonAndBinary() throws Exception {
        for (String v : new String[] {"03_send_message_v2_request_json.bin",
                "04_send_message_v2_request_rocketmq.bin"}) {
            RemotingCommand c = decode(v);
            assertThat(c.code()).isEqualTo(RequestCode.SEND_MESSAGE_V2);
            assertThat(c.opaque()).isEqualTo(2);
            assertThat(SendMessageRequestHeader.decode(c.code(), c.extFields())).isEqualTo(sendHeader());
            assertThat(new String(c.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("Hello");
            c.release();
        }
        assertEncodesTo(RemotingCommand.createRequest(310, sendHeader().asV2()).opaque(2).setBody(bytes("Hello")),
                "03_send_message_v2_request_json.bin");
        assertEncodesTo(RemotingCommand.createRequest(310, sendHeader().asV2()).opaque(2).setBody(bytes("Hello"))
                .serializeType(SerializeType.ROCKETMQ), "04_send_message_v2_request_rocketmq.bin");
    }

    @Test
    void sendResponseJsonAndBinary() throws Exception {
        SendMessageResponseHeader h = new SendMessageResponseHeader(OFFSET_ID, 1, 0, UNIQ, null, null);
        for (String v : new String[] {"05_send_message_response_json.bin", "33_send_message_response_rocketmq.bin"}) {
            RemotingCommand c = decode(v);
            assertThat(c.code()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(c.isResponse()).isTrue();
            assertThat(c.opaque()).isEqualTo(2);
            assertThat(SendMessageResponseHeader.decode(c.extFields())).isEqualTo(h);
            assertThat(c.extFields().get("MSG_REGION")).isEqualTo("DefaultRegion");
            assertThat(c.extFields().get("TRACE_ON")).isEqualTo("true");
        }
        assertEncodesTo(h.toResponse(0, null, "DefaultRegion", true).markResponseTo(2),
                "05_send_message_response_json.bin");
        assertEncodesTo(h.toResponse(0, null, "DefaultRegion", true).markResponseTo(2)
                .serializeType(SerializeType.ROCKETMQ), "33_send_message_response_rocketmq.bin");
    }

    @Test
    void pullRequestJsonAndBinary() throws Exception {
        PullMessageRequestHeader expected = new PullMessageRequestHeader("CG", "TopicTest", 0, 0, 32, 2, 0, 15000,
                null, 1700000000000L, "TAG", Integer.MAX_VALUE, "broker-a");
        for (String v : new String[] {"06_pull_message_request_json.bin", "07_pull_message_request_rocketmq.bin"}) {
            RemotingCommand c = decode(v);
            assertThat(c.code()).isEqualTo(RequestCode.PULL_MESSAGE);
            assertThat(c.opaque()).isEqualTo(3);
            assertThat(PullMessageRequestHeader.decode(c.extFields())).isEqualTo(expected);
            assertThat(c.body()).isNull();
        }
        assertEncodesTo(RemotingCommand.createRequest(11, expected).opaque(3), "06_pull_message_request_json.bin");
        assertEncodesTo(RemotingCommand.createRequest(11, expected).opaque(3).serializeType(SerializeType.ROCKETMQ),
                "07_pull_message_request_rocketmq.bin");
    }

    @Test
    void heartbeatRequestAndResponse() {
        RemotingCommand req = decode("12_heartbeat_request_json.bin");
        assertThat(req.code()).isEqualTo(RequestCode.HEART_BEAT);
        assertThat(req.opaque()).isEqualTo(4);
        assertThat(req.extFields().size()).isZero();
        assertThat(req.bodyBytes()).isEqualTo(GoldenVectors.bytes("11_heartbeat_body.json"));
        req.release();
        RemotingCommand again = RemotingCommand.createRequest(34).opaque(4).extFields(new ExtFields())
                .setBody(GoldenVectors.bytes("11_heartbeat_body.json"));
        assertEncodesTo(again, "12_heartbeat_request_json.bin");

        RemotingCommand resp = decode("31_heartbeat_response_json.bin");
        assertThat(resp.isResponse()).isTrue();
        assertThat(resp.version()).isEqualTo(479);
        assertThat(resp.extFields().get("IS_SUPPORT_HEART_BEAT_V2")).isEqualTo("true");
        assertThat(resp.extFields().get("IS_SUB_CHANGE")).isEqualTo("true");
        RemotingCommand ours = RemotingCommand.createResponse(0, null).extFields(null)
                .addExtField("IS_SUPPORT_HEART_BEAT_V2", "true").addExtField("IS_SUB_CHANGE", "true");
        assertEncodesTo(ours.markResponseTo(4), "31_heartbeat_response_json.bin");
    }

    @Test
    void errorResponseHasRemarkAndNoExtFields() {
        RemotingCommand c = decode("28_error_response_json.bin");
        assertThat(c.code()).isEqualTo(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
        assertThat(c.remark()).isEqualTo(" request type 9999 not supported");
        assertThat(c.extFields()).isNull();
        assertThat(c.opaque()).isEqualTo(5);
        RemotingCommand ours = RemotingCommand.createResponse(3, " request type 9999 not supported").extFields(null);
        assertEncodesTo(ours.markResponseTo(5), "28_error_response_json.bin");
    }

    @Test
    void queryConsumerOffsetResponse() throws Exception {
        RemotingCommand c = decode("29_query_consumer_offset_response_json.bin");
        assertThat(OffsetResponseHeader.decode(c.extFields()).offset()).isEqualTo(42);
        assertEncodesTo(RemotingCommand.createResponse(0, null, new OffsetResponseHeader(42)).markResponseTo(6),
                "29_query_consumer_offset_response_json.bin");
    }

    @Test
    void pullResponsesFoundAndNotFound() throws Exception {
        RemotingCommand found = decode("30_pull_response_found_json.bin");
        PullMessageResponseHeader h = PullMessageResponseHeader.decode(found.extFields());
        assertThat(h).isEqualTo(new PullMessageResponseHeader(0, 1, 0, 1, null, 0, 0, null));
        assertThat(found.remark()).isEqualTo("FOUND");
        assertThat(found.bodyBytes()).isEqualTo(GoldenVectors.bytes("08_stored_message_v1.bin"));
        found.release();
        assertEncodesTo(RemotingCommand.createResponse(0, "FOUND", h).markResponseTo(3)
                .setBody(GoldenVectors.bytes("08_stored_message_v1.bin")), "30_pull_response_found_json.bin");

        RemotingCommand nf = decode("32_pull_response_not_found_json.bin");
        assertThat(nf.code()).isEqualTo(ResponseCode.PULL_NOT_FOUND);
        assertThat(PullMessageResponseHeader.decode(nf.extFields()).nextBeginOffset()).isEqualTo(1);
        assertEncodesTo(RemotingCommand.createResponse(19, "OFFSET_OVERFLOW_ONE", h).markResponseTo(3),
                "32_pull_response_not_found_json.bin");
    }

    @Test
    void brokerToClientRequests() throws Exception {
        RemotingCommand notify = decode("34_notify_consumer_ids_changed_json.bin");
        assertThat(notify.code()).isEqualTo(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED);
        assertThat(notify.isOneway()).isTrue();
        assertThat(notify.isResponse()).isFalse();
        assertThat(ConsumerGroupHeader.decode(notify.extFields()).consumerGroup()).isEqualTo("CG");
        assertEncodesTo(RemotingCommand.createRequest(40, new ConsumerGroupHeader("CG")).markOneway().opaque(77),
                "34_notify_consumer_ids_changed_json.bin");

        RemotingCommand check = decode("35_check_transaction_state_json.bin");
        CheckTransactionStateRequestHeader h = CheckTransactionStateRequestHeader.decode(check.extFields());
        assertThat(h).isEqualTo(new CheckTransactionStateRequestHeader("TopicTest", 0, 0, UNIQ, UNIQ, OFFSET_ID,
                "broker-a"));
        assertThat(check.isOneway()).isTrue();
        assertThat(check.bodyLength()).isEqualTo(256);
        byte[] body = check.bodyBytes();
        check.release();
        assertEncodesTo(RemotingCommand.createRequest(39, h).markOneway().opaque(78).setBody(body),
                "35_check_transaction_state_json.bin");
    }

    @Test
    void everyFrameVectorRoundTripsThroughBothEncodings() {
        RemotingCommandCodec codec = new RemotingCommandCodec();
        for (String v : GoldenFrames.FRAMES) {
            RemotingCommand c = decode(v);
            for (SerializeType t : SerializeType.values()) {
                c.serializeType(t);
                ByteBuf frame = codec.encodeFrame(c, UnpooledByteBufAllocator.DEFAULT);
                frame.skipBytes(4);
                RemotingCommand back = codec.decode(frame);
                assertThat(back.code()).as(v).isEqualTo(c.code());
                assertThat(back.opaque()).isEqualTo(c.opaque());
                assertThat(back.flag()).isEqualTo(c.flag());
                assertThat(back.remark()).isEqualTo(c.remark());
                assertThat(back.version()).isEqualTo(c.version());
                assertThat(back.language()).isEqualTo(c.language());
                assertThat(back.bodyBytes()).isEqualTo(c.bodyBytes());
                boolean absent = c.extFields() == null
                        || (t == SerializeType.ROCKETMQ && c.extFields().size() == 0); // binary: empty == absent
                assertThat(back.extFields() == null ? null : back.extFields().toMap())
                        .isEqualTo(absent ? null : c.extFields().toMap());
                back.release();
                frame.release();
            }
            c.release();
        }
    }

    @Test
    void lenientJsonHeaderIsAccepted() {
        String json = "{code:0,'flag':1,\"opaque\":9,\"language\":\"KLINGON\",\"extFields\":{\"offset\":5,\"x\":null},"
                + "\"unknown\":[1,{\"a\":2}]}";
        ByteBuf frame = Unpooled.buffer();
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        frame.writeInt(h.length).writeBytes(h);
        RemotingCommand c = new RemotingCommandCodec().decode(frame);
        assertThat(c.code()).isZero();
        assertThat(c.isResponse()).isTrue();
        assertThat(c.opaque()).isEqualTo(9);
        assertThat(c.language()).isNull();
        assertThat(c.version()).isZero();
        assertThat(c.extFields().get("offset")).isEqualTo("5");
        assertThat(c.extFields().contains("x")).isFalse();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
