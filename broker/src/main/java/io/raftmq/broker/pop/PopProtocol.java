package io.raftmq.broker.pop;

import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonParseException;
import io.raftmq.client.protocol.json.JsonReader;
import io.raftmq.client.protocol.json.JsonWriter;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;

/**
 * The wire shapes of pop consumption (docs/consumer-protocol.md "Pop consumption"): request codes, the
 * {@code extraInfo} handle a client puts back in ACK_MESSAGE and CHANGE_MESSAGE_INVISIBLETIME, the offset-info
 * strings of the POP_MESSAGE answer and the JSON bodies of QUERY_ASSIGNMENT, SET_MESSAGE_REQUEST_MODE and
 * BATCH_ACK_MESSAGE.
 */
public final class PopProtocol {
    public static final int POP_MESSAGE = 200050;
    public static final int ACK_MESSAGE = 200051;
    public static final int CHANGE_MESSAGE_INVISIBLETIME = 200053;
    public static final int BATCH_ACK_MESSAGE = 200151;
    public static final int QUERY_ASSIGNMENT = 400;
    public static final int SET_MESSAGE_REQUEST_MODE = 401;
    /** The retry-topic prefix: its queues are keyed "1" in the offset infos, others "0". */
    static final String RETRY_PREFIX = "%RETRY%";

    private PopProtocol() {
    }

    /**
     * A parsed {@code extraInfo}: "startOffset popTime invisibleTime reviveQid retryFlag brokerName queueId offset"
     * (space separated; the offset is absent in handles of older clients).
     */
    public record Handle(long startOffset, long popTimeMs, long invisibleMs, int queueId, long offset) {
        /** @throws RemotingCommandException malformed */
        public static Handle parse(String extraInfo) throws RemotingCommandException {
            if (extraInfo == null) {
                throw new RemotingCommandException("extraInfo is required");
            }
            String[] f = extraInfo.trim().split(" ");
            if (f.length < 7) {
                throw new RemotingCommandException("malformed extraInfo: " + extraInfo);
            }
            try {
                return new Handle(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                    Integer.parseInt(f[6]), f.length > 7 ? Long.parseLong(f[7]) : -1);
            } catch (NumberFormatException e) {
                throw new RemotingCommandException("malformed extraInfo: " + extraInfo);
            }
        }
    }

    /** "retryFlag queueId startOffset": the POP answer's startOffsetInfo for one queue. */
    static String startOffsetInfo(String topic, int queueId, long startOffset) {
        return retryFlag(topic) + " " + queueId + " " + startOffset;
    }

    /** "retryFlag queueId o1,o2,...": the POP answer's msgOffsetInfo, offsets in body order. */
    static String msgOffsetInfo(String topic, int queueId, Collection<Long> offsets) {
        StringBuilder sb = new StringBuilder().append(retryFlag(topic)).append(' ').append(queueId).append(' ');
        boolean first = true;
        for (long o : offsets) {
            sb.append(first ? "" : ",").append(o);
            first = false;
        }
        return sb.toString();
    }

    private static String retryFlag(String topic) {
        return topic.startsWith(RETRY_PREFIX) ? "1" : "0";
    }

    /** SET_MESSAGE_REQUEST_MODE body. */
    record ModeRequest(String topic, String group, String mode, int popShareQueueNum) {
    }

    static ModeRequest decodeMode(byte[] body) throws RemotingCommandException {
        JsonObject o = parse(body, "SetMessageRequestModeRequestBody");
        return new ModeRequest(o.getString("topic"), o.getString("consumerGroup"), o.getString("mode"),
            o.getInt("popShareQueueNum", 0));
    }

    /** QUERY_ASSIGNMENT body. */
    record AssignmentRequest(String topic, String group, String clientId, String strategyName, String messageModel) {
    }

    static AssignmentRequest decodeAssignment(byte[] body) throws RemotingCommandException {
        JsonObject o = parse(body, "QueryAssignmentRequestBody");
        return new AssignmentRequest(o.getString("topic"), o.getString("consumerGroup"), o.getString("clientId"),
            o.getString("strategyName"), o.getString("messageModel"));
    }

    /** {"messageQueueAssignments":[{"messageQueue":{...},"mode":"POP"},...]} */
    static byte[] encodeAssignments(List<MessageQueue> queues, String mode) {
        JsonWriter w = new JsonWriter().beginObject().name("messageQueueAssignments").beginArray();
        for (MessageQueue q : queues) {
            w.beginObject().name("messageQueue");
            q.writeJson(w);
            w.field("mode", mode).endObject();
        }
        return w.endArray().endObject().toString().getBytes(StandardCharsets.UTF_8);
    }

    /** One ack of BATCH_ACK_MESSAGE: the offsets startOffset + i for every bit i set. */
    record BatchAck(String group, String topic, String retry, int queueId, long popTimeMs, List<Long> offsets) {
    }

    static List<BatchAck> decodeBatchAck(byte[] body) throws RemotingCommandException {
        JsonObject o = parse(body, "BatchAckMessageRequestBody");
        List<BatchAck> out = new ArrayList<>();
        try {
            for (Object a : o.getArray("acks")) {
                JsonObject j = JsonObject.toObject("BatchAck", a);
                long start = j.getLong("so", -1);
                List<Long> offsets = new ArrayList<>();
                String bits = j.getString("b");
                BitSet set = BitSet.valueOf(Base64.getDecoder().decode(bits == null ? "" : bits));
                for (int i = set.nextSetBit(0); i >= 0; i = set.nextSetBit(i + 1)) {
                    offsets.add(start + i);
                }
                out.add(new BatchAck(j.getString("c"), j.getString("t"), j.getString("r"), j.getInt("q", -1),
                    j.getLong("pt", -1), offsets));
            }
        } catch (JsonParseException | ClassCastException | IllegalArgumentException e) {
            throw new RemotingCommandException("malformed BatchAckMessageRequestBody body: " + e.getMessage());
        }
        return out;
    }

    private static JsonObject parse(byte[] body, String what) throws RemotingCommandException {
        if (body == null || body.length == 0) {
            throw new RemotingCommandException("missing " + what + " body");
        }
        try {
            return JsonReader.parseObject(body);
        } catch (JsonParseException | ClassCastException | IllegalArgumentException e) {
            throw new RemotingCommandException("malformed " + what + " body: " + e.getMessage());
        }
    }
}
