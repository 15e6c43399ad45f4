package io.raftmq.raft.transport.netty;

import io.netty.buffer.ByteBuf;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The wire format of the peer handshake ({@link PeerAuthHandler}, docs/security.md "Raft peer authentication"):
 * three fixed-size messages exchanged before any raft frame on a connection, all integers big-endian.
 * <pre>
 *  HELLO     dialer -> acceptor, 53 bytes
 *    0   4  magic 'R' 'P' 'A' '1' (0x52 0x50 0x41 0x31: raft peer auth, version 1)
 *    4   1  type 1
 *    5   8  dialer member id  (i64)
 *   13   8  acceptor member id the dialer means to reach (i64)
 *   21  32  dialer nonce Nd (random)
 *  CHALLENGE acceptor -> dialer, 69 bytes
 *    0   4  magic
 *    4   1  type 2
 *    5  32  acceptor nonce Na (random)
 *   37  32  acceptor proof  HMAC-SHA256(secret, "raftmq-peer-auth/1 acceptor" | dialer id | acceptor id | Nd | Na)
 *  PROOF     dialer -> acceptor, 37 bytes
 *    0   4  magic
 *    4   1  type 3
 *    5  32  dialer proof    HMAC-SHA256(secret, "raftmq-peer-auth/1 dialer" | dialer id | acceptor id | Nd | Na)
 * </pre>
 * The MAC input is the ASCII label, the two ids as 8 bytes each, then the two nonces. Each side's proof covers the
 * other side's fresh nonce (no replay), both member ids (a proof for one pair of members is worth nothing for
 * another) and its role (an acceptor's proof cannot be sent back as a dialer's).
 */
final class PeerAuthFrames {
    static final int MAGIC = 0x52504131;
    static final byte HELLO = 1;
    static final byte CHALLENGE = 2;
    static final byte PROOF = 3;
    static final int NONCE_BYTES = 32;
    static final int MAC_BYTES = 32;
    static final int HEADER_BYTES = 5;
    static final int HELLO_BYTES = HEADER_BYTES + 16 + NONCE_BYTES;
    static final int CHALLENGE_BYTES = HEADER_BYTES + NONCE_BYTES + MAC_BYTES;
    static final int PROOF_BYTES = HEADER_BYTES + MAC_BYTES;
    static final String ACCEPTOR_LABEL = "raftmq-peer-auth/1 acceptor";
    static final String DIALER_LABEL = "raftmq-peer-auth/1 dialer";

    private PeerAuthFrames() {
    }

    static void writeHello(ByteBuf out, long dialer, long acceptor, byte[] nonce) {
        out.writeInt(MAGIC).writeByte(HELLO).writeLong(dialer).writeLong(acceptor).writeBytes(nonce);
    }

    static void writeChallenge(ByteBuf out, byte[] nonce, byte[] proof) {
        out.writeInt(MAGIC).writeByte(CHALLENGE).writeBytes(nonce).writeBytes(proof);
    }

    static void writeProof(ByteBuf out, byte[] proof) {
        out.writeInt(MAGIC).writeByte(PROOF).writeBytes(proof);
    }

    /**
     * Reads the header of a message of {@code type} and size {@code bytes} from {@code in} once all of it arrived:
     * false (nothing consumed) while bytes are missing.
     *
     * @throws PeerAuthException if the magic or type is wrong
     */
    static boolean header(ByteBuf in, byte type, int bytes) throws PeerAuthException {
        if (in.readableBytes() < Math.min(bytes, HEADER_BYTES)) {
            return false;
        }
        int r = in.readerIndex();
        if (in.getInt(r) != MAGIC || in.getByte(r + 4) != type) {
            throw new PeerAuthException("not a peer handshake message of type " + type);
        }
        if (in.readableBytes() < bytes) {
            return false;
        }
        in.skipBytes(HEADER_BYTES);
        return true;
    }

    /** The proof of {@code label}'s side over both ids and nonces. */
    static byte[] proof(byte[] secret, String label, long dialer, long acceptor, byte[] dialerNonce,
                        byte[] acceptorNonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(label.getBytes(StandardCharsets.US_ASCII));
            mac.update(ByteBuffer.allocate(16).putLong(dialer).putLong(acceptor).array());
            mac.update(dialerNonce);
            mac.update(acceptorNonce);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    /** Compares two proofs in constant time. */
    static boolean same(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    static byte[] read(ByteBuf in, int n) {
        byte[] b = new byte[n];
        in.readBytes(b);
        return b;
    }

    /** A handshake that failed: the connection is closed. */
    static final class PeerAuthException extends Exception {
        private static final long serialVersionUID = 1L;

        PeerAuthException(String message) {
            super(message);
        }
    }
}
