package io.raftmq.client.consumer;

import io.netty.buffer.ByteBuf;
import io.raftmq.client.protocol.body.MessageQueue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decodes the body of a PULL_MESSAGE answer: stored messages back to back (docs/protocol.md §3.1), read in place
 * from the answer's buffer (which stays the caller's: nothing is retained). Layout of one message, big-endian:
 * <pre>
 *  off  size   field
 *    0  4      TOTALSIZE            whole message, this field included
 *    4  4      MAGICCODE            0xDAA320A7 (topic length 1 byte) | 0xDAA320AB (2 bytes)
 *    8  4      BODYCRC              not checked (as the official client)
 *   12  4      QUEUEID
 *   16  4      FLAG
 *   20  8      QUEUEOFFSET
 *   28  8      PHYSICALOFFSET
 *   36  4      SYSFLAG              0x1 compressed (type in bits 8..10), 0x10 / 0x20 IPv6 born / store host
 *   40  8      BORNTIMESTAMP
 *   48  8|20   BORNHOST             ip 4|16 + port 4
 *    .  8      STORETIMESTAMP
 *    .  8|20   STOREHOST            ip 4|16 + port 4
 *    .  4      RECONSUMETIMES
 *    .  8      PREPARED TRANSACTION OFFSET
 *    .  4+n    BODYLENGTH, BODY
 *    .  1|2+n  TOPICLENGTH, TOPIC   UTF-8
 *    .  2+n    PROPERTIESLENGTH, PROPERTIES   name 0x01 value 0x02 ... (docs/protocol.md §3.4)
 * </pre>
 * A message that does not frame (bad magic, a length past its TOTALSIZE or past the buffer) ends the decoding with a
 * {@link MessageFormatException}: the messages before it are kept in it, and the caller counts it as an error rather
 * than dropping the rest silently as the official client does. The offset msgId is STOREHOST + PHYSICALOFFSET in hex.
 */
public final class PulledMessageDecoder {
    public static final int MAGIC_V1 = 0xDAA320A7;
    public static final int MAGIC_V2 = 0xDAA320AB;
    static final int SYSFLAG_COMPRESSED = 0x1;
    static final int SYSFLAG_BORNHOST_V6 = 0x10;
    static final int SYSFLAG_STOREHOST_V6 = 0x20;
    static final int COMPRESSION_TYPE_MASK = 0x700;
    static final int COMPRESSION_ZLIB = 3 << 8;
    /** The smallest message: IPv4 hosts, V1 magic, empty body, topic and properties. */
    static final int FIXED_LENGTH_MIN = 91;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PulledMessageDecoder() {
    }

    /** Thrown when a pull body holds a message that does not frame; {@link #decoded()} are the ones before it. */
    public static final class MessageFormatException extends RuntimeException {
        private final transient List<ReceivedMessage> decoded;

        MessageFormatException(String message, List<ReceivedMessage> decoded) {
            super(message);
            this.decoded = List.copyOf(decoded);
        }

        public List<ReceivedMessage> decoded() {
            return decoded;
        }
    }

    /**
     * Every message of {@code body} from its reader index to its writer index (the indexes are not moved), as pulled
     * from queue {@code queue}.
     *
     * @throws MessageFormatException at the first message that does not frame
     */
    public static List<ReceivedMessage> decode(ByteBuf body, MessageQueue queue) {
        List<ReceivedMessage> out = new ArrayList<>();
        int at = body.readerIndex();
        int end = body.writerIndex();
        while (at < end) {
            int total = end - at >= 4 ? body.getInt(at) : -1;
            if (total < FIXED_LENGTH_MIN || total > end - at) {
                throw new MessageFormatException("message at " + (at - body.readerIndex()) + " has TOTALSIZE " + total
                        + " with " + (end - at) + " bytes left", out);
            }
            out.add(decodeOne(body, at, total, queue, out));
            at += total;
        }
        return out;
    }

