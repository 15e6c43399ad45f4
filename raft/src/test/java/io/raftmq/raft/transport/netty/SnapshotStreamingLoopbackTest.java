package io.raftmq.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.InstallSnapshot;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.transport.netty.proto.RaftEnvelope;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.Seeds;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Goal: a large InstallSnapshot crosses the real Netty transport in checksummed chunks with flow control
 * (docs/snapshots.md rule 6): 5 MiB in 64 KiB chunks arrives intact as one message, each byte sent once; a
 * connection broken in the middle resumes where the receiver stands (fewer than twice the bytes sent); a
 * corrupted chunk makes the assembled data fail its checksum, so nothing is delivered and the sender is told.
 * Method: transports on 127.0.0.1/127.0.0.2 with ephemeral ports; seeded random data (seed printed on failure);
 * the transfer is held in the middle by stalling the receiver's only I/O thread; the corruption test speaks the
 * frame format over a plain socket.
 */
@SocketTest
class SnapshotStreamingLoopbackTest {
    private static final long SEED = Seeds.seed("snapshot.stream.seed", 20261206L);
    private static final int SIZE = 5 << 20;
    private static final int CHUNK = 64 << 10;
    private final List<NettyTransport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(NettyTransport::close);
    }

    private NettyTransport start(long id, String ip, int inflight, LinkedBlockingQueue<RaftMessage> inbox)
        throws Exception {
        NettyTransport t = new NettyTransport(NettyTransportConfig.defaults(id,
            new InetSocketAddress(InetAddress.getByName(ip), 0)).withSnapshotChunks(CHUNK, inflight));
        transports.add(t);
        t.start(inbox::offer);
        return t;
    }

    private static byte[] data(long seed) {
        byte[] d = new byte[SIZE];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < d.length; i += 8) {
            long v = r.nextLong();
            for (int k = 0; k < 8; k++) {
                d[i + k] = (byte) (v >>> (8 * k));
            }
        }
        return d;
    }

    /** Connects 1 -> 2 and waits until a heartbeat got through. */
    private static void connect(NettyTransport t1, LinkedBlockingQueue<RaftMessage> inbox2) throws Exception {
        Awaits.await("link 1 -> 2 up").atMost(Duration.ofSeconds(10)).until(() -> {
            t1.send(new Heartbeat(1, 2, 1, 0));
            t1.flush();
            return inbox2.poll(10, TimeUnit.MILLISECONDS) != null;
        });
    }

    /** The first InstallSnapshot to arrive (heartbeats of the connect step may still be queued before it). */
    private static RaftMessage awaitSnapshot(LinkedBlockingQueue<RaftMessage> inbox) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (RaftMessage m = inbox.poll(20, TimeUnit.SECONDS); m != null;
             m = inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            if (m instanceof InstallSnapshot) {
                return m;
            }
        }
        return null;
    }

    @Test
    void fiveMibInSixtyFourKibChunksArriveIntact() throws Exception {
        LinkedBlockingQueue<RaftMessage> inbox1 = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t1 = start(1, "127.0.0.1", 4, inbox1);
        NettyTransport t2 = start(2, "127.0.0.2", 4, inbox2);
        t1.addPeer(2, t2.boundAddress());
        connect(t1, inbox2);
        InstallSnapshot s = new InstallSnapshot(1, 2, 7, 1000, 6, new byte[] {1, 2, 3}, data(SEED));
        t1.send(s);
        t1.flush();
        RaftMessage got = awaitSnapshot(inbox2);
        assertThat(got).as("seed " + SEED).isInstanceOf(InstallSnapshot.class);
        InstallSnapshot in = (InstallSnapshot) got;
        assertThat(in.snapshotIndex()).isEqualTo(1000);
        assertThat(in.snapshotTerm()).isEqualTo(6);
        assertThat(in.term()).isEqualTo(7);
        assertThat(in.membership()).containsExactly(1, 2, 3);
        assertThat(java.util.Arrays.equals(in.data(), s.data())).as("data intact, seed " + SEED).isTrue();
        assertThat(t1.snapshotBytesSent()).isEqualTo(SIZE);
        assertThat(t2.snapshotsAssembled()).isEqualTo(1);
    }

    @Test
    void aSnapshotInFlightIsFinishedBeforeAnotherOneIsSent() throws Exception {
        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t1 = start(1, "127.0.0.1", 4, new LinkedBlockingQueue<>());
        NettyTransport t2 = start(2, "127.0.0.2", 4, inbox2);
        t1.addPeer(2, t2.boundAddress());
        connect(t1, inbox2);
        byte[] d = data(SEED + 2);
        t1.send(new InstallSnapshot(1, 2, 7, 1000, 6, new byte[0], d));
        t1.send(new InstallSnapshot(1, 2, 7, 1001, 6, new byte[0], d)); // a fresher one while the first streams
        t1.flush();
        assertThat(((InstallSnapshot) awaitSnapshot(inbox2)).snapshotIndex()).isEqualTo(1000);
        assertThat(t1.snapshotBytesSent()).isEqualTo(SIZE);
        Awaits.await("the sender saw the last acknowledgement").atMost(Duration.ofSeconds(10))
            .until(() -> !t1.snapshotInFlight(2));
        t1.send(new InstallSnapshot(1, 2, 7, 1002, 6, new byte[0], d));
        t1.flush();
        assertThat(((InstallSnapshot) awaitSnapshot(inbox2)).snapshotIndex()).isEqualTo(1002);
        assertThat(t1.snapshotBytesSent()).isEqualTo(2L * SIZE);
    }

    @Test
    void aConnectionBrokenInTheMiddleResumes() throws Exception {
        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t1 = start(1, "127.0.0.1", 2, new LinkedBlockingQueue<>());
        NettyTransport t2 = start(2, "127.0.0.2", 2, inbox2);
        t1.addPeer(2, t2.boundAddress());
        connect(t1, inbox2);
        InstallSnapshot s = new InstallSnapshot(1, 2, 7, 1000, 6, new byte[0], data(SEED + 1));
        t1.send(s);
        t1.flush();
        Awaits.await("the first chunks arrived").atMost(Duration.ofSeconds(10))
            .until(() -> t2.assembler().partialOffset(1) > 0);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch stalled = new CountDownLatch(1);
        t2.eventLoops().next().execute(() -> {
            stalled.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();
        long sentBeforeBreak = t1.snapshotBytesSent();
        assertThat(sentBeforeBreak).as("the window holds the transfer in the middle").isLessThan(SIZE);
        t1.breakConnection(2);
        release.countDown();
        RaftMessage got = awaitSnapshot(inbox2);
        assertThat(got).as("seed " + SEED).isInstanceOf(InstallSnapshot.class);
        assertThat(java.util.Arrays.equals(((InstallSnapshot) got).data(), s.data())).isTrue();
        assertThat(t1.snapshotBytesSent()).as("bytes sent with one resume").isGreaterThanOrEqualTo(SIZE)
            .isLessThan(2L * SIZE);
    }

    @Test
    void aCorruptedChunkIsDetectedAndNothingIsDelivered() throws Exception {
        LinkedBlockingQueue<RaftMessage> inbox2 = new LinkedBlockingQueue<>();
        NettyTransport t2 = start(2, "127.0.0.2", 4, inbox2);
        byte[] whole = new byte[4 * CHUNK];
        new SplittableRandom(SEED).nextBytes(whole);
        int crc = SnapshotChunkingTest.crc(whole);
        try (Socket sock = new Socket()) {
            sock.connect(t2.boundAddress(), 5000);
            sock.setSoTimeout(10_000);
            OutputStream out = sock.getOutputStream();
            DataInputStream in = new DataInputStream(sock.getInputStream());
            RaftEnvelope last = null;
            for (int off = 0; off < whole.length; off += CHUNK) {
                ByteBuf f = ChunkFrames.encodeChunk(ByteBufAllocator.DEFAULT, 1, 2, 7, 1000, 6, whole, crc,
                    new byte[0], off, CHUNK);
                try {
                    byte[] bytes = new byte[f.readableBytes()];
                    f.readBytes(bytes);
                    if (off == 2 * CHUNK) {
                        bytes[bytes.length - 100] ^= 0x10; // a bit flipped in the third chunk's data
                    }
                    out.write(bytes);
                    out.flush();
                } finally {
                    f.release();
                }
                byte[] ack = new byte[in.readInt()];
                in.readFully(ack);
                last = RaftEnvelope.parseFrom(ack);
                assertThat(last.getSnapshotChunkAck().getOffset()).isEqualTo(off + CHUNK == whole.length ? 0
                    : off + CHUNK);
            }
            assertThat(last.getSnapshotChunkAck().getCrcMismatch()).isTrue();
        }
        assertThat(t2.snapshotChecksumFailures()).isEqualTo(1);
        assertThat(t2.snapshotsAssembled()).isZero();
        assertThat(inbox2).isEmpty();
    }
}
