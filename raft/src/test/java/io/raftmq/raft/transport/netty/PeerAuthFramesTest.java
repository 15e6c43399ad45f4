package io.raftmq.raft.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the peer handshake's bytes are exactly the layout drawn in {@link PeerAuthFrames} (docs/security.md "Raft
 * peer authentication"). Method: fixed secret, ids and nonces; the expected bytes (test resource
 * peer-auth/handshake-v1.txt) were computed apart from this code, with Python's hmac module, so a change of
 * label, field order or MAC input fails here. Also: a message with a wrong magic or type is refused, and a partial
 * message consumes nothing.
 */
class PeerAuthFramesTest {
    private static final byte[] SECRET = "raftmq-test-group-secret".getBytes(StandardCharsets.UTF_8);
    private static final byte[] DIALER_NONCE = range(0x00);
    private static final byte[] ACCEPTOR_NONCE = range(0x20);

    private static byte[] range(int first) {
        byte[] b = new byte[32];
        for (int i = 0; i < 32; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    private static Map<String, String> vectors() throws IOException {
        Map<String, String> m = new HashMap<>();
        try (InputStream in = PeerAuthFramesTest.class.getResourceAsStream("/peer-auth/handshake-v1.txt")) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    m.put(line.substring(0, eq), line.substring(eq + 1).trim());
                }
            }
        }
        return m;
    }

    private static String hex(ByteBuf b) {
        try {
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    @Test
    void handshakeBytesMatchTheGoldenVectors() throws Exception {
        Map<String, String> v = vectors();
        ByteBuf hello = Unpooled.buffer();
        PeerAuthFrames.writeHello(hello, 1, 2, DIALER_NONCE);
        assertThat(hello.readableBytes()).isEqualTo(PeerAuthFrames.HELLO_BYTES);
        assertThat(hex(hello)).isEqualTo(v.get("hello"));

        byte[] acceptorProof = PeerAuthFrames.proof(SECRET, PeerAuthFrames.ACCEPTOR_LABEL, 1, 2, DIALER_NONCE,
            ACCEPTOR_NONCE);
        ByteBuf challenge = Unpooled.buffer();
        PeerAuthFrames.writeChallenge(challenge, ACCEPTOR_NONCE, acceptorProof);
        assertThat(challenge.readableBytes()).isEqualTo(PeerAuthFrames.CHALLENGE_BYTES);
        assertThat(hex(challenge)).isEqualTo(v.get("challenge"));

        ByteBuf proof = Unpooled.buffer();
        PeerAuthFrames.writeProof(proof, PeerAuthFrames.proof(SECRET, PeerAuthFrames.DIALER_LABEL, 1, 2,
            DIALER_NONCE, ACCEPTOR_NONCE));
        assertThat(proof.readableBytes()).isEqualTo(PeerAuthFrames.PROOF_BYTES);
        assertThat(hex(proof)).isEqualTo(v.get("proof"));
    }

    @Test
    void proofsDependOnRoleIdsAndSecret() {
        byte[] base = PeerAuthFrames.proof(SECRET, PeerAuthFrames.DIALER_LABEL, 1, 2, DIALER_NONCE, ACCEPTOR_NONCE);
        assertThat(PeerAuthFrames.same(base, PeerAuthFrames.proof(SECRET, PeerAuthFrames.ACCEPTOR_LABEL, 1, 2,
            DIALER_NONCE, ACCEPTOR_NONCE))).isFalse();
        assertThat(PeerAuthFrames.same(base, PeerAuthFrames.proof(SECRET, PeerAuthFrames.DIALER_LABEL, 3, 2,
            DIALER_NONCE, ACCEPTOR_NONCE))).isFalse();
        byte[] other = "another-group-secret".getBytes(StandardCharsets.UTF_8);
        assertThat(PeerAuthFrames.same(base, PeerAuthFrames.proof(other, PeerAuthFrames.DIALER_LABEL, 1, 2,
            DIALER_NONCE, ACCEPTOR_NONCE))).isFalse();
    }

    @Test
    void headerRefusesOtherBytesAndWaitsForWholeMessages() throws Exception {
        ByteBuf partial = Unpooled.wrappedBuffer(HexFormat.of().parseHex(vectors().get("proof")), 0, 20);
        try {
            assertThat(PeerAuthFrames.header(partial, PeerAuthFrames.PROOF, PeerAuthFrames.PROOF_BYTES)).isFalse();
            assertThat(partial.readerIndex()).isZero();
            assertThatThrownBy(() -> PeerAuthFrames.header(partial, PeerAuthFrames.HELLO, PeerAuthFrames.HELLO_BYTES))
                .isInstanceOf(PeerAuthFrames.PeerAuthException.class);
        } finally {
            partial.release();
        }
        ByteBuf raftFrame = Unpooled.buffer().writeInt(64).writeLong(7);
        try {
            assertThatThrownBy(() -> PeerAuthFrames.header(raftFrame, PeerAuthFrames.HELLO,
                PeerAuthFrames.HELLO_BYTES)).isInstanceOf(PeerAuthFrames.PeerAuthException.class);
        } finally {
            raftFrame.release();
        }
    }
}
