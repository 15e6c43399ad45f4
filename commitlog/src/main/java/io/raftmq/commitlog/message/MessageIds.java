package io.raftmq.commitlog.message;

/**
 * The offset msgId (docs/protocol.md §3.3): uppercase hex of the store host's address (4 or 16 bytes), its port (4
 * bytes) and the message's physical offset (8 bytes); 32 hex chars for IPv4, 56 for IPv6. Clients connect to the
 * embedded address for VIEW_MESSAGE_BY_ID, so the store host must be the broker's client-reachable address.
 */
public final class MessageIds {
    /** Length of an IPv4 offset msgId. */
    public static final int IPV4_ID_LENGTH = 32;
    /** Length of an IPv6 offset msgId. */
    public static final int IPV6_ID_LENGTH = 56;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** A decoded offset msgId. */
    public record OffsetMsgId(HostAddress storeHost, long physicalOffset) {
    }

    private MessageIds() {
    }

    /** Encodes the offset msgId of the message at {@code physicalOffset} stored by {@code storeHost}. */
    public static String offsetMsgId(HostAddress storeHost, long physicalOffset) {
        byte[] ip = storeHost.ip();
        char[] out = new char[(ip.length + 12) * 2];
        int p = 0;
        for (byte b : ip) {
            p = hexByte(out, p, b);
        }
        p = hexLong(out, p, storeHost.port(), 4);
        hexLong(out, p, physicalOffset, 8);
        return new String(out);
    }

    /** Encodes the offset msgId of a stored message from its STOREHOST and PHYSICALOFFSET fields. */
    public static String offsetMsgId(StoredMessage message) {
        return offsetMsgId(message.storeHost(), message.physicalOffset());
    }

    /**
     * Decodes an offset msgId: 32 chars mean IPv4, 56 IPv6 (hex, either case).
     *
     * @throws MessageFormatException if the length or a character is wrong
     */
    public static OffsetMsgId decodeOffsetMsgId(String id) {
        int ipLength;
        if (id.length() == IPV4_ID_LENGTH) {
            ipLength = 4;
        } else if (id.length() == IPV6_ID_LENGTH) {
            ipLength = 16;
        } else {
            throw new MessageFormatException("offset msgId must have 32 or 56 hex chars, got " + id.length());
        }
        byte[] ip = new byte[ipLength];
        for (int i = 0; i < ipLength; i++) {
            ip[i] = (byte) parseHex(id, i * 2, 2);
        }
        int port = (int) parseHex(id, ipLength * 2, 8);
        long offset = parseHex(id, ipLength * 2 + 8, 16);
        if (port < 0 || port > 0xFFFF) {
            throw new MessageFormatException("offset msgId port out of range: " + port);
        }
        return new OffsetMsgId(HostAddress.of(ip, port), offset);
    }

    private static int hexByte(char[] out, int p, int b) {
        out[p] = HEX[(b >>> 4) & 0xF];
        out[p + 1] = HEX[b & 0xF];
        return p + 2;
    }

    private static int hexLong(char[] out, int p, long value, int bytes) {
        for (int i = bytes - 1; i >= 0; i--) {
            p = hexByte(out, p, (int) (value >>> (i * 8)));
        }
        return p;
    }

    private static long parseHex(String s, int from, int chars) {
        long value = 0;
        for (int i = from; i < from + chars; i++) {
            int digit = Character.digit(s.charAt(i), 16);
            if (digit < 0) {
                throw new MessageFormatException("offset msgId has a non-hex char at " + i);
            }
            value = (value << 4) | digit;
        }
        return value;
    }
}
