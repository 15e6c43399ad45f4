package io.raftmq.commitlog.message;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * An immutable IPv4 (4-byte) or IPv6 (16-byte) address plus port, as the BORNHOST and STOREHOST fields and the
 * offset msgId carry it. The broker builds one per connection (born host) and one for itself (store host) and
 * reuses them, so the data path does not allocate addresses per message.
 */
public final class HostAddress {
    private final byte[] ip;
    private final int port;

    private HostAddress(byte[] ip, int port) {
        this.ip = ip;
        this.port = port;
    }

    /** Creates an address from raw bytes (copied); {@code ip} must be 4 or 16 bytes, port in [0, 65535]. */
    public static HostAddress of(byte[] ip, int port) {
        if (ip.length != 4 && ip.length != 16) {
            throw new IllegalArgumentException("ip must be 4 or 16 bytes, got " + ip.length);
        }
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        return new HostAddress(ip.clone(), port);
    }

    /** Creates an address from a resolved socket address. */
    public static HostAddress of(InetSocketAddress address) {
        InetAddress inet = address.getAddress();
        if (inet == null) {
            throw new IllegalArgumentException("unresolved address " + address);
        }
        return of(inet.getAddress(), address.getPort());
    }

    /** True for a 16-byte address (sets the sysFlag V6 bit and makes the host field 20 bytes). */
    public boolean isV6() {
        return ip.length == 16;
    }

    /** 4 or 16. */
    public int ipLength() {
        return ip.length;
    }

    /** A copy of the address bytes. */
    public byte[] ip() {
        return ip.clone();
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** Writes address then 4-byte port at {@code offset} (absolute); returns the bytes written (8 or 20). */
    int writeTo(java.nio.ByteBuffer dst, int offset) {
        for (int i = 0; i < ip.length; i++) {
            dst.put(offset + i, ip[i]);
        }
        dst.putInt(offset + ip.length, port);
        return ip.length + 4;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostAddress h && port == h.port && Arrays.equals(ip, h.ip);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ip) + port;
    }

    @Override
    public String toString() {
        try {
            return InetAddress.getByAddress(ip).getHostAddress() + ":" + port;
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes always form an address", e);
        }
    }
}
