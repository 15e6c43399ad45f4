package io.raftmq.raft.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.raftmq.raft.Verify;
import io.raftmq.raft.message.InstallSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * The sending side of a chunked install to one peer (docs/snapshots.md rule 6): the data of one large
 * {@link InstallSnapshot} goes out in {@link SnapshotChunk}s of {@code snapshotChunkBytes}, at most
 * {@code snapshotChunksInflightMax} beyond the receiver's last acknowledged offset. Each {@link SnapshotChunkAck}
 * says how much the receiver holds; the next chunk starts there, so a transfer resumes after a broken connection:
 * on reconnect one chunk is sent at the last acknowledged offset, the receiver answers with what it really holds,
 * and the stream continues from that (a receiver that lost its partial copy answers 0: start over). The same
 * snapshot offered again (the core re-sends after each heartbeat round) continues the stream. Another snapshot
 * (the leader takes a fresh one at its applied index each time it re-sends) replaces the one in flight only once
 * that one made no progress for {@code snapshotPartialTimeoutMs}: under load a replacing policy would restart a
 * long transfer every heartbeat and never finish it; the follower that installs the older snapshot is then caught
 * up from its log, or with another snapshot if the leader compacted past it meanwhile.
 *
 * <p>Threading: the peer link's event loop only (the agent hands snapshots over with {@code execute}).
 * Buffers: chunk frames wrap the snapshot's array and are released by the channel once written.
 */
final class SnapshotStreamer {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotStreamer.class);

    private final long peerId;
    private final NettyTransport transport;
    private final int chunkBytes;
    private final int inflightMax;
    private final long staleNs;
    private InstallSnapshot current;
    /** Whether a stream is in flight; read by other threads (tests, diagnostics). */
    private volatile boolean inFlight;
    /** When the stream in flight started or was last acknowledged further (System.nanoTime). */
    private long lastProgressNs;
    private int crc32c;
    /** The receiver holds [0, acked); chunks up to next were sent. Invariant: acked <= next <= total. */
    private int acked;
    private int next;
    /** After a reconnect: one chunk only until the receiver said where it stands. */
    private boolean probing;

    SnapshotStreamer(long peerId, NettyTransport transport) {
        this.peerId = peerId;
        this.transport = transport;
        this.chunkBytes = transport.config().snapshotChunkBytes();
        this.inflightMax = transport.config().snapshotChunksInflightMax();
        this.staleNs = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(transport.config()
            .snapshotPartialTimeoutMs());
    }

    /** Whether {@code s} is too large for one frame's worth and must be streamed. Any thread. */
    static boolean needsChunks(InstallSnapshot s, int chunkBytes) {
        return s.data().length > chunkBytes;
    }

    /** Starts streaming {@code s} (or keeps going, if it is the snapshot already in flight). */
    void offer(InstallSnapshot s, Channel ch) {
        if (current != null && current.snapshotIndex() == s.snapshotIndex()
            && current.snapshotTerm() == s.snapshotTerm() && current.data().length == s.data().length) {
            current = s; // a resend of the same snapshot, perhaps in a newer term: continue where we are
            pump(ch);
            return;
        }
        long now = System.nanoTime();
        if (current != null && now - lastProgressNs <= staleNs) {
            LOG.debug("node {}: snapshot {} to peer {} still in flight ({} of {} bytes); snapshot {} not sent",
                transport.config().nodeId(), current.snapshotIndex(), peerId, acked, current.data().length,
                s.snapshotIndex());
            pump(ch);
            return;
        }
        if (current != null) {
            LOG.info("node {}: stalled snapshot {} to peer {} replaced by snapshot {} after {} of {} bytes",
                transport.config().nodeId(), current.snapshotIndex(), peerId, s.snapshotIndex(), acked,
                current.data().length);
        }
        CRC32C c = new CRC32C();
        c.update(s.data());
        current = s;
        inFlight = true;
        crc32c = (int) c.getValue();
        acked = 0;
        next = 0;
        probing = false;
        lastProgressNs = now;
        LOG.info("node {}: streaming snapshot {} ({} bytes) to peer {} in chunks of {}", transport.config().nodeId(),
            s.snapshotIndex(), s.data().length, peerId, chunkBytes);
        pump(ch);
    }

    /** The receiver's answer: continue from where it stands. */
    void onAck(SnapshotChunkAck a, Channel ch) {
        InstallSnapshot s = current;
        if (s == null || a.snapshotIndex() != s.snapshotIndex() || a.snapshotTerm() != s.snapshotTerm()) {
            return; // about a snapshot no longer streamed
        }
        int total = s.data().length;
        if (a.crcMismatch()) {
            LOG.warn("node {}: peer {} discarded snapshot {} (checksum mismatch); sending it again",
                transport.config().nodeId(), peerId, s.snapshotIndex());
        }
        if (a.offset() >= total) {
            LOG.info("node {}: snapshot {} delivered to peer {}", transport.config().nodeId(), s.snapshotIndex(),
                peerId);
            current = null;
            inFlight = false;
            return;
        }
        if (a.offset() < acked || a.offset() > next) {
            acked = (int) a.offset(); // the receiver stands elsewhere (reconnect, lost partial): resync
            next = acked;
        } else {
            acked = (int) a.offset();
        }
        lastProgressNs = System.nanoTime();
        probing = false;
        Verify.state(acked <= next && next <= total, "stream offsets", acked, next);
        pump(ch);
    }

    /** A new connection: resend from the last acknowledged offset, one chunk until the receiver answers. */
    void onConnected(Channel ch) {
        if (current != null) {
            next = acked;
            probing = true;
            pump(ch);
        }
    }

    /** Sends chunks while the window, the channel and the snapshot allow. */
    void pump(Channel ch) {
        InstallSnapshot s = current;
        if (s == null || ch == null || !ch.isActive()) {
            return;
        }
        int total = s.data().length;
        long window = (long) (probing ? 1 : inflightMax) * chunkBytes;
        boolean wrote = false;
        while (next < total && next - acked < window && ch.isWritable()) {
            int length = Math.min(chunkBytes, total - next);
            ByteBuf frame;
            try {
                frame = ChunkFrames.encodeChunk(ch.alloc(), s.from(), s.to(), s.term(), s.snapshotIndex(),
                    s.snapshotTerm(), s.data(), crc32c, s.membership(), next, length);
            } catch (IOException e) {
                throw new IllegalStateException("snapshot chunk encoding failed", e);
            }
            ch.write(frame, ch.voidPromise());
            transport.countSnapshotBytesSent(length);
            next += length;
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
    }

    /** Forgets the snapshot in flight (link closed). */
    void clear() {
        current = null;
        inFlight = false;
    }

    /** Whether a snapshot is being streamed (until the receiver acknowledged all of it). Any thread. */
    boolean inFlight() {
        return inFlight;
    }
}
