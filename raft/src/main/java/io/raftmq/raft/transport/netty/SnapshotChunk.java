package io.raftmq.raft.transport.netty;

import io.raftmq.raft.Verify;

/**
 * One piece of a large InstallSnapshot on the wire (docs/snapshots.md rule 6): the transport cuts the data of an
 * InstallSnapshot larger than {@link NettyTransportConfig#snapshotChunkBytes()} into chunks, the receiving transport
 * reassembles them ({@link SnapshotAssembler}) and hands the raft core one InstallSnapshot. Not a raft message: the
 * core never sees it. Wire form: a {@code PbSnapshotChunk} body in the usual frame ({@link ChunkFrames} has the
 * bytes).
 *
 * @param from          sender node
 * @param to            receiver node
 * @param term          the InstallSnapshot's term
 * @param snapshotIndex the snapshot's index
 * @param snapshotTerm  the snapshot's term
 * @param totalLength   length of the whole snapshot data
 * @param offset        where {@code data} starts in the whole
 * @param crc32c        CRC32C of the whole snapshot data
 * @param membership    the InstallSnapshot's membership bytes (offset 0 only; empty otherwise)
 * @param data          this chunk's bytes
 */
record SnapshotChunk(long from, long to, long term, long snapshotIndex, long snapshotTerm, long totalLength,
                     long offset, int crc32c, byte[] membership, byte[] data) {
    SnapshotChunk {
        Verify.argument(from > 0 && to > 0 && term >= 0, "chunk header");
        Verify.argument(snapshotIndex >= 0 && snapshotTerm >= 0, "chunk snapshot index and term must be >= 0");
        Verify.argument(totalLength > 0 && offset >= 0 && offset + data.length <= totalLength,
            "chunk range outside the snapshot");
        Verify.argument(data.length > 0, "empty chunk");
    }

    /** Whether {@code other} belongs to the same snapshot transfer. */
    boolean sameSnapshot(long index, long snapTerm, long total, int crc) {
        return snapshotIndex == index && snapshotTerm == snapTerm && totalLength == total && crc32c == crc;
    }
}
