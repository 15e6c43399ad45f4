package io.raftmq.broker.it.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandCodec;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.SerializeType;
import io.raftmq.testsupport.GoldenVectors;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates the hostile inputs of {@link BrokerFuzzTest}, reproducibly from one {@link Random}. Three families:
 * <ul>
 *   <li><b>structured</b>: a well-framed request built from a template of a code the broker serves (send v1/v2,
 *       batch, pull, lite pull, offsets, store queries, view by id, query by key, heartbeat, admin reads, topic
 *       create on a few fixed names) with mutated extFields (dropped, wrong type, empty, huge, negative), a mutated
 *       body (truncated, random, bad batch encoding, bad properties), a random or unknown code, JSON or ROCKETMQ
 *       header; the broker must answer it by opaque (or close the connection);</li>
 *   <li><b>header-broken</b>: the JSON header of a structured frame edited at text level (wrong JSON types,
 *       broken syntax, huge numbers, bad serialize byte) with the frame length kept right;</li>
 *   <li><b>raw</b>: random bytes and golden vectors (the golden vectors) with bit flips, truncation, tampered length
 *       and header words, JSON-significant bytes, splices and concatenations.</li>
 * </ul>
 * Destructive codes (DELETE_TOPIC_IN_BROKER, DELETE_SUBSCRIPTIONGROUP, RAFT_TRANSFER_LEADERSHIP and the membership
 * changes 9002-9004) are never generated, and the sentinel code
 * {@link #SENTINEL_CODE} is reserved for the driver.
 */
final class FuzzCases {
    static final int SENTINEL_CODE = 31337;
    static final int CASE_OPAQUE_BASE = 0x10000000;
    private static final String[] GOLDEN = {
        "01_get_routeinfo_request_json.bin", "02_get_routeinfo_request_rocketmq.bin",
        "03_send_message_v2_request_json.bin", "04_send_message_v2_request_rocketmq.bin",
        "05_send_message_response_json.bin", "06_pull_message_request_json.bin",
        "07_pull_message_request_rocketmq.bin", "12_heartbeat_request_json.bin", "28_error_response_json.bin",
        "31_heartbeat_response_json.bin", "34_notify_consumer_ids_changed_json.bin",
    };
    private static final String[] TOPICS = {FuzzFixture.TOPIC, FuzzFixture.TOPIC, "NoSuchTopic", "bad topic!",
        "TBW102", "SCHEDULE_TOPIC_XXXX", "%RETRY%FuzzCG", "x".repeat(200), ""};
    private static final String[] BAD_VALUES = {"", "abc", "1.5", "true", "-1", "-2147483648", "2147483648",
        "9223372036854775807", "-9223372036854775808", "99999999999999999999", " 1", "0x10", "NaN", "\u0000",
        "\u0001\u0002", "\uD800", "null"};
    private static final byte[] JSON_CHARS = "{}[]\":,\\'0123456789-.eEtfn u".getBytes(StandardCharsets.US_ASCII);

    /**
     * One input: its bytes, the opaque whose answer is owed (-1: none owed), whether it is a correctly framed and
     * encoded request or response (the broker must not close on it) and how it was made.
     */
    record Case(byte[] bytes, int expectOpaque, boolean wellFramed, String what) {
    }

    private final Random rnd;
    private final byte[][] golden;
    private final byte[] heartbeatBody;
    private final int[] knownCodes;
    private final RemotingCommandCodec codec = new RemotingCommandCodec();

    FuzzCases(Random rnd) {
        this.rnd = rnd;
        golden = new byte[GOLDEN.length][];
        for (int i = 0; i < GOLDEN.length; i++) {
            golden[i] = GoldenVectors.bytes(GOLDEN[i]);
        }
        heartbeatBody = GoldenVectors.bytes("11_heartbeat_body.json");
        knownCodes = knownCodes();
    }

    /** Codes that change the group on purpose (delete metadata, move leadership away): never fuzzed. */
    private static boolean isDestructive(int code) {
        return code == RequestCode.DELETE_TOPIC_IN_BROKER || code == RequestCode.DELETE_SUBSCRIPTIONGROUP
            || code == RequestCode.RAFT_TRANSFER_LEADERSHIP || code == RequestCode.RAFT_ADD_MEMBER
            || code == RequestCode.RAFT_PROMOTE_MEMBER || code == RequestCode.RAFT_REMOVE_MEMBER;
    }

    private static int[] knownCodes() {
        List<Integer> codes = new ArrayList<>();
        for (Field f : RequestCode.class.getFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                try {
                    int c = f.getInt(null);
                    if (!isDestructive(c) && c != SENTINEL_CODE) {
                        codes.add(c);
                    }
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return codes.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The next correctly framed and encoded case: a structured request (sometimes an unmodified golden frame);
     * {@code n} numbers it (its owed opaque is {@link #CASE_OPAQUE_BASE} + n).
     */
    Case wellFormed(int n) {
        if (rnd.nextInt(12) == 0) {
            return new Case(golden[rnd.nextInt(golden.length)].clone(), -1, true, "golden");
        }
        return structured(n);
    }

    /** The next hostile case: a header-broken structured frame or a raw / mutated golden input. */
    Case hostile(int n) {
        return rnd.nextInt(5) == 0 ? headerBroken(n) : raw();
    }

    // ------------------------------------------------------------------------------------------ structured

    private Case structured(int n) {
        Template t = template();
        StringBuilder what = new StringBuilder("structured ").append(t.code);
        int mutations = rnd.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            what.append(' ').append(mutateFields(t));
        }
        if (rnd.nextInt(8) == 0) {
            what.append(" body:").append(mutateBody(t));
        }
        int code = t.code;
        if (rnd.nextInt(12) == 0) {
            code = rnd.nextInt(3) == 0 ? rnd.nextInt(65536) - 32768 : knownCodes[rnd.nextInt(knownCodes.length)];
            if (code == SENTINEL_CODE || isDestructive(code)) {
                code = 9999;
            }
            what.append(" code->").append(code);
        }
        RemotingCommand cmd = RemotingCommand.createRequest(code);
        cmd.opaque(CASE_OPAQUE_BASE + n);
        for (Map.Entry<String, String> e : t.fields.entrySet()) {
            cmd.addExtField(e.getKey(), e.getValue());
        }
        boolean oneway = rnd.nextInt(20) == 0;
        if (oneway) {
            cmd.markOneway();
        }
        if (rnd.nextInt(3) == 0) {
            cmd.serializeType(SerializeType.ROCKETMQ);
            what.append(" rocketmq");
        }
        if (t.body != null) {
            cmd.setBody(t.body);
        }
        byte[] frame = encode(cmd);
        return new Case(frame, oneway ? -1 : CASE_OPAQUE_BASE + n, true, what.toString());
    }

    private byte[] encode(RemotingCommand cmd) {
        ByteBuf buf;
        try {
            buf = codec.encodeFrame(cmd, UnpooledByteBufAllocator.DEFAULT);
        } catch (RuntimeException e) { // e.g. a code beyond a short in the binary header: send it as JSON
            cmd.serializeType(SerializeType.JSON);
            buf = codec.encodeFrame(cmd, UnpooledByteBufAllocator.DEFAULT);
        }
        try {
            byte[] out = new byte[buf.readableBytes()];
            buf.readBytes(out);
            return out;
        } finally {
            buf.release();
            cmd.release();
        }
    }

    /** A request code with plausible extFields and body. */
    private static final class Template {
        final int code;
        final Map<String, String> fields = new LinkedHashMap<>();
        byte[] body;

        Template(int code) {
            this.code = code;
        }

        Template put(String k, Object v) {
            fields.put(k, String.valueOf(v));
            return this;
        }
    }

    private String topic() {
        return TOPICS[rnd.nextInt(TOPICS.length)];
    }

    private int queueId() {
        return rnd.nextInt(8) == 0 ? -1 - rnd.nextInt(3) : rnd.nextInt(6);
    }

    private Template template() {
        switch (rnd.nextInt(16)) {
            case 0: return send(RequestCode.SEND_MESSAGE_V2);
            case 1: return send(RequestCode.SEND_MESSAGE);
            case 2: return batch();
            case 3: return pull(RequestCode.PULL_MESSAGE);
            case 4: return pull(RequestCode.LITE_PULL_MESSAGE);
            case 5: return new Template(rnd.nextBoolean() ? RequestCode.QUERY_CONSUMER_OFFSET
                : RequestCode.UPDATE_CONSUMER_OFFSET).put("consumerGroup", "FuzzCG").put("topic", topic())
                .put("queueId", queueId()).put("commitOffset", rnd.nextInt(100));
            case 6: return new Template(new int[] {RequestCode.GET_MAX_OFFSET, RequestCode.GET_MIN_OFFSET,
                RequestCode.GET_EARLIEST_MSG_STORETIME}[rnd.nextInt(3)]).put("topic", topic()).put("queueId",
                queueId());
            case 7: return new Template(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP).put("topic", topic())
                .put("queueId", queueId()).put("timestamp", System.currentTimeMillis() - rnd.nextInt(100_000));
            case 8: return new Template(RequestCode.VIEW_MESSAGE_BY_ID).put("offset", bogusOffset())
                .put("topic", topic());
            case 9: return new Template(RequestCode.QUERY_MESSAGE).put("topic", topic()).put("key", "k" + rnd
                .nextInt(5)).put("maxNum", 32).put("beginTimestamp", 0).put("endTimestamp", Long.MAX_VALUE);
            case 10: return heartbeat();
            case 11: return new Template(RequestCode.UNREGISTER_CLIENT).put("clientID", "fuzz@" + rnd.nextInt(4))
                .put("consumerGroup", "FuzzCG");
            case 12: return new Template(new int[] {RequestCode.GET_CONSUMER_LIST_BY_GROUP,
                RequestCode.GET_CONSUME_STATS, RequestCode.GET_CONSUMER_CONNECTION_LIST}[rnd.nextInt(3)])
                .put("consumerGroup", "FuzzCG").put("topic", topic());
            case 13: return new Template(new int[] {RequestCode.GET_TOPIC_STATS_INFO, RequestCode.GET_TOPIC_CONFIG,
                RequestCode.QUERY_TOPIC_CONSUME_BY_WHO}[rnd.nextInt(3)]).put("topic", topic());
            case 14: return new Template(new int[] {RequestCode.GET_BROKER_RUNTIME_INFO,
                RequestCode.GET_ALL_TOPIC_CONFIG, RequestCode.GET_BROKER_CONFIG,
                RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG}[rnd.nextInt(4)]);
            default: return new Template(RequestCode.UPDATE_AND_CREATE_TOPIC).put("topic", "FuzzCreated" + rnd
                .nextInt(3)).put("defaultTopic", "TBW102").put("readQueueNums", 1 + rnd.nextInt(8))
                .put("writeQueueNums", 1 + rnd.nextInt(8)).put("perm", 6).put("topicFilterType", "SINGLE_TAG");
        }
    }

    private long bogusOffset() {
        long[] picks = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, rnd.nextInt(4096), rnd.nextLong(),
            rnd.nextInt(1 << 20)};
        return picks[rnd.nextInt(picks.length)];
    }

    private Template send(int code) {
        boolean v2 = code == RequestCode.SEND_MESSAGE_V2;
        Template t = new Template(code);
        String[] names = v2 ? new String[] {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "m"}
            : new String[] {"producerGroup", "topic", "defaultTopic", "defaultTopicQueueNums", "queueId", "sysFlag",
                "bornTimestamp", "flag", "properties", "reconsumeTimes", "unitMode", "batch"};
        Object[] values = {"FuzzPG", topic(), "TBW102", 4, queueId(), rnd.nextInt(8) == 0 ? rnd.nextInt() : 0,
            System.currentTimeMillis(), 0, properties(), 0, false, false};
        for (int i = 0; i < names.length; i++) {
            t.put(names[i], values[i]);
        }
        t.body = ("fuzz-" + rnd.nextInt(1_000_000)).getBytes(StandardCharsets.UTF_8);
        return t;
    }

    private String properties() {
        switch (rnd.nextInt(6)) {
            case 0: return "UNIQ_KEY\u0001" + "7F00000100002A9F0000000000000" + rnd.nextInt(999)
                + "\u0002WAIT\u0001true\u0002TAGS\u0001TagA\u0002KEYS\u0001k" + rnd.nextInt(5) + "\u0002";
            case 1: return "\u0001\u0002\u0001\u0002";
            case 2: return "no separators at all";
            case 3: return "DELAY\u0001" + rnd.nextInt(40) + "\u0002TRAN_MSG\u0001true\u0002";
            case 4: return "K\u0001" + "v".repeat(rnd.nextInt(40_000));
            default: return "TAGS\u0001TagA";
        }
    }

    private Template batch() {
        Template t = send(RequestCode.SEND_MESSAGE_V2);
        Template b = new Template(RequestCode.SEND_BATCH_MESSAGE);
        b.fields.putAll(t.fields);
        b.put("m", true);
        int count = 1 + rnd.nextInt(3);
        ByteBuffer buf = ByteBuffer.allocate(4096);
        for (int i = 0; i < count; i++) {
            byte[] body = ("b" + i).getBytes(StandardCharsets.UTF_8);
            byte[] props = ("UNIQ_KEY\u0001U" + i + "\u0002").getBytes(StandardCharsets.UTF_8);
            buf.putInt(20 + body.length + 2 + props.length).putInt(0).putInt(0).putInt(0)
                .putInt(body.length).put(body).putShort((short) props.length).put(props);
        }
        b.body = Arrays.copyOf(buf.array(), buf.position());
        return b;
    }

    private Template pull(int code) {
        int sysFlag = code == RequestCode.LITE_PULL_MESSAGE ? 0x4 | 0x10 : 0x4;
        return new Template(code).put("consumerGroup", "FuzzCG").put("topic", topic()).put("queueId", queueId())
            .put("queueOffset", rnd.nextInt(10)).put("maxMsgNums", 1 + rnd.nextInt(32)).put("sysFlag", sysFlag)
            .put("commitOffset", -1).put("suspendTimeoutMillis", 0).put("subscription", rnd.nextBoolean() ? "*"
                : "TagA || TagB").put("subVersion", 0).put("expressionType", rnd.nextInt(5) == 0 ? "SQL92" : "TAG");
    }

    private Template heartbeat() {
        Template t = new Template(RequestCode.HEART_BEAT);
        t.body = heartbeatBody.clone();
        return t;
    }

    /** One extFields mutation; returns its description. */
    private String mutateFields(Template t) {
        if (t.fields.isEmpty()) {
            t.put("junk" + rnd.nextInt(3), BAD_VALUES[rnd.nextInt(BAD_VALUES.length)]);
            return "add";
        }
        List<String> keys = new ArrayList<>(t.fields.keySet());
        String k = keys.get(rnd.nextInt(keys.size()));
        switch (rnd.nextInt(5)) {
            case 0:
                t.fields.remove(k);
                return "drop:" + k;
            case 1:
                t.fields.put(k, BAD_VALUES[rnd.nextInt(BAD_VALUES.length)]);
                return "bad:" + k;
            case 2:
                t.fields.put(k, Long.toString(rnd.nextBoolean() ? -1 - rnd.nextInt(1000) : rnd.nextLong()));
                return "num:" + k;
            case 3:
                // the suspend flag is never set: a held pull answers only after its hold time
                t.fields.put(k, Integer.toString(rnd.nextInt(1 << 16) & ~0x2));
                return "int:" + k;
            default:
                t.fields.put(k, "x".repeat(rnd.nextInt(300)));
                return "long:" + k;
        }
    }

    /** One body mutation; returns its description. */
    private String mutateBody(Template t) {
        byte[] b = t.body == null ? new byte[0] : t.body;
        switch (rnd.nextInt(4)) {
            case 0:
                t.body = Arrays.copyOf(b, b.length == 0 ? 0 : rnd.nextInt(b.length));
                return "truncated";
            case 1:
                t.body = new byte[rnd.nextInt(600)];
                rnd.nextBytes(t.body);
                return "random";
            case 2:
                t.body = flip(b.clone(), 1 + rnd.nextInt(6));
                return "flipped";
            default:
                t.body = null;
                return "none";
        }
    }

    // ------------------------------------------------------------------------------------------ header-broken

    private Case headerBroken(int n) {
        Template t = template();
        RemotingCommand cmd = RemotingCommand.createRequest(t.code).opaque(CASE_OPAQUE_BASE + n);
        t.fields.forEach(cmd::addExtField);
        if (t.body != null) {
            cmd.setBody(t.body);
        }
        byte[] frame = encode(cmd);
        int headerLen = ByteBuffer.wrap(frame, 4, 4).getInt() & 0xFFFFFF;
        String json = new String(frame, 8, headerLen, StandardCharsets.UTF_8);
        String[][] edits = {{"\"code\":", "\"code\":\"x\",\"c\":"}, {"\"code\":", "\"code\":99999999999,\"c\":"},
            {"\"extFields\":{", "\"extFields\":["}, {"\"extFields\":{", "\"extFields\":7,\"e\":{"},
            {"\"opaque\":", "\"opaque\":{},\"o\":"}, {"\"flag\":", "\"flag\":-1,\"f\":"}, {"}", ""},
            {"\"language\":\"JAVA\"", "\"language\":\"KLINGON\""}, {"\"version\":", "\"version\":1e999,\"v\":"},
            {":", "::"}, {"\"", "'"}, {"{", "{\"extFields\":null,"}, {"\"opaque\":", "\"opaque\":2.5,\"o\":"}};
        String[] e = edits[rnd.nextInt(edits.length)];
        String edited = json.replaceFirst(java.util.regex.Pattern.quote(e[0]),
            java.util.regex.Matcher.quoteReplacement(e[1]));
        byte[] header = edited.getBytes(StandardCharsets.UTF_8);
        int bodyLen = frame.length - 8 - headerLen;
        int serialize = rnd.nextInt(6) == 0 ? 2 + rnd.nextInt(254) : 0;
        ByteBuffer out = ByteBuffer.allocate(8 + header.length + bodyLen);
        out.putInt(4 + header.length + bodyLen).putInt(serialize << 24 | header.length).put(header)
            .put(frame, 8 + headerLen, bodyLen);
        return new Case(out.array(), -1, false, "header-broken " + t.code + " " + e[0] + "->" + e[1] + " ser "
            + serialize);
    }

    // ------------------------------------------------------------------------------------------ raw

    private Case raw() {
        byte[] base = golden[rnd.nextInt(golden.length)];
        byte[] b = base.clone();
        switch (1 + rnd.nextInt(8)) {
            case 1: return new Case(flip(b, 1 + rnd.nextInt(8)), -1, false, "golden flipped");
            case 2: return new Case(Arrays.copyOf(b, rnd.nextInt(b.length)), -1, false, "golden truncated");
            case 3: return new Case(setInt(b, rnd.nextBoolean() ? 0 : 4), -1, false, "golden length/word");
            case 4: return new Case(garbage(), -1, false, "random bytes");
            case 5: return new Case(jsonChars(b), -1, false, "golden json chars");
            case 6: return new Case(splice(b, golden[rnd.nextInt(golden.length)]), -1, false, "golden splice");
            case 7: return new Case(concat(b, golden[rnd.nextInt(golden.length)]), -1, false, "golden concat");
            default: return new Case(flip(setInt(b, 4), rnd.nextInt(3)), -1, false, "golden word flipped");
        }
    }

    private byte[] flip(byte[] b, int count) {
        for (int i = 0; i < count && b.length > 0; i++) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
        return b;
    }

    private byte[] setInt(byte[] b, int at) {
        if (b.length < at + 4) {
            return b;
        }
        int[] interesting = {0, 1, 3, 4, -1, Integer.MIN_VALUE, b.length - 4, b.length, b.length + 100,
            0x00FFFFFF, 0x01000000 | (b.length - 12), 0x02000010, 16 << 20, (16 << 20) - 3, rnd.nextInt()};
        ByteBuffer.wrap(b).putInt(at, interesting[rnd.nextInt(interesting.length)]);
        return b;
    }

    private byte[] garbage() {
        byte[] g = new byte[rnd.nextInt(300)];
        rnd.nextBytes(g);
        if (g.length >= 8 && rnd.nextBoolean()) {
            ByteBuffer.wrap(g).putInt(0, g.length - 4);
            g[4] = (byte) rnd.nextInt(2);
        }
        return g;
    }

    private byte[] jsonChars(byte[] b) {
        int count = 1 + rnd.nextInt(4);
        for (int i = 0; i < count && b.length > 8; i++) {
            b[8 + rnd.nextInt(b.length - 8)] = JSON_CHARS[rnd.nextInt(JSON_CHARS.length)];
        }
        return b;
    }

    private byte[] splice(byte[] a, byte[] b) {
        int cutA = rnd.nextInt(a.length + 1);
        int cutB = rnd.nextInt(b.length + 1);
        byte[] out = Arrays.copyOf(a, cutA + b.length - cutB);
        System.arraycopy(b, cutB, out, cutA, b.length - cutB);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
