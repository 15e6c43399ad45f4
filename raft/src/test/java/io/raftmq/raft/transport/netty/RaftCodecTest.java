package io.raftmq.raft.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.HeartbeatResponse;
import io.raftmq.raft.message.InstallSnapshot;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.message.TimeoutNow;
import io.raftmq.raft.message.VoteResponse;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: every message record survives encode -> frame -> decode unchanged, the frame bytes match the drawn layout,
 * frames split across reads reassemble, bad frames fail the pipeline, and every buffer is released (the build
 * runs with paranoid leak detection; refCnt is asserted directly too). Method: EmbeddedChannels holding the real
 * outbound and inbound handlers.
 */
class RaftCodecTest {
    private static final int FRAME_MAX = 1 << 20;

    static List<RaftMessage> samples() {
        List<Entry> entries = List.of(new Entry(3, 10, Entry.TYPE_NOOP, new byte[0]),
            new Entry(3, 11, 16, new byte[] {1, 2, 3}, 1_765_000_000_000L), new Entry(4, 12, 200, new byte[1000]));
        return List.of(
            new AppendEntries(1, 2, 4, 9, 3, entries, 11),
            new AppendEntries(1, 3, 4, 12, 4, List.of(), 12),
            new AppendEntriesResponse(2, 1, 4, 12, false, 0, 0),
            new AppendEntriesResponse(3, 1, 4, 9, true, 7, 2),
            new Heartbeat(1, 2, 5, 99),
            new Heartbeat(1, 2, 5, 7, 99),
            new HeartbeatResponse(2, 1, 5),
            new HeartbeatResponse(2, 1, 5, 0),
            new HeartbeatResponse(2, 1, 5, 41),
            new RequestVote(2, 3, 6, 12, 4, true, false),
            new RequestVote(2, 3, 6, 12, 4, false, true),
            new VoteResponse(3, 2, 6, false, true),
            new VoteResponse(3, 2, 6, true, false),
            new InstallSnapshot(1, 2, 7, 500, 6, new byte[] {9, 8, 7}),
            new TimeoutNow(1, 3, 7));
    }

    private static ByteBuf encode(RaftMessage m) {
        EmbeddedChannel out = new EmbeddedChannel(new RaftMessageEncoder(FRAME_MAX));
        assertThat(out.writeOutbound(m)).isTrue();
        ByteBuf frame = out.readOutbound();
        assertThat((Object) out.readOutbound()).isNull();
        assertThat(out.finish()).isFalse();
        return frame;
    }

    private static EmbeddedChannel inbound() {
        return new EmbeddedChannel(RaftFrameCodec.newFrameDecoder(FRAME_MAX), new RaftMessageDecoder());
    }

    @Test
    void goldenFrameOfAHeartbeat() {
        ByteBuf frame = encode(new Heartbeat(1, 2, 3, 4, 6));
        try {
            // length 12 | from=1 | to=2 | term=3 | field 12 (heartbeat), 4 bytes: commit_index=4, leader_commit=6
            assertThat(ByteBufUtil.hexDump(frame)).isEqualTo("0000000c" + "0801" + "1002" + "1803" + "6204" + "0804"
                + "1006");
        } finally {
            frame.release();
        }
    }

    @Test
    void goldenFramesOfAHeartbeatResponse() {
        ByteBuf frame = encode(new HeartbeatResponse(2, 1, 5, 41));
        ByteBuf unknown = encode(new HeartbeatResponse(2, 1, 5));
        try {
            // length 10 | from=2 | to=1 | term=5 | field 13 (heartbeat_response), 2 bytes: log_end = lastIndex + 1 = 42
            assertThat(ByteBufUtil.hexDump(frame)).isEqualTo("0000000a" + "0802" + "1001" + "1805" + "6a02" + "082a");
            // no log position: an empty body, exactly what a peer that predates log_end sends and reads
            assertThat(ByteBufUtil.hexDump(unknown)).isEqualTo("00000008" + "0802" + "1001" + "1805" + "6a00");
        } finally {
            frame.release();
            unknown.release();
        }
    }

    @Test
    void everyMessageRoundTripsAndEveryBufferIsReleased() {
        EmbeddedChannel in = inbound();
        for (RaftMessage m : samples()) {
            ByteBuf frame = encode(m);
            assertThat(in.writeInbound(frame)).isTrue();
            assertThat(frame.refCnt()).as("frame released after decoding %s", m).isZero();
            RaftMessage decoded = in.readInbound();
            assertThat(decoded).isEqualTo(m);
        }
        assertThat(in.finish()).isFalse();
    }

    @Test
    void decodedPayloadDoesNotAliasTheFrame() {
        byte[] payload = {5, 6, 7, 8};
        ByteBuf frame = encode(new AppendEntries(1, 2, 1, 0, 0, List.of(new Entry(1, 1, 16, payload)), 0));
        ByteBuf copy = Unpooled.copiedBuffer(frame);
        frame.release();
        EmbeddedChannel in = inbound();
        in.writeInbound(copy);
        AppendEntries decoded = in.readInbound();
        assertThat(copy.refCnt()).isZero();
        assertThat(decoded.entries().get(0).payload()).containsExactly(5, 6, 7, 8).isNotSameAs(payload);
        in.finishAndReleaseAll();
    }

