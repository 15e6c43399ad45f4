package io.raftmq.client.producer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.zip.Deflater;

/**
 * The producer's message encodings, each as the official client writes them so official consumers read them:
 *
 * <p><b>Properties</b> (docs/protocol.md §3.4): {@code name U+0001 value U+0002} per pair, every pair terminated.
 * The producer writes user properties first (insertion order), then KEYS, TAGS, DELAY, TIMER_DELIVER_MS, WAIT=true
 * and UNIQ_KEY. Order carries no meaning to readers. At most 32767 UTF-8 bytes (the stored length is a signed
 * short).
 *
 * <p><b>Batch body</b> of SEND_BATCH_MESSAGE (docs/protocol.md §3.6), the messages back to back:
 * <pre>
 *  off  size  field
 *    0   4    TOTALSIZE     20 + bodyLen + 2 + propsLen
 *    4   4    MAGICCODE     0
 *    8   4    BODYCRC       0
 *   12   4    FLAG          user flag
 *   16   4+n  BODYLENGTH, BODY
 *    .   2+n  PROPERTIESLENGTH, PROPERTIES   this message's own (UNIQ_KEY, WAIT, TAGS, KEYS, user)
 * </pre>
 *
 * <p><b>Compression</b> (docs/protocol.md §3.11): a single message's body of at least the threshold is deflated
 * (zlib stream, level 5) when that makes it smaller, and sysFlag gets 0x1 (compressed) | 3 &lt;&lt; 8 (ZLIB).
 */
public final class MessageCodec {
    static final char NAME_VALUE_SEPARATOR = '\u0001';
    static final char PROPERTY_SEPARATOR = '\u0002';
    public static final int PROPERTIES_BYTES_MAX = Short.MAX_VALUE;
    public static final int SYSFLAG_COMPRESSED_ZLIB = 0x1 | (3 << 8);
    public static final int BATCH_HEADER_LENGTH = 20;
    static final int COMPRESS_LEVEL = 5;
    public static final int DELAY_LEVEL_MAX = 18;
    public static final int TOPIC_LENGTH_MAX = 127;
    private static final Pattern TOPIC = Pattern.compile("[%|a-zA-Z0-9_-]+");
    /** Topic names already found valid (the regular expression is the costliest check of a send). */
    private static final int VALID_TOPICS_MAX = 4096;
    private static final ConcurrentHashMap<String, Boolean> VALID_TOPICS = new ConcurrentHashMap<>();
    /** Property names the protocol gives a meaning (docs/protocol.md §3.5): not settable as user properties. */
    static final Set<String> RESERVED = Set.of("TAGS", "KEYS", "WAIT", "UNIQ_KEY", "DELAY", "RETRY_TOPIC",
            "REAL_TOPIC", "REAL_QID", "TRAN_MSG", "PGROUP", "MIN_OFFSET", "MAX_OFFSET", "CLUSTER", "BUYER_ID",
            "ORIGIN_MESSAGE_ID", "TRANSFER_FLAG", "CORRECTION_FLAG", "MQ2_FLAG", "RECONSUME_TIME", "MSG_REGION",
            "TRACE_ON", "MAX_RECONSUME_TIMES", "CONSUME_START_TIME", "TRAN_PREPARED_QUEUE_OFFSET",
            "TRANSACTION_CHECK_TIMES", "CHECK_IMMUNITY_TIME_IN_SECONDS", "TIMER_DELIVER_MS", "TIMER_DELAY_SEC",
            "TIMER_DELAY_MS", "TIMER_OUT_MS", "TIMER_ENQUEUE_MS", "TIMER_DEQUEUE_MS", "__SHARDINGKEY");

    private MessageCodec() {
    }

    /**
     * Checks a message before it is sent; throws {@link IllegalArgumentException} saying what is wrong.
     *
     * @param bodyBytesMax the largest body allowed
     */
    public static void validate(Message m, int bodyBytesMax) {
        validateTopic(m.topic());
        check(m.body().length > 0, "message body of topic " + m.topic() + " is empty");
        check(m.body().length <= bodyBytesMax, "message body of " + m.body().length + " bytes is larger than"
                + " bodyBytesMax (" + bodyBytesMax + ")");
        check(m.delayTimeLevel() >= 0, "delayTimeLevel must be 0 (none) or 1.." + DELAY_LEVEL_MAX + ", got "
                + m.delayTimeLevel());
        check(m.deliverTimeMs() >= 0, "deliverTimeMs must be 0 (none) or an epoch time, got " + m.deliverTimeMs());
        check(m.delayTimeLevel() == 0 || m.deliverTimeMs() == 0, "a message has either a delay level or a delivery"
                + " time, not both");
        checkText("tags", m.tags());
        checkText("keys", m.keys());
        for (Map.Entry<String, String> p : m.userProperties().entrySet()) {
            check(p.getKey() != null && !p.getKey().isEmpty(), "a user property needs a name");
            check(!RESERVED.contains(p.getKey()), "property name " + p.getKey() + " is reserved by the protocol"
                    + " (use the Message setters)");
            checkText("property name " + p.getKey(), p.getKey());
            checkText("value of property " + p.getKey(), p.getValue());
        }
    }

