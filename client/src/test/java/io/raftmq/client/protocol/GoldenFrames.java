package io.raftmq.client.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The remoting-frame side of the golden vectors (read through {@code io.raftmq.testsupport.GoldenVectors}): the
 * names of every whole-frame vector and a decoder for them with a fresh codec.
 */
public final class GoldenFrames {
    /** The names of every remoting frame vector (01-07, 12, 28-35). */
    public static final String[] FRAMES = {
        "01_get_routeinfo_request_json.bin", "02_get_routeinfo_request_rocketmq.bin",
        "03_send_message_v2_request_json.bin", "04_send_message_v2_request_rocketmq.bin",
        "05_send_message_response_json.bin", "06_pull_message_request_json.bin",
        "07_pull_message_request_rocketmq.bin", "12_heartbeat_request_json.bin", "28_error_response_json.bin",
        "29_query_consumer_offset_response_json.bin", "30_pull_response_found_json.bin",
        "31_heartbeat_response_json.bin", "32_pull_response_not_found_json.bin",
        "33_send_message_response_rocketmq.bin", "34_notify_consumer_ids_changed_json.bin",
        "35_check_transaction_state_json.bin",
    };

    private GoldenFrames() {
    }

    /** Decodes a whole frame vector (with its length prefix) with a fresh codec; the caller releases the result. */
    public static RemotingCommand decodeFrame(byte[] frame) {
        ByteBuf buf = Unpooled.wrappedBuffer(frame);
        int total = buf.readInt();
        if (total != frame.length - 4) {
            throw new AssertionError("vector length prefix " + total + " != " + (frame.length - 4));
        }
        return new RemotingCommandCodec().decode(buf);
    }
}
