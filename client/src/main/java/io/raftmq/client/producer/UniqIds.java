package io.raftmq.client.producer;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Enumeration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the client-side message ids (the UNIQ_KEY property, {@link SendResult#msgId()}) in the official client's
 * layout (docs/protocol.md §3.3), 16 bytes as 32 uppercase hex characters:
 * <pre>
 *  off size field
 *    0   4  client IPv4 address (first non-loopback one, else 127.0.0.1)
 *    4   2  process id (low 16 bits)
 *    6   4  instance salt (random per process here; the official client uses its class loader's hash)
 *   10   4  milliseconds since the start of the current month (UTC)
 *   14   2  counter (wraps)
 * </pre>
 * The broker treats the id as opaque; it only has to be unique. The first 20 characters are fixed per process.
 * Thread-safe.
 */
public final class UniqIds {
    static final int LENGTH_CHARS = 32;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    private static final UniqIds PROCESS = new UniqIds(localIpv4(), (int) ProcessHandle.current().pid(),
            new SecureRandom().nextInt());

    private final char[] prefix;
    private final AtomicInteger counter = new AtomicInteger();
    private volatile long monthStartMs;
    private volatile long nextMonthStartMs;

    /** An id maker with its fixed part given (tests); production uses {@link #process()}. */
    UniqIds(byte[] ipv4, int pid, int salt) {
        ByteBuffer b = ByteBuffer.allocate(10).put(ipv4, 0, 4).putShort((short) pid).putInt(salt);
        prefix = new char[20];
        hex(b.array(), 0, 10, prefix, 0);
    }

    /** The process-wide id maker. */
    public static UniqIds process() {
        return PROCESS;
    }

    /** A new id for a message born at {@code nowMs} (epoch ms). */
    public String next(long nowMs) {
        if (nowMs >= nextMonthStartMs || nowMs < monthStartMs) {
            setMonth(nowMs);
        }
        return format(nowMs - monthStartMs, counter.getAndIncrement());
    }

    /** The id for the given month offset and counter (the variable part of the layout). */
    String format(long msInMonth, int count) {
        char[] out = new char[LENGTH_CHARS];
        System.arraycopy(prefix, 0, out, 0, 20);
        int t = (int) msInMonth;
        for (int i = 0; i < 8; i++) {
            out[20 + i] = HEX[(t >>> (28 - 4 * i)) & 0xF];
        }
        for (int i = 0; i < 4; i++) {
            out[28 + i] = HEX[(count >>> (12 - 4 * i)) & 0xF];
        }
        return new String(out);
    }

    private synchronized void setMonth(long nowMs) {
        LocalDate d = LocalDate.ofEpochDay(Math.floorDiv(nowMs, 86_400_000L)).withDayOfMonth(1);
        monthStartMs = d.atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1000;
        nextMonthStartMs = d.plusMonths(1).atStartOfDay().toEpochSecond(ZoneOffset.UTC) * 1000;
    }

    private static void hex(byte[] src, int from, int len, char[] dst, int at) {
        for (int i = 0; i < len; i++) {
            int v = src[from + i] & 0xFF;
            dst[at + 2 * i] = HEX[v >>> 4];
            dst[at + 2 * i + 1] = HEX[v & 0xF];
        }
    }

    private static byte[] localIpv4() {
        try {
            Enumeration<NetworkInterface> nis = NetworkInterface.getNetworkInterfaces();
            while (nis != null && nis.hasMoreElements()) {
                Enumeration<InetAddress> as = nis.nextElement().getInetAddresses();
                while (as.hasMoreElements()) {
                    InetAddress a = as.nextElement();
                    if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
                        return a.getAddress();
                    }
                }
            }
        } catch (SocketException e) { // no interface list: the loopback address still makes unique ids per pid
            return new byte[] {127, 0, 0, 1};
        }
        return new byte[] {127, 0, 0, 1};
    }
}
