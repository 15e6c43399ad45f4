package io.raftmq.raft.transport.netty;

import io.raftmq.raft.Verify;

/**
 * The receiver's answer to a {@link SnapshotChunk}, written back on the connection the chunk came in on: how many
 * bytes of the snapshot it holds from the start ({@code totalLength} once complete and verified). The sender
 * continues from {@code offset}, which also makes a transfer resumable after a broken connection. Wire form: a
 * {@code PbSnapshotChunkAck} body in the usual frame ({@link ChunkFrames}).
 *
 * @param from          the receiver (who answers)
 * @param to            the sender of the chunk
 * @param snapshotIndex the snapshot's index
 * @param snapshotTerm  the snapshot's term
 * @param offset        bytes held from 0
 * @param crcMismatch   the assembled data failed its checksum and was discarded (offset is then 0)
 */
record SnapshotChunkAck(long from, long to, long snapshotIndex, long snapshotTerm, long offset,
                        boolean crcMismatch) {
    SnapshotChunkAck {
        Verify.argument(from > 0 && to > 0 && offset >= 0, "chunk ack header");
    }
}
