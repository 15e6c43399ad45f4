package io.raftmq.raft.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.raftmq.raft.message.InstallSnapshot;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Goal: the chunk frames have the documented bytes and round-trip; the receiver's assembly extends a partial
 * snapshot only with the chunk that continues it, answers others with the offset it holds, replaces a partial when
 * a different snapshot starts, drops one that made no progress for the timeout, and discards (and reports) data
 * failing its checksum. Method: frames through the real decoder; the assembler driven by hand with a fake clock.
 */
class SnapshotChunkingTest {
    private static final NettyTransportConfig CONFIG = NettyTransportConfig.defaults(2,
        new InetSocketAddress("127.0.0.1", 0)).withSnapshotChunks(1024, 2);

    @Test
    void chunkAndAckGoldenFrames() throws Exception {
        ByteBuf f = ChunkFrames.encodeChunk(ByteBufAllocator.DEFAULT, 1, 2, 3, 5, 2, "....ab...".getBytes(),
            0x01020304, new byte[] {9}, 4, 2);
        try {
            assertThat(ByteBufUtil.hexDump(f)).isEqualTo("0000001a" + "0801" + "1002" + "1803" + "920111" + "0805"
                + "1002" + "1809" + "2004" + "2d04030201" + "3a026162");
            SnapshotChunk c = (SnapshotChunk) RaftMessageDecoder.decodeAny(f.slice(4, f.readableBytes() - 4));
            assertThat(c.offset()).isEqualTo(4);
            assertThat(c.totalLength()).isEqualTo(9);
            assertThat(c.data()).containsExactly('a', 'b');
            assertThat(c.membership()).isEmpty(); // sent with offset 0 only
        } finally {
            f.release();
        }
        ByteBuf a = ChunkFrames.encodeAck(ByteBufAllocator.DEFAULT, new SnapshotChunkAck(2, 1, 5, 2, 6, true));
        try {
            assertThat(ByteBufUtil.hexDump(a)).isEqualTo("0000000f" + "0802" + "1001" + "9a0108" + "0805" + "1002"
                + "1806" + "2001");
            assertThat(RaftMessageDecoder.decodeAny(a.slice(4, a.readableBytes() - 4)))
                .isEqualTo(new SnapshotChunkAck(2, 1, 5, 2, 6, true));
        } finally {
            a.release();
        }
        assertThatThrownBy(() -> RaftMessageDecoder.decodeFrame(Unpooled.wrappedBuffer(new byte[] {(byte) 0x92, 1,
            0}))).isInstanceOf(CorruptFrameException.class);
    }

    @Test
    void assemblyResumesReplacesTimesOutAndChecksums() {
        SnapshotAssembler asm = new SnapshotAssembler(CONFIG);
        List<InstallSnapshot> got = new ArrayList<>();
        byte[] data = new byte[3000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        int crc = crc(data);
        assertThat(asm.onChunk(chunk(7, data, crc, 1024), 0, got::add).offset()).isZero(); // no partial: restart
        assertThat(asm.onChunk(chunk(7, data, crc, 0), 0, got::add).offset()).isEqualTo(1024);
        assertThat(asm.onChunk(chunk(7, data, crc, 0), 0, got::add).offset()).isEqualTo(1024); // duplicate
        assertThat(asm.onChunk(chunk(7, data, crc, 2048), 0, got::add).offset()).isEqualTo(1024); // gap
        assertThat(asm.onChunk(chunk(8, data, crc, 0), 0, got::add).offset()).isEqualTo(1024); // newer replaces
        assertThat(asm.dropStale(CONFIG.snapshotPartialTimeoutMs() * 1_000_000L)).isZero();
        assertThat(asm.dropStale(CONFIG.snapshotPartialTimeoutMs() * 1_000_000L + 1)).isEqualTo(1);
        assertThat(asm.partialOffset(1)).isEqualTo(-1);
        for (int off = 0; off < data.length; off += 1024) {
            asm.onChunk(chunk(9, data, crc, off), 0, got::add);
        }
        assertThat(got).hasSize(1);
        assertThat(got.get(0).data()).isEqualTo(data);
        assertThat(got.get(0).membership()).containsExactly(4, 2);
        assertThat(got.get(0).snapshotIndex()).isEqualTo(9);
        SnapshotChunkAck last = null;
        for (int off = 0; off < data.length; off += 1024) {
            last = asm.onChunk(chunk(10, data, crc ^ 1, off), 0, got::add);
        }
        assertThat(last.crcMismatch()).isTrue();
        assertThat(last.offset()).isZero();
        assertThat(asm.crcFailures()).isEqualTo(1);
        assertThat(got).hasSize(1);
    }

    private static SnapshotChunk chunk(long index, byte[] whole, int crc, int offset) {
        int n = Math.min(1024, whole.length - offset);
        byte[] part = java.util.Arrays.copyOfRange(whole, offset, offset + n);
        return new SnapshotChunk(1, 2, 5, index, 3, whole.length, offset, crc,
            offset == 0 ? new byte[] {4, 2} : new byte[0], part);
    }

    static int crc(byte[] data) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(data);
        return (int) c.getValue();
    }
}
