package io.raftmq.tools.bench.pull;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The receiving end of the pull-copy bench: a loopback listener that accepts one connection and, on its own thread,
 * reads whole pull frames ({@link PullSender}'s layout) until the sender shuts its output, checking that record
 * {@code j} of each frame is record {@code first + j * queues} of the file. {@link #awaitAll} fails when a frame was
 * short, a record was wrong, or fewer frames arrived than were sent.
 */
final class Drain implements AutoCloseable {
    private static final long AWAIT_MS = 60_000;

    private final ServerSocketChannel server;
    private final int size;
    private final int batch;
    private final int queues;
    private final Thread thread;
    private volatile long frames;
    private volatile String failure;
    private SocketChannel client;

    private Drain(ServerSocketChannel server, int size, int batch, int queues) {
        this.server = server;
        this.size = size;
        this.batch = batch;
        this.queues = queues;
        this.thread = new Thread(this::drain, "pull-copy-drain");
        this.thread.setDaemon(true);
    }

    /** A listener on 127.0.0.1 (an ephemeral port) with its reading thread started. */
    static Drain start(int size, int batch, int queues) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        Drain d = new Drain(s, size, batch, queues);
        d.thread.start();
        return d;
    }

    /** The sender's end of the one connection (blocking). */
    SocketChannel connect() throws IOException {
        client = SocketChannel.open(server.getLocalAddress());
        return client;
    }

    private void drain() {
        ByteBuffer frame = ByteBuffer.allocateDirect(Long.BYTES + batch * size);
        try (SocketChannel in = server.accept()) {
            while (true) {
                frame.clear();
                while (frame.hasRemaining()) {
                    if (in.read(frame) < 0) {
                        if (frame.position() != 0) {
                            failure = "a frame ended after " + frame.position() + " bytes";
                        }
                        return;
                    }
                }
                check(frame);
                frames++;
            }
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
        }
    }

    private void check(ByteBuffer frame) {
        long first = frame.getLong(0);
        for (int j = 0; j < batch; j++) {
            long got = frame.getLong(Long.BYTES + j * size);
            long want = first + (long) j * queues;
            if (got != want) {
                throw new IllegalStateException("frame " + frames + " record " + j + " is " + got + ", not " + want);
            }
        }
    }

    /** Waits until the sender's frames are drained; throws when they were not all received intact. */
    void awaitAll(long sent) throws InterruptedException {
        thread.join(AWAIT_MS);
        if (thread.isAlive() || failure != null || frames != sent) {
            throw new IllegalStateException("drain: " + frames + " of " + sent + " pulls received"
                + (failure != null ? " (" + failure + ")" : "") + (thread.isAlive() ? " (still reading)" : ""));
        }
    }

    @Override
    public void close() throws IOException {
        if (client != null) {
            client.close();
        }
        server.close();
    }
}
