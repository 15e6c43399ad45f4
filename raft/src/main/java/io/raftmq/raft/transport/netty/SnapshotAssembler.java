package io.raftmq.raft.transport.netty;

import io.raftmq.raft.Verify;
import io.raftmq.raft.message.InstallSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * The receiving side of chunked installs (docs/snapshots.md rule 6): one partial snapshot per sending peer,
 * extended by the chunk that continues it exactly (others are ignored and answered with the offset held, which is
 * how a sender resumes), replaced when a chunk of a different snapshot starts (at offset 0), dropped after
 * {@code snapshotPartialTimeoutMs} without progress. Once complete its CRC32C is checked over the whole data: a
 * match hands one {@link InstallSnapshot} to the sink; a mismatch discards it with a clear log line and an
 * acknowledgement that tells the sender to start over.
 *
 * <p>Threading: any I/O thread (connections from different peers may live on different event loops); every method
 * is synchronized. Memory: at most one partial snapshot per peer, each at most {@code snapshotBytesMax}.
 */
final class SnapshotAssembler {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotAssembler.class);

    private final long nodeId;
    private final long partialTimeoutNs;
    private final int snapshotBytesMax;
    /** Partial snapshot by sending peer. Guarded by this. */
    private final Map<Long, Partial> partials = new HashMap<>();
    private long delivered;
    private long crcFailures;

    SnapshotAssembler(NettyTransportConfig config) {
        this.nodeId = config.nodeId();
        this.partialTimeoutNs = TimeUnit.MILLISECONDS.toNanos(config.snapshotPartialTimeoutMs());
        this.snapshotBytesMax = config.snapshotBytesMax();
    }

    /**
     * Takes one chunk; returns the acknowledgement to write back. A completed, verified snapshot goes to
     * {@code sink} (if the sink refuses it, it is lost like any dropped message and the core sends it again).
     *
     * @throws CorruptFrameException a snapshot larger than snapshotBytesMax (the connection is closed)
     */
    synchronized SnapshotChunkAck onChunk(SnapshotChunk c, long nowNs, Predicate<InstallSnapshot> sink) {
        if (c.totalLength() > snapshotBytesMax) {
            throw new CorruptFrameException("snapshot " + c.snapshotIndex() + " from node " + c.from() + " has "
                + c.totalLength() + " bytes, more than snapshotBytesMax " + snapshotBytesMax);
        }
        Partial p = partials.get(c.from());
        if (p == null || !c.sameSnapshot(p.index, p.snapshotTerm, p.data.length, p.crc32c)) {
            if (p != null) {
                LOG.info("node {}: dropping partial snapshot {} from node {} ({} of {} bytes): snapshot {} starts",
                    nodeId, p.index, c.from(), p.offset, p.data.length, c.snapshotIndex());
                partials.remove(c.from());
            }
            if (c.offset() != 0) {
                return ack(c, 0, false); // nothing held of this one: the sender starts over
            }
            p = new Partial(c);
            partials.put(c.from(), p);
        }
        p.lastProgressNs = nowNs;
        if (c.offset() == p.offset) {
            System.arraycopy(c.data(), 0, p.data, p.offset, c.data().length);
            p.offset += c.data().length;
            if (c.offset() == 0) {
                p.membership = c.membership();
            }
        }
        if (p.offset < p.data.length) {
            return ack(c, p.offset, false);
        }
        partials.remove(c.from());
        return complete(c, p, sink);
    }

    private SnapshotChunkAck complete(SnapshotChunk last, Partial p, Predicate<InstallSnapshot> sink) {
        CRC32C crc = new CRC32C();
        crc.update(p.data);
        int actual = (int) crc.getValue();
        if (actual != p.crc32c) {
            crcFailures++;
            LOG.error("node {}: snapshot {} (term {}) from node {}: the {} bytes received fail their CRC32C (expected"
                + " {}, computed {}); discarded, the sender starts over", nodeId, p.index, p.snapshotTerm,
                last.from(), p.data.length, Integer.toHexString(p.crc32c), Integer.toHexString(actual));
            return ack(last, 0, true);
        }
        Verify.state(p.offset == p.data.length, "snapshot assembled short", p.offset, p.data.length);
        if (sink.test(new InstallSnapshot(last.from(), last.to(), last.term(), p.index, p.snapshotTerm, p.membership,
            p.data))) {
            delivered++;
            LOG.info("node {}: snapshot {} from node {} received ({} bytes, checksum verified)", nodeId, p.index,
                last.from(), p.data.length);
        }
        return ack(last, p.data.length, false);
    }

    private static SnapshotChunkAck ack(SnapshotChunk c, long offset, boolean crcMismatch) {
        return new SnapshotChunkAck(c.to(), c.from(), c.snapshotIndex(), c.snapshotTerm(), offset, crcMismatch);
    }

    /** Drops partial snapshots without progress for snapshotPartialTimeoutMs; returns how many. */
    synchronized int dropStale(long nowNs) {
        int dropped = 0;
        for (Iterator<Map.Entry<Long, Partial>> it = partials.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Partial> e = it.next();
            Partial p = e.getValue();
            if (nowNs - p.lastProgressNs > partialTimeoutNs) {
                LOG.warn("node {}: dropping partial snapshot {} from node {} ({} of {} bytes): no chunk for {} ms",
                    nodeId, p.index, e.getKey(), p.offset, p.data.length,
                    TimeUnit.NANOSECONDS.toMillis(partialTimeoutNs));
                it.remove();
                dropped++;
            }
        }
        return dropped;
    }

    /** Bytes held of the partial snapshot from {@code peer}, or -1 if none (tests, diagnostics). */
    synchronized long partialOffset(long peer) {
        Partial p = partials.get(peer);
        return p == null ? -1 : p.offset;
    }

    synchronized long delivered() {
        return delivered;
    }

    synchronized long crcFailures() {
        return crcFailures;
    }

    /** One snapshot being received. */
    private static final class Partial {
        final long index;
        final long snapshotTerm;
        final int crc32c;
        final byte[] data;
        byte[] membership = new byte[0];
        int offset;
        long lastProgressNs;

        Partial(SnapshotChunk first) {
            this.index = first.snapshotIndex();
            this.snapshotTerm = first.snapshotTerm();
            this.crc32c = first.crc32c();
            this.data = new byte[(int) first.totalLength()];
        }
    }
}
