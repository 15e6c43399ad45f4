package io.raftmq.client.remoting;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.raftmq.client.protocol.GoldenFrames;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandCodec;
import io.raftmq.testsupport.GoldenVectors;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Goal: hostile bytes never crash the inbound pipeline or leak: each input either yields valid commands or a clear
 * {@link DecoderException} followed by a close. Method: random and mutated golden frames (bit flips, truncation,
 * length/header-word tampering, JSON-significant bytes, splices, garbage) fed in random chunks through the real
 * {@link RemotingPipeline} on an EmbeddedChannel; decoded commands must survive an encode/decode round trip; every
 * input buffer must end with refCnt 0. Default 100,000 cases from a fixed seed; override with
 * {@code -Dfuzz.cases=N -Dfuzz.seed=S} (client/README.md). The seed is logged and put in every failure message.
 */
class FrameDecoderFuzzTest {
    private static final Logger LOG = LoggerFactory.getLogger(FrameDecoderFuzzTest.class);
    private static final int FRAME_MAX = 2048;
    private static final byte[] JSON_CHARS = "{}[]\":,\\'0123456789-.eEtfn u".getBytes();

    @Test
    void randomAndMutatedFramesNeverCrashOrLeak() {
        long seed = Long.getLong("fuzz.seed", 0x5EED_F00DL);
        int cases = Integer.getInteger("fuzz.cases", 100_000);
        LOG.info("frame decoder fuzz: {} cases, seed {} (rerun with -Dfuzz.seed={})", cases, seed, seed);
        Random rnd = new Random(seed);
        byte[][] golden = new byte[GoldenFrames.FRAMES.length][];
        for (int i = 0; i < golden.length; i++) {
            golden[i] = GoldenVectors.bytes(GoldenFrames.FRAMES[i]);
        }
        int[] outcomes = new int[3];
        for (int i = 0; i < cases; i++) {
            byte[] input = mutate(rnd, golden);
            outcomes[runCase(input, rnd, seed, i)]++;
        }
        LOG.info("fuzz outcomes: decoded {}, closed-on-error {}, incomplete {}", outcomes[0], outcomes[1],
                outcomes[2]);
        assertThat(outcomes[0]).as("some inputs decode").isPositive();
        assertThat(outcomes[1]).as("some inputs are rejected").isPositive();
    }

    /** Returns 0 = commands decoded, 1 = error and close, 2 = nothing complete (tail released on close). */
    private static int runCase(byte[] input, Random rnd, long seed, int n) {
        Sink sink = new Sink();
        EmbeddedChannel ch = new EmbeddedChannel();
        RemotingPipeline.init(ch.pipeline(), FRAME_MAX, 0, sink);
        List<ByteBuf> chunks = new ArrayList<>();
        int outcome;
        try {
            for (int pos = 0; pos < input.length && ch.isOpen(); ) {
                int len = Math.min(input.length - pos, 1 + rnd.nextInt(input.length + 1));
                ByteBuf chunk = Unpooled.buffer(len).writeBytes(input, pos, len);
                chunks.add(chunk);
                ch.writeInbound(chunk);
                pos += len;
            }
            for (Throwable t : sink.errors) {
                if (!(t instanceof DecoderException)) {
                    fail("case " + n + " (seed " + seed + "): unexpected " + t + " for input "
                            + Arrays.toString(input));
                }
            }
            if (!sink.errors.isEmpty() && ch.isOpen()) {
                fail("case " + n + " (seed " + seed + "): error without close");
            }
            for (RemotingCommand c : sink.commands) {
                checkRoundTrip(c, seed, n);
            }
            outcome = !sink.errors.isEmpty() ? 1 : (sink.commands.isEmpty() ? 2 : 0);
        } catch (RuntimeException e) {
            throw new AssertionError("case " + n + " (seed " + seed + "): exception escaped the pipeline: " + e
                    + " for input " + Arrays.toString(input), e);
        } finally {
            sink.releaseAll();
            ch.finishAndReleaseAll();
        }
        for (ByteBuf c : chunks) {
            if (c.refCnt() != 0) {
                fail("case " + n + " (seed " + seed + "): input buffer leaked, refCnt " + c.refCnt());
            }
        }
        return outcome;
    }

    private static void checkRoundTrip(RemotingCommand c, long seed, int n) {
        RemotingCommandCodec codec = new RemotingCommandCodec();
        ByteBuf frame = codec.encodeFrame(c, UnpooledByteBufAllocator.DEFAULT);
        try {
            frame.skipBytes(4);
            RemotingCommand back = codec.decode(frame);
            try {
                if (back.code() != c.code() || back.opaque() != c.opaque() || back.flag() != c.flag()
                        || back.bodyLength() != c.bodyLength()) {
                    fail("case " + n + " (seed " + seed + "): decoded command does not round-trip: " + c);
                }
            } finally {
                back.release();
            }
        } finally {
            frame.release();
        }
    }

    static byte[] mutate(Random rnd, byte[][] golden) {
        byte[] base = golden[rnd.nextInt(golden.length)];
        byte[] b = base.clone();
        switch (rnd.nextInt(9)) {
            case 0: return b;
            case 1: return flip(rnd, b, 1 + rnd.nextInt(8));
            case 2: return Arrays.copyOf(b, rnd.nextInt(b.length));
            case 3: return setInt(rnd, b, rnd.nextBoolean() ? 0 : 4);
            case 4: return garbage(rnd);
            case 5: return jsonChars(rnd, b);
            case 6: return splice(b, golden[rnd.nextInt(golden.length)], rnd);
            case 7: return concat(b, golden[rnd.nextInt(golden.length)]);
            default: return flip(rnd, setInt(rnd, b, 4), rnd.nextInt(3));
        }
    }

    private static byte[] flip(Random rnd, byte[] b, int count) {
        for (int i = 0; i < count && b.length > 0; i++) {
            b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
        return b;
    }

    private static byte[] setInt(Random rnd, byte[] b, int at) {
        if (b.length < at + 4) {
            return b;
        }
        int[] interesting = {0, 1, 3, 4, -1, Integer.MIN_VALUE, FRAME_MAX, FRAME_MAX - 4, b.length - 4, b.length,
            0x00FFFFFF, 0x01000000 | (b.length - 12), 0x02000010, rnd.nextInt()};
        int v = interesting[rnd.nextInt(interesting.length)];
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
        return b;
    }

    private static byte[] garbage(Random rnd) {
        byte[] g = new byte[rnd.nextInt(300)];
        rnd.nextBytes(g);
        if (g.length >= 8 && rnd.nextBoolean()) {
            int len = g.length - 4;
            g[0] = 0;
            g[1] = 0;
            g[2] = (byte) (len >>> 8);
            g[3] = (byte) len;
            g[4] = (byte) rnd.nextInt(2);
        }
        return g;
    }

    private static byte[] jsonChars(Random rnd, byte[] b) {
        int count = 1 + rnd.nextInt(4);
        for (int i = 0; i < count && b.length > 8; i++) {
            b[8 + rnd.nextInt(b.length - 8)] = JSON_CHARS[rnd.nextInt(JSON_CHARS.length)];
        }
        return b;
    }

    private static byte[] splice(byte[] a, byte[] b, Random rnd) {
        int cutA = rnd.nextInt(a.length + 1);
        int cutB = rnd.nextInt(b.length + 1);
        byte[] out = Arrays.copyOf(a, cutA + b.length - cutB);
        System.arraycopy(b, cutB, out, cutA, b.length - cutB);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
