package io.raftmq.client.remoting;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.raftmq.client.protocol.GoldenFrames;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandCodec;
import io.raftmq.testsupport.GoldenVectors;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the pipeline of {@link RemotingPipeline} decodes frames split anywhere, encodes without copying bodies,
 * rejects oversized or malformed frames by closing, and follows the ownership rules in the handlers' javadoc
 * (every buffer released exactly once). Method: EmbeddedChannel with a collecting sink in place of the dispatcher;
 * explicit refCnt checks on pooled buffers (paranoid leak detection catches anything else).
 */
class PipelineCodecTest {
    private static final int MAX = 4096;

    private static EmbeddedChannel channel(Sink sink) {
        EmbeddedChannel ch = new EmbeddedChannel();
        RemotingPipeline.init(ch.pipeline(), MAX, 0, sink);
        return ch;
    }

    private static ByteBuf pooled(byte[] b) {
        return PooledByteBufAllocator.DEFAULT.directBuffer(b.length).writeBytes(b);
    }

    @Test
    void decodesFramesSplitAtEveryByte() {
        byte[] a = GoldenVectors.bytes("03_send_message_v2_request_json.bin");
        byte[] b = GoldenVectors.bytes("07_pull_message_request_rocketmq.bin");
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        for (int split = 1; split < both.length; split++) {
            Sink sink = new Sink();
            EmbeddedChannel ch = channel(sink);
            ByteBuf first = pooled(java.util.Arrays.copyOfRange(both, 0, split));
            ByteBuf second = pooled(java.util.Arrays.copyOfRange(both, split, both.length));
            ch.writeInbound(first);
            ch.writeInbound(second);
            assertThat(sink.errors).isEmpty();
            assertThat(sink.commands).hasSize(2);
            assertThat(sink.commands.get(0).code()).isEqualTo(310);
            assertThat(sink.commands.get(0).bodyBytes()).isEqualTo("Hello".getBytes());
            assertThat(sink.commands.get(1).code()).isEqualTo(11);
            sink.releaseAll();
            ch.finishAndReleaseAll();
            assertThat(first.refCnt()).isZero();
            assertThat(second.refCnt()).isZero();
        }
    }

    @Test
    void decodedBodyIsARetainedSliceReleasedWithTheCommand() {
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        ByteBuf in = pooled(GoldenVectors.bytes("30_pull_response_found_json.bin"));
        ch.writeInbound(in);
        RemotingCommand c = sink.commands.get(0);
        assertThat(c.body().refCnt()).isEqualTo(1);
        assertThat(in.refCnt()).as("frame kept alive only by the body slice").isEqualTo(1);
        assertThat(c.release()).isTrue();
        assertThat(in.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void encoderWritesHeaderThenBodyWithoutCopyAndReleasesTheCommand() {
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        RemotingCommand decoded = GoldenFrames.decodeFrame(GoldenVectors.bytes("30_pull_response_found_json.bin"));
        byte[] bodyBytes = decoded.bodyBytes();
        decoded.release();
        ByteBuf body = pooled(bodyBytes);
        RemotingCommand c = RemotingCommand.createResponse(0, "FOUND").setBody(body).markResponseTo(3);
        assertThat(ch.writeOutbound(c)).isTrue();
        ByteBuf header = ch.readOutbound();
        ByteBuf bodyOut = ch.readOutbound();
        assertThat(body.refCnt()).as("command released by the encoder; the body lives on in the outbound duplicate")
                .isEqualTo(1);
        CompositeByteBuf whole = Unpooled.compositeBuffer().addComponents(true, header, bodyOut);
        RemotingCommand back = GoldenFrames.decodeFrame(ByteBufUtil.getBytes(whole));
        assertThat(back.remark()).isEqualTo("FOUND");
        assertThat(back.bodyBytes()).isEqualTo(bodyBytes);
        back.release();
        whole.release();
        assertThat(body.refCnt()).as("outbound buffer shared the body's reference count: no copy").isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void oversizedInboundFrameClosesTheChannelEarly() {
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(16).writeInt(MAX).writeInt(8);
        ch.writeInbound(in);
        assertThat(sink.errors).singleElement().isInstanceOf(TooLongFrameException.class);
        assertThat(ch.isOpen()).isFalse();
        assertThat(in.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void malformedHeaderClosesTheChannelWithoutLeaking() {
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        byte[] bad = "{\"code\":1,".getBytes();
        ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer().writeInt(4 + bad.length + 3)
                .writeInt(bad.length).writeBytes(bad).writeBytes(new byte[] {1, 2, 3});
        ch.writeInbound(in);
        assertThat(sink.errors).hasSize(1);
        assertThat(sink.errors.get(0)).isInstanceOf(CorruptedFrameException.class)
                .hasMessageContaining("malformed JSON header");
        assertThat(sink.commands).isEmpty();
        assertThat(in.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void oversizedOutboundCommandFailsTheWriteAndIsReleased() {
        Sink sink = new Sink();
        EmbeddedChannel ch = channel(sink);
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer(MAX).writeZero(MAX);
        ChannelFuture f = ch.writeAndFlush(RemotingCommand.createRequest(10).setBody(body));
        assertThat(f.isSuccess()).isFalse();
        assertThat(f.cause()).isInstanceOf(EncoderException.class).hasMessageContaining("exceeds frameLengthMax");
        assertThat(body.refCnt()).isZero();
        assertThat(ch.outboundMessages()).isEmpty();
        ch.finishAndReleaseAll();
    }

    @Test
    void defaultFrameLimitIsTheSpecs() {
        assertThat(RemotingCommandCodec.FRAME_LENGTH_MAX_DEFAULT).isEqualTo(16_777_216);
    }
}
