package io.raftmq.naming.processor;

import io.raftmq.client.Verify;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.RegisterBrokerBody;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicConfigSerializeWrapper;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonParseException;
import io.raftmq.client.protocol.json.JsonReader;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decoder of the compressed REGISTER_BROKER body ({@code compressed=true}, docs/protocol.md §2.1), which RocketMQ
 * brokers send when {@code compressedRegister} is on. The body is one zlib (Deflater) stream; inflated, it reads:
 *
 * <pre>
 *  +--------------+----------------------------------------------------------+
 *  | int32 dvLen  | dvLen bytes: DataVersion JSON                            |
 *  +--------------+----------------------------------------------------------+
 *  | int32 topics | topics x ( int32 len | len bytes: TopicConfig text )     |
 *  +--------------+----------------------------------------------------------+
 *  | int32 fsLen  | fsLen bytes: filter server list, JSON array of strings   |
 *  +--------------+----------------------------------------------------------+
 *  | int32 maps   | maps x ( int32 len | len bytes: queue-mapping JSON )     |  (ignored: no static topics)
 *  +--------------+----------------------------------------------------------+
 *  all int32 big-endian; TopicConfig text = "name readQueueNums writeQueueNums perm filterType[ attributesJSON]"
 *  (single spaces; topicSysFlag and order are not carried and decode as 0 / false)
 * </pre>
 *
 * Limits: the inflated stream may not exceed {@link #INFLATED_LENGTH_MAX}, and every length must fit in what
 * remains, so a hostile body cannot make us allocate more than that.
 */
public final class CompressedRegisterBody {
    /** Width of every length and count field. */
    static final int INT_LENGTH = 4;
    /** Largest inflated body accepted (a 16 MiB frame of highly compressible text inflates far below this). */
    public static final int INFLATED_LENGTH_MAX = 64 << 20;
    /** Fields of a TopicConfig text before the optional attributes. */
    private static final int TOPIC_TEXT_FIELDS = 5;

    static {
        Verify.state(INT_LENGTH == Integer.BYTES, "length fields are int32", INT_LENGTH, Integer.BYTES);
    }

    private CompressedRegisterBody() {
    }

    /**
     * Inflates and parses {@code body}.
     *
     * @throws RemotingCommandException (SYSTEM_ERROR) if the stream is not zlib, is truncated, too large, or a part
     *     does not parse
     */
    public static RegisterBrokerBody decode(byte[] body) throws RemotingCommandException {
        ByteBuffer in = ByteBuffer.wrap(inflate(body));
        try {
            DataVersion dv = DataVersion.fromJson(JsonReader.parseObject(nextPart(in)));
            int topics = nextCount(in);
            Map<String, TopicConfig> table = new TreeMap<>();
            for (int i = 0; i < topics; i++) {
                TopicConfig tc = parseTopicText(new String(nextPart(in), StandardCharsets.UTF_8));
                table.put(tc.topicName(), tc);
            }
            List<String> filterServers = new ArrayList<>();
            Object fs = JsonReader.parse(nextPart(in));
            if (fs instanceof List<?> l) {
                for (Object o : l) {
                    filterServers.add(String.valueOf(o));
                }
            }
            return new RegisterBrokerBody(new TopicConfigSerializeWrapper(table, dv), filterServers);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
    }

    /** Parses RocketMQ's TopicConfig text form (see the layout above). */
    static TopicConfig parseTopicText(String text) throws RemotingCommandException {
        String[] f = text.split(" ", TOPIC_TEXT_FIELDS + 1);
        if (f.length < TOPIC_TEXT_FIELDS || f[0].isEmpty()) {
            throw malformed("topic config text has " + f.length + " fields: " + text);
        }
        Map<String, String> attributes = new TreeMap<>();
        if (f.length > TOPIC_TEXT_FIELDS && !f[TOPIC_TEXT_FIELDS].isBlank()) {
            JsonObject a = JsonReader.parseObject(f[TOPIC_TEXT_FIELDS].getBytes(StandardCharsets.UTF_8));
            for (Map.Entry<Object, Object> e : a.entries()) {
                attributes.put(e.getKey().toString(), String.valueOf(e.getValue()));
            }
        }
        try {
            return new TopicConfig(f[0], Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    f[4], 0, false, attributes);
        } catch (NumberFormatException e) {
            throw malformed("topic config text has a bad number: " + text);
        }
    }

    private static byte[] inflate(byte[] body) throws RemotingCommandException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(body);
            byte[] out = new byte[Math.max(1024, Math.min(body.length * 4, INFLATED_LENGTH_MAX))];
            int n = 0;
            while (!inflater.finished()) {
                if (n == out.length) {
                    if (out.length >= INFLATED_LENGTH_MAX) {
                        throw malformed("inflates beyond " + INFLATED_LENGTH_MAX + " bytes");
                    }
                    out = Arrays.copyOf(out, (int) Math.min((long) out.length * 2, INFLATED_LENGTH_MAX));
                }
                int r = inflater.inflate(out, n, out.length - n);
                if (r == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw malformed("truncated zlib stream");
                }
                n += r;
            }
            return Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw malformed("not a zlib stream: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    private static int nextCount(ByteBuffer in) throws RemotingCommandException {
        if (in.remaining() < INT_LENGTH) {
            throw malformed("truncated at offset " + in.position());
        }
        int v = in.getInt();
        if (v < 0) {
            throw malformed("negative length " + v + " at offset " + (in.position() - INT_LENGTH));
        }
        return v;
    }

    private static byte[] nextPart(ByteBuffer in) throws RemotingCommandException {
        int len = nextCount(in);
        if (len > in.remaining()) {
            throw malformed("part of " + len + " bytes exceeds the " + in.remaining() + " remaining");
        }
        byte[] b = new byte[len];
        in.get(b);
        return b;
    }

    private static RemotingCommandException malformed(String why) {
        return new RemotingCommandException(ResponseCode.SYSTEM_ERROR, "malformed compressed RegisterBrokerBody: "
                + why);
    }
}