    private static ReceivedMessage decodeOne(ByteBuf b, int base, int total, MessageQueue queue,
                                             List<ReceivedMessage> before) {
        int end = base + total;
        int magic = b.getInt(base + 4);
        if (magic != MAGIC_V1 && magic != MAGIC_V2) {
            throw new MessageFormatException("bad magic " + Integer.toHexString(magic), before);
        }
        int flag = b.getInt(base + 16);
        long queueOffset = b.getLong(base + 20);
        long physical = b.getLong(base + 28);
        int sysFlag = b.getInt(base + 36);
        long bornMs = b.getLong(base + 40);
        int at = base + 48 + ((sysFlag & SYSFLAG_BORNHOST_V6) != 0 ? 20 : 8);
        long storeMs = b.getLong(at);
        at += 8;
        int storeHostLength = (sysFlag & SYSFLAG_STOREHOST_V6) != 0 ? 20 : 8;
        String offsetMsgId = offsetMsgId(b, at, storeHostLength, physical);
        at += storeHostLength;
        int reconsume = b.getInt(at);
        at += 4 + 8;
        int bodyLength = length(b, at, 4, end, before);
        byte[] body = new byte[bodyLength];
        b.getBytes(at + 4, body);
        at += 4 + bodyLength;
        int topicLengthBytes = magic == MAGIC_V1 ? 1 : 2;
        int topicLength = length(b, at, topicLengthBytes, end, before);
        String topic = b.toString(at + topicLengthBytes, topicLength, StandardCharsets.UTF_8);
        at += topicLengthBytes + topicLength;
        int propsLength = length(b, at, 2, end, before);
        String props = b.toString(at + 2, propsLength, StandardCharsets.UTF_8);
        if (at + 2 + propsLength != end) {
            throw new MessageFormatException("message fields end at " + (at + 2 + propsLength - base)
                    + ", TOTALSIZE says " + total, before);
        }
        if ((sysFlag & SYSFLAG_COMPRESSED) != 0) {
            body = inflate(body, sysFlag, before);
        }
        String retryTopic = topic.startsWith("%RETRY%") ? findProperty(props, "RETRY_TOPIC") : null;
        String shown = retryTopic != null ? retryTopic : topic;
        return new ReceivedMessage(queue, shown, queueOffset, physical, sysFlag, flag, bornMs, storeMs, offsetMsgId,
                reconsume, body, props, total);
    }

    /** Reads a length field of {@code width} bytes at {@code at} and checks that the field it sizes ends by end. */
    private static int length(ByteBuf b, int at, int width, int end, List<ReceivedMessage> before) {
        if (at + width > end) {
            throw new MessageFormatException("length field past the message end", before);
        }
        int n = width == 4 ? b.getInt(at) : width == 2 ? b.getShort(at) : b.getByte(at);
        if (n < 0 || at + width + n > end) {
            throw new MessageFormatException("field of " + n + " bytes past the message end", before);
        }
        return n;
    }

    private static String offsetMsgId(ByteBuf b, int at, int hostLength, long physical) {
        char[] out = new char[(hostLength + 8) * 2];
        int o = 0;
        for (int i = 0; i < hostLength; i++) {
            int v = b.getByte(at + i) & 0xFF;
            out[o++] = HEX[v >>> 4];
            out[o++] = HEX[v & 0xF];
        }
        for (int shift = 56; shift >= 0; shift -= 8) {
            int v = (int) (physical >>> shift) & 0xFF;
            out[o++] = HEX[v >>> 4];
            out[o++] = HEX[v & 0xF];
        }
        return new String(out);
    }

    /**
     * Parses a properties string (docs/protocol.md §3.4): pairs split on 0x02, name and value on the first 0x01;
     * pieces without a name and a value are skipped; the last value of a repeated name wins.
     */
    public static Map<String, String> parseProperties(String s) {
        Map<String, String> out = new HashMap<>();
        int from = 0;
        while (from < s.length()) {
            int end = s.indexOf('\u0002', from);
            if (end < 0) {
                end = s.length();
            }
            int sep = s.indexOf('\u0001', from);
            if (sep > from && sep < end - 1) {
                out.put(s.substring(from, sep), s.substring(sep + 1, end));
            }
            from = end + 1;
        }
        return out;
    }

    /**
     * The value of property {@code name} in a properties string, by the rules of {@link #parseProperties} (the last
     * value of a repeated name wins; pieces without a name and a value do not count), or null; builds no map.
     */
    public static String findProperty(String s, String name) {
        String found = null;
        int from = 0;
        int n = name.length();
        while (from < s.length()) {
            int end = s.indexOf('\u0002', from);
            if (end < 0) {
                end = s.length();
            }
            int sep = from + n;
            if (n > 0 && sep < end - 1 && s.charAt(sep) == '\u0001' && s.startsWith(name, from)
                    && s.indexOf('\u0001', from) == sep) {
                found = s.substring(sep + 1, end);
            }
            from = end + 1;
        }
        return found;
    }

    private static byte[] inflate(byte[] body, int sysFlag, List<ReceivedMessage> before) {
        int type = sysFlag & COMPRESSION_TYPE_MASK;
        if (type != 0 && type != COMPRESSION_ZLIB) {
            throw new MessageFormatException("compression type " + (type >> 8) + " is not supported (only ZLIB)",
                    before);
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(body);
            ByteArrayOutputStream out = new ByteArrayOutputStream(body.length * 4);
            byte[] chunk = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(chunk);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new MessageFormatException("compressed body is truncated", before);
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new MessageFormatException("compressed body does not inflate: " + e.getMessage(), before);
        } finally {
            inflater.end();
        }
    }
}