    /** Checks a topic name: [%|a-zA-Z0-9_-], 1..127 characters, not the auto-create template. */
    public static void validateTopic(String topic) {
        if (topic != null && VALID_TOPICS.containsKey(topic)) {
            return;
        }
        check(topic != null && !topic.isEmpty(), "topic is empty");
        check(topic.length() <= TOPIC_LENGTH_MAX, "topic " + topic + " is longer than " + TOPIC_LENGTH_MAX);
        check(TOPIC.matcher(topic).matches(), "topic " + topic + " may only use letters, digits, '%', '|', '_', '-'");
        check(!topic.equals("TBW102"), "topic TBW102 is the auto-create template, not a topic to send to");
        if (VALID_TOPICS.size() < VALID_TOPICS_MAX) {
            VALID_TOPICS.put(topic, Boolean.TRUE);
        }
    }

    private static void checkText(String what, String s) {
        if (s != null) {
            check(s.indexOf(NAME_VALUE_SEPARATOR) < 0 && s.indexOf(PROPERTY_SEPARATOR) < 0,
                    what + " contains the separator characters U+0001 or U+0002");
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The properties string of {@code m} with the given UNIQ_KEY (see the class comment for the order). */
    public static String properties(Message m, String uniqKey) {
        StringBuilder sb = new StringBuilder(64 + (m.tags() == null ? 0 : m.tags().length())
                + (m.keys() == null ? 0 : m.keys().length()));
        for (Map.Entry<String, String> p : m.userProperties().entrySet()) {
            append(sb, p.getKey(), p.getValue());
        }
        append(sb, "KEYS", m.keys());
        append(sb, "TAGS", m.tags());
        if (m.delayTimeLevel() > 0) {
            append(sb, "DELAY", Integer.toString(m.delayTimeLevel()));
        }
        if (m.deliverTimeMs() > 0) {
            append(sb, "TIMER_DELIVER_MS", Long.toString(m.deliverTimeMs()));
        }
        append(sb, "WAIT", "true");
        append(sb, "UNIQ_KEY", uniqKey);
        String s = sb.toString();
        check(utf8Length(s) <= PROPERTIES_BYTES_MAX, "message properties of " + utf8Length(s) + " bytes are more"
                + " than " + PROPERTIES_BYTES_MAX + " (tags, keys and user properties together)");
        return s;
    }

    /**
     * The batch-level properties of SEND_BATCH_MESSAGE's header: WAIT only. No batch UNIQ_KEY: Apache RocketMQ 5.3.3
     * appends the header's properties to every inner message's, and the later UNIQ_KEY wins when they are read, so
     * every message of the batch would be consumed with the batch's id (docs/protocol.md trap 9; found by
     * ApacheRocketMqSdkTest, docs/sdk.md "Against Apache RocketMQ").
     */
    public static String batchProperties() {
        StringBuilder sb = new StringBuilder(16);
        append(sb, "WAIT", "true");
        return sb.toString();
    }

    private static void append(StringBuilder sb, String name, String value) {
        if (value != null) {
            sb.append(name).append(NAME_VALUE_SEPARATOR).append(value).append(PROPERTY_SEPARATOR);
        }
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return n;
    }

    /**
     * The batch body of {@code msgs} whose properties strings are {@code props} (same order).
     *
     * @throws IllegalArgumentException if the batch is larger than {@code bytesMax}
     */
    public static byte[] batchBody(List<Message> msgs, List<String> props, int bytesMax) {
        byte[][] encoded = new byte[props.size()][];
        long total = 0;
        for (int i = 0; i < msgs.size(); i++) {
            encoded[i] = props.get(i).getBytes(StandardCharsets.UTF_8);
            total += BATCH_HEADER_LENGTH + msgs.get(i).body().length + 2 + encoded[i].length;
        }
        check(total <= bytesMax, "batch of " + msgs.size() + " messages encodes to " + total + " bytes, more than"
                + " bodyBytesMax (" + bytesMax + ")");
        ByteBuffer b = ByteBuffer.allocate((int) total);
        for (int i = 0; i < msgs.size(); i++) {
            Message m = msgs.get(i);
            b.putInt(BATCH_HEADER_LENGTH + m.body().length + 2 + encoded[i].length).putInt(0).putInt(0)
                    .putInt(m.flag()).putInt(m.body().length).put(m.body())
                    .putShort((short) encoded[i].length).put(encoded[i]);
        }
        return b.array();
    }

    /** {@code body} deflated (zlib stream, level 5), or null when that is not smaller. */
    public static byte[] compress(byte[] body) {
        Deflater d = new Deflater(COMPRESS_LEVEL);
        try {
            d.setInput(body);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 2 + 64);
            byte[] chunk = new byte[Math.min(64 << 10, body.length + 64)];
            while (!d.finished()) {
                int n = d.deflate(chunk);
                out.write(chunk, 0, n);
                if (out.size() >= body.length) {
                    return null;
                }
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }
}
