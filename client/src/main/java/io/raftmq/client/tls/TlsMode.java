package io.raftmq.client.tls;

import java.util.Locale;

/**
 * How a remoting server (broker or NameServer) treats TLS on its client-facing port, with the names and meaning of
 * the official RocketMQ server's {@code tls.server.mode} (docs/security.md "TLS"): {@link #DISABLED} speaks plain
 * TCP only, {@link #PERMISSIVE} accepts both (a connection whose first byte opens a TLS handshake record gets TLS,
 * any other stays plain), {@link #ENFORCING} accepts TLS only (a plain connection fails the handshake and is closed
 * before any request is read).
 */
public enum TlsMode {
    DISABLED, PERMISSIVE, ENFORCING;

    /**
     * The mode named {@code text} (case-insensitive: disabled, permissive, enforcing).
     *
     * @throws IllegalArgumentException naming the known modes when {@code text} is none of them
     */
    public static TlsMode parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        for (TlsMode m : values()) {
            if (m.name().equals(t)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown TLS mode '" + text + "': expected disabled, permissive or"
                + " enforcing");
    }

    /** The mode's name as written in configuration files (lower case). */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }
}
