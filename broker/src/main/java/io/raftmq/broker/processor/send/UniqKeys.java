package io.raftmq.broker.processor.send;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Generates a UNIQ_KEY (docs/protocol.md §3.3) for messages that arrive without one: 32 uppercase hex characters built
 * from this broker's IPv4 address (or the low 4 bytes of its IPv6 address), the process id, the start time of this
 * generator and a counter. Clients treat the key as opaque; it only has to be unique. Thread-safe.
 */
final class UniqKeys {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final byte[] prefix = new byte[10];
    private final AtomicLong counter = new AtomicLong();

    UniqKeys(byte[] ip, long pid, long startMs) {
        int n = ip.length;
        for (int i = 0; i < 4; i++) {
            prefix[i] = ip[n - 4 + i];
        }
        prefix[4] = (byte) (pid >>> 8);
        prefix[5] = (byte) pid;
        for (int i = 0; i < 4; i++) {
            prefix[6 + i] = (byte) (startMs >>> (24 - 8 * i));
        }
    }

    /** The next key. */
    String next() {
        long c = counter.getAndIncrement();
        char[] out = new char[32];
        for (int i = 0; i < prefix.length; i++) {
            out[2 * i] = HEX[(prefix[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[prefix[i] & 0xF];
        }
        for (int i = 0; i < 12; i++) {
            out[20 + i] = HEX[(int) (c >>> (44 - 4 * i)) & 0xF];
        }
        return new String(out);
    }
}
