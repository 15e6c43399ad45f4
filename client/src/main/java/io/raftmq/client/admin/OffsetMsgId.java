package io.raftmq.client.admin;

/**
 * The broker's message id (docs/protocol.md §3.3, "offset msgId"): the store host's ip and port and the commit-log
 * offset, in uppercase hex: 32 characters for an IPv4 host, 56 for IPv6. VIEW_MESSAGE_BY_ID (33) goes to the address
 * inside it. A producer's UNIQ_KEY has the same lengths, so a string that parses may still be a UNIQ_KEY: the admin
 * API checks that the address is a registered broker before it dials it.
 *
 * @param address the store host, {@code ip:port} ({@code [v6]:port} for IPv6)
 * @param offset  the commit-log offset
 */
public record OffsetMsgId(String address, long offset) {
    private static final int IPV4_HEX = 32;
    private static final int IPV6_HEX = 56;

    /** The id {@code id} denotes, or null when it is not 32 or 56 hex digits. */
    public static OffsetMsgId parse(String id) {
        if (id == null || (id.length() != IPV4_HEX && id.length() != IPV6_HEX) || !id.matches("[0-9A-Fa-f]+")) {
            return null;
        }
        int ipBytes = id.length() == IPV4_HEX ? 4 : 16;
        StringBuilder host = new StringBuilder();
        for (int i = 0; i < ipBytes; i++) {
            int b = Integer.parseInt(id.substring(2 * i, 2 * i + 2), 16);
            if (ipBytes == 4) {
                host.append(i == 0 ? "" : ".").append(b);
            } else {
                host.append(i > 0 && i % 2 == 0 ? ":" : "").append(String.format("%02x", b));
            }
        }
        int at = 2 * ipBytes;
        long port = Long.parseLong(id.substring(at, at + 8), 16);
        long offset = Long.parseUnsignedLong(id.substring(at + 8, at + 24), 16);
        String h = ipBytes == 4 ? host.toString() : "[" + host + "]";
        return new OffsetMsgId(h + ":" + port, offset);
    }
}