    @Test
    void appendEntriesFastPathWritesExactlyTheBytesOfTheGeneratedClasses() {
        List<RaftMessage> cases = new ArrayList<>(samples());
        cases.add(new AppendEntries(Long.MAX_VALUE, 1, Long.MAX_VALUE, Long.MAX_VALUE - 1, 1L << 40,
            List.of(new Entry(Long.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE, new byte[300], Long.MAX_VALUE)),
            Long.MAX_VALUE));
        cases.add(new AppendEntries(1, 2, 0, 0, 0, List.of(new Entry(1, 1, 0, new byte[0])), 0));
        for (RaftMessage m : cases) {
            if (!(m instanceof AppendEntries)) {
                continue;
            }
            ByteBuf frame = encode(m);
            byte[] generated = ProtoMapper.toEnvelope(m).toByteArray();
            assertThat(frame.readInt()).isEqualTo(generated.length);
            assertThat(ByteBufUtil.getBytes(frame)).as("%s", m).isEqualTo(generated);
            frame.release();
            EmbeddedChannel in = inbound();
            in.writeInbound(Unpooled.buffer().writeInt(generated.length).writeBytes(generated));
            assertThat((RaftMessage) in.readInbound()).isEqualTo(m);
            assertThat(in.finish()).isFalse();
        }
    }

    @Test
    void framesSplitIntoSingleBytesAndBatchedTogetherReassemble() {
        List<RaftMessage> msgs = samples();
        ByteBuf all = Unpooled.buffer();
        for (RaftMessage m : msgs) {
            ByteBuf f = encode(m);
            all.writeBytes(f);
            f.release();
        }
        EmbeddedChannel in = inbound();
        while (all.isReadable()) {
            in.writeInbound(all.readRetainedSlice(1));
        }
        all.release();
        List<RaftMessage> got = new ArrayList<>();
        for (Object o = in.readInbound(); o != null; o = in.readInbound()) {
            got.add((RaftMessage) o);
        }
        assertThat(got).isEqualTo(msgs);
        assertThat(in.finish()).isFalse();
    }

    @Test
    void garbageFrameFailsThePipelineAndIsReleased() {
        EmbeddedChannel in = inbound();
        ByteBuf bad = Unpooled.buffer().writeInt(3).writeByte(0xFF).writeByte(0xFF).writeByte(0xFF);
        assertThatThrownBy(() -> in.writeInbound(bad)).hasCauseInstanceOf(CorruptFrameException.class);
        assertThat(bad.refCnt()).isZero();
        in.finishAndReleaseAll();
    }

    @Test
    void envelopeWithoutBodyOrWithInvalidFieldsIsCorrupt() {
        EmbeddedChannel in = inbound();
        ByteBuf noBody = Unpooled.buffer().writeInt(6).writeBytes(new byte[] {0x08, 0x01, 0x10, 0x02, 0x18, 0x03});
        assertThatThrownBy(() -> in.writeInbound(noBody)).hasCauseInstanceOf(CorruptFrameException.class)
            .hasMessageContaining("no body");
        ByteBuf zeroIndexEntry = encode(new AppendEntries(1, 2, 1, 0, 0, List.of(new Entry(1, 1, 16, new byte[0])),
            0));
        // patch the entry's index varint (0x10 0x01) to 0: Entry rejects index 0
        int at = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(new byte[] {0x10, 0x01, 0x18}), zeroIndexEntry);
        zeroIndexEntry.setByte(at + 1, 0);
        assertThatThrownBy(() -> in.writeInbound(zeroIndexEntry)).hasCauseInstanceOf(CorruptFrameException.class);
        assertThat(noBody.refCnt()).isZero();
        assertThat(zeroIndexEntry.refCnt()).isZero();
        in.finishAndReleaseAll();
    }

    @Test
    void oversizedFramesAreRefusedOnBothSides() {
        EmbeddedChannel out = new EmbeddedChannel(new RaftMessageEncoder(1024));
        RaftMessage big = new InstallSnapshot(1, 2, 1, 1, 1, new byte[2000]);
        assertThatThrownBy(() -> out.writeOutbound(big)).hasMessageContaining("frameBytesMax");
        out.finishAndReleaseAll();
        EmbeddedChannel in = new EmbeddedChannel(RaftFrameCodec.newFrameDecoder(1024), new RaftMessageDecoder());
        ByteBuf tooLong = Unpooled.buffer().writeInt(5000).writeZero(16);
        assertThatThrownBy(() -> in.writeInbound(tooLong)).isInstanceOf(TooLongFrameException.class);
        in.finishAndReleaseAll();
    }
}
