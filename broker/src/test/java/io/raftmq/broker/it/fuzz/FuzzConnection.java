package io.raftmq.broker.it.fuzz;

import io.netty.buffer.Unpooled;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandCodec;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One raw loopback TCP connection to the broker for {@link BrokerFuzzTest}: the test thread writes hostile bytes,
 * each case followed by a <em>sentinel</em> (a JSON request with the unsupported code
 * {@link FuzzCases#SENTINEL_CODE}, which the broker answers inline on its event loop, so in stream order); a
 * daemon reader thread decodes every frame the broker sends, records the acknowledged sentinels, the opaques
 * answered and the response codes, and notes the close. Broker-to-client requests (e.g. consumer-id change
 * notifications after a fuzzed heartbeat) are read and ignored. Without a reader thread (one case at a time), the
 * waiting thread reads inline instead, with the socket timeout as its bound.
 */
final class FuzzConnection implements AutoCloseable {
    static final int SENTINEL_OPAQUE_BASE = 0x60000000;
    private static final int RESPONSE_FRAME_MAX = 16 << 20;

    private final Socket socket;
    private final OutputStream out;
    private final Thread reader;
    private final DataInputStream in;
    private final RemotingCommandCodec codec = new RemotingCommandCodec();
    private final byte[] sentinelTemplate;
    /** Highest sentinel number answered (sentinels are answered in order). */
    private volatile int sentinelsAcked = -1;
    private volatile boolean closed;
    private volatile Throwable readerFailure;
    /** Opaques of owed answers still missing. */
    final Set<Integer> owed = ConcurrentHashMap.newKeySet();
    /** Response code → count, over every response seen. */
    final Map<Integer, AtomicInteger> codes;
    /** Remarks that show an exception escaped a processor (answered SYSTEM_ERROR with a Java exception text). */
    final Map<String, String> crashes;

    FuzzConnection(InetSocketAddress broker, Map<Integer, AtomicInteger> codes, Map<String, String> crashes,
                   boolean readerThread) throws IOException {
        this.codes = codes;
        this.crashes = crashes;
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.connect(broker, 2000);
        out = socket.getOutputStream();
        sentinelTemplate = sentinelFrame(0);
        in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream(), 64 << 10));
        if (readerThread) {
            reader = new Thread(this::readLoop, "fuzz-reader");
            reader.setDaemon(true);
            reader.start();
        } else {
            reader = null;
        }
    }

    private static byte[] sentinelFrame(int seq) {
        String h = "{\"code\":" + FuzzCases.SENTINEL_CODE + ",\"flag\":0,\"language\":\"JAVA\",\"opaque\":"
            + String.format("%10d", SENTINEL_OPAQUE_BASE + seq) + ",\"version\":479}";
        byte[] hb = h.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] f = new byte[8 + hb.length];
        java.nio.ByteBuffer.wrap(f).putInt(4 + hb.length).putInt(hb.length).put(hb);
        return f;
    }

    /** Writes {@code bytes} then sentinel {@code seq}; false if the connection is (found) closed. */
    boolean send(byte[] bytes, int seq) {
        byte[] s = sentinelTemplate.clone();
        String opaque = String.format("%10d", SENTINEL_OPAQUE_BASE + seq);
        byte[] ob = opaque.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int at = indexOf(s, String.format("%10d", SENTINEL_OPAQUE_BASE).getBytes(
            java.nio.charset.StandardCharsets.US_ASCII));
        System.arraycopy(ob, 0, s, at, ob.length);
        try {
            out.write(bytes);
            out.write(s);
            return true;
        } catch (IOException e) {
            closed = true;
            return false;
        }
    }

    /** Writes {@code bytes}, half-closes, and waits (bounded) for the broker to close. True if it did. */
    boolean sendThenHalfClose(byte[] bytes, long timeoutMs) {
        try {
            out.write(bytes);
            socket.shutdownOutput();
        } catch (IOException e) {
            closed = true;
        }
        if (reader == null) {
            readInline(Integer.MAX_VALUE, System.nanoTime() + timeoutMs * 1_000_000L);
        }
        return awaitClosed(timeoutMs);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("sentinel opaque not found");
    }

    int sentinelsAcked() {
        return sentinelsAcked;
    }

    boolean isClosed() {
        return closed;
    }

    Throwable readerFailure() {
        return readerFailure;
    }

    /** Waits until sentinel {@code seq} is answered or the connection closes; false on timeout. */
    boolean awaitSentinel(int seq, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        if (reader == null) {
            return readInline(seq, deadline);
        }
        while (sentinelsAcked < seq && !closed) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(50_000);
        }
        return true;
    }

    /** Waits until every owed answer arrived or the connection closed; false on timeout. */
    boolean awaitOwed(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!owed.isEmpty() && !closed) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(200_000);
        }
        return true;
    }

    /** Waits until the broker closed the connection; false on timeout. */
    boolean awaitClosed(long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (!closed) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(200_000);
        }
        return true;
    }

    private void readLoop() {
        try {
            while (true) {
                readFrame();
            }
        } catch (IOException e) { // EOF or reset: the broker closed the connection
            closed = true;
        } catch (RuntimeException e) { // a malformed frame from the broker: a test failure, reported by the driver
            readerFailure = e;
            closed = true;
        }
    }

    /** Reads frames on the calling thread until sentinel {@code seq} is answered, a close, or the deadline. */
    private boolean readInline(int seq, long deadline) {
        try {
            while (sentinelsAcked < seq && !closed) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return false;
                }
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
                readFrame();
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) { // EOF or reset: the broker closed the connection
            closed = true;
            return true;
        } catch (RuntimeException e) { // a malformed frame from the broker: a test failure, reported by the driver
            readerFailure = e;
            closed = true;
            return true;
        }
    }

    private void readFrame() throws IOException {
        int len = in.readInt();
        if (len < 4 || len > RESPONSE_FRAME_MAX) {
            throw new IllegalStateException("broker sent a frame of length " + len);
        }
        byte[] frame = new byte[len];
        in.readFully(frame);
        onFrame(frame);
    }

    private void onFrame(byte[] frame) {
        RemotingCommand c = codec.decode(Unpooled.wrappedBuffer(frame));
        try {
            if (!c.isResponse()) {
                return;
            }
            codes.computeIfAbsent(c.code(), k -> new AtomicInteger()).incrementAndGet();
            int op = c.opaque();
            if (op >= SENTINEL_OPAQUE_BASE && c.code() == 3 && c.remark() != null
                    && c.remark().equals(" request type " + FuzzCases.SENTINEL_CODE + " not supported")) {
                sentinelsAcked = op - SENTINEL_OPAQUE_BASE;
                return;
            }
            owed.remove(op);
            String remark = c.remark();
            if (c.code() == 1 && remark != null && (remark.startsWith("java.") || remark.contains("Exception"))) {
                crashes.putIfAbsent(remark, "opaque " + op);
            }
        } finally {
            c.release();
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // already closed by the broker
        }
        try {
            if (reader != null) {
                reader.join(2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
