package io.raftmq.chaos.fault.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A user-space TCP proxy for one directed link (a member dials {@link #listenAddress()} instead of its peer's raft
 * address; the proxy dials the peer from the dialling member's own loopback address, so the peer sees the
 * connection come from the right host). The harness switches the link's {@link Mode} at any time:
 * <ul>
 *   <li>{@code PASS}: bytes flow, each chunk held {@link #delayMs()} ms first (0: none). Order is kept;
 *   <li>{@code DROP}: nothing is forwarded and nothing is closed: bytes wait in the proxy (at most
 *       {@value #CHUNKS_MAX} chunks per direction, then TCP back-pressure) and flow again on {@code PASS}, as after
 *       a partition healed by the network (the sockets never see an error);
 *   <li>{@link #reset()}: closes both sides of every connection now (new ones are accepted as the mode says).
 * </ul>
 * Both directions of a connection obey the same mode; one-way faults use the proxy of one direction of a member
 * pair (members dial one connection per direction). Threads: one acceptor, and per connection a reader and a
 * writer per direction (blocking sockets, daemon threads named {@code proxy-<name>-...}). Thread-safe.
 */
public final class LinkProxy implements AutoCloseable {
    /** Chunks held per direction before the reader stops reading (then TCP back-pressure). */
    public static final int CHUNKS_MAX = 1024;
    private static final Logger LOG = LoggerFactory.getLogger(LinkProxy.class);
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final int CONNECT_TIMEOUT_MS = 1000;

    /** What the link does with bytes. */
    public enum Mode { PASS, DROP }

    private final String name;
    private final String sourceHost;
    private final InetSocketAddress target;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicLong forwardedBytes = new AtomicLong();
    private final Object lock = new Object();
    private Mode mode = Mode.PASS;
    private long delayNs;
    private volatile boolean closed;

    /**
     * Binds the proxy on {@code listenHost} (an ephemeral port) and starts accepting.
     *
     * @param name       for thread names and logs, e.g. {@code n0->n1}
     * @param listenHost where the dialling member connects (e.g. the peer's loopback address)
     * @param sourceHost the dialling member's address: the proxy's connections to the target leave from it
     * @param target     the peer's real address
     */
    public LinkProxy(String name, String listenHost, String sourceHost, InetSocketAddress target) throws IOException {
        this.name = name;
        this.sourceHost = sourceHost;
        this.target = target;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(listenHost, 0));
        Thread t = new Thread(this::acceptLoop, "proxy-" + name + "-accept");
        t.setDaemon(true);
        t.start();
    }

    public String name() {
        return name;
    }

    /** {@code host:port} to dial instead of the target. */
    public String listenAddress() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    public InetSocketAddress target() {
        return target;
    }

    public Mode mode() {
        synchronized (lock) {
            return mode;
        }
    }

    public long delayMs() {
        synchronized (lock) {
            return TimeUnit.NANOSECONDS.toMillis(delayNs);
        }
    }

    /** Bytes written to either side so far. */
    public long forwardedBytes() {
        return forwardedBytes.get();
    }

    /** Forwards again (held bytes flow, delayed as set). */
    public void pass() {
        setMode(Mode.PASS);
    }

    /** Holds every byte from now on (connections stay open). */
    public void drop() {
        setMode(Mode.DROP);
    }

    /** Each chunk read from now on is forwarded {@code ms} ms after it was read (0: at once). */
    public void delay(long ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("delay must be >= 0 ms: " + ms);
        }
        synchronized (lock) {
            delayNs = TimeUnit.MILLISECONDS.toNanos(ms);
        }
    }

    /** Passes with no delay. */
    public void heal() {
        synchronized (lock) {
            delayNs = 0;
            mode = Mode.PASS;
            lock.notifyAll();
        }
    }

    /** Closes both sides of every open connection (what the peers see as a connection reset). */
    public void reset() {
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    private void setMode(Mode m) {
        synchronized (lock) {
            mode = m;
            lock.notifyAll();
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        reset();
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("proxy {}: accept failed: {}", name, e.toString());
                }
                return;
            }
            connect(in);
        }
    }

    private void connect(Socket in) {
        Socket out = new Socket();
        try {
            in.setTcpNoDelay(true);
            out.setTcpNoDelay(true);
            out.bind(new InetSocketAddress(sourceHost, 0));
            out.connect(target, CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            LOG.debug("proxy {}: target {} unreachable: {}", name, target, e.toString());
            closeQuietly(in);
            closeQuietly(out);
            return;
        }
        sockets.add(in);
        sockets.add(out);
        pipe(in, out, "up");
        pipe(out, in, "down");
    }

    /** One direction: a reader that stamps chunks and a writer that releases them when the mode allows. */
    private void pipe(Socket from, Socket to, String dir) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(CHUNKS_MAX);
        Thread reader = new Thread(() -> read(from, to, queue), "proxy-" + name + "-" + dir + "-read");
        Thread writer = new Thread(() -> write(from, to, queue), "proxy-" + name + "-" + dir + "-write");
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    private void read(Socket from, Socket to, BlockingQueue<Chunk> queue) {
        byte[] buf = new byte[CHUNK_BYTES];
        try {
            InputStream in = from.getInputStream();
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                long due;
                synchronized (lock) {
                    due = System.nanoTime() + delayNs;
                }
                queue.put(new Chunk(Arrays.copyOf(buf, n), due));
            }
            queue.put(Chunk.END);
        } catch (IOException e) {
            endPair(from, to, queue);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            endPair(from, to, queue);
        }
    }

    private void endPair(Socket from, Socket to, BlockingQueue<Chunk> queue) {
        closeQuietly(from);
        closeQuietly(to);
        queue.offer(Chunk.END);
    }

    private void write(Socket from, Socket to, BlockingQueue<Chunk> queue) {
        try {
            OutputStream out = to.getOutputStream();
            for (Chunk c = queue.take(); c != Chunk.END; c = queue.take()) {
                if (!awaitRelease(c.dueNanos)) {
                    break;
                }
                out.write(c.bytes);
                out.flush();
                forwardedBytes.addAndGet(c.bytes.length);
            }
        } catch (SocketException e) {
            LOG.debug("proxy {}: {}", name, e.toString());
        } catch (IOException e) {
            LOG.debug("proxy {}: write failed: {}", name, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sockets.remove(from);
        sockets.remove(to);
        closeQuietly(from);
        closeQuietly(to);
    }

    /** Waits while the link drops and until {@code dueNanos}; false once the proxy or the connection closed. */
    private boolean awaitRelease(long dueNanos) throws InterruptedException {
        synchronized (lock) {
            while (!closed) {
                long wait = dueNanos - System.nanoTime();
                if (mode == Mode.PASS && wait <= 0) {
                    return true;
                }
                long ms = mode == Mode.DROP ? 100 : Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait));
                lock.wait(ms);
            }
            return false;
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            LOG.trace("close: {}", e.toString());
        }
    }

    /** Bytes read at one time and when they may be written. */
    private record Chunk(byte[] bytes, long dueNanos) {
        static final Chunk END = new Chunk(new byte[0], 0);
    }

    @Override
    public String toString() {
        return "LinkProxy[" + name + " " + listenAddress() + " -> " + target + " " + mode() + " delay "
            + delayMs() + " ms]";
    }
}
