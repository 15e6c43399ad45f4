package io.raftmq.raft.transport.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Promise;
import io.raftmq.raft.transport.netty.PeerAuthFrames.PeerAuthException;

import java.nio.channels.ClosedChannelException;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Authenticates a raft peer connection with the group secret before any raft frame is read from it or written to it
 * (docs/security.md "Raft peer authentication"): the challenge-response of {@link PeerAuthFrames}, the dialer
 * proving itself to the acceptor and back, each over the other's fresh nonce with both member ids bound in. It is the
 * first handler after TLS (if any); frames behind it stay in its buffer until the handshake succeeds.
 *
 * <p>Success: the acceptor records the dialer's member id on the channel ({@link #PEER}: the dispatcher drops
 * messages claiming another sender), the {@code done} promise succeeds (a {@link PeerLink} publishes its connection
 * only then) and the handler leaves the pipeline, passing on the bytes that followed the handshake (its
 * cumulation, handed on by {@link ByteToMessageDecoder} on removal). Failure (wrong secret, wrong member id, not a
 * handshake, no handshake within {@link #TIMEOUT_MS}, or the other side closed first): the connection is closed,
 * the bytes read are released, the transport counts and logs it (rate-limited) and nothing reaches the raft core.
 * One instance per connection.
 */
final class PeerAuthHandler extends ByteToMessageDecoder {
    /** The authenticated dialer's member id, on an accepted connection. */
    static final AttributeKey<Long> PEER = AttributeKey.valueOf("raftmq.raft.peer");
    static final long TIMEOUT_MS = 5_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PeerPipelines pipelines;
    private final byte[] secret;
    private final boolean dialer;
    private final long self;
    private final Promise<Void> done;
    /** The member at the other end: the dialed peer, or (acceptor) the dialer once its HELLO arrived. */
    private long peer;
    private byte[] dialerNonce;
    private byte[] acceptorNonce;
    private ScheduledFuture<?> timeout;

    private PeerAuthHandler(PeerPipelines pipelines, byte[] secret, boolean dialer, long peer, Promise<Void> done) {
        this.pipelines = pipelines;
        this.secret = secret;
        this.dialer = dialer;
        this.self = pipelines.nodeId();
        this.peer = peer;
        this.done = done;
    }

    /** The handler of an outgoing connection to member {@code peer}; {@code done} completes with the handshake. */
    static PeerAuthHandler dialer(PeerPipelines p, byte[] secret, long peer, Promise<Void> done) {
        return new PeerAuthHandler(p, secret, true, peer, done);
    }

    /** The handler of an accepted connection. */
    static PeerAuthHandler acceptor(PeerPipelines p, byte[] secret, Promise<Void> done) {
        return new PeerAuthHandler(p, secret, false, 0, done);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timeout = ctx.executor().schedule(() -> fail(ctx, "no handshake within " + TIMEOUT_MS + " ms"), TIMEOUT_MS,
            TimeUnit.MILLISECONDS);
        if (dialer) {
            dialerNonce = nonce();
            ByteBuf hello = ctx.alloc().buffer(PeerAuthFrames.HELLO_BYTES);
            PeerAuthFrames.writeHello(hello, self, peer, dialerNonce);
            ctx.writeAndFlush(hello, ctx.voidPromise());
        }
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            if (dialer) {
                onChallenge(ctx, in);
            } else if (dialerNonce == null) {
                onHello(ctx, in);
            } else {
                onProof(ctx, in);
            }
        } catch (PeerAuthException e) {
            in.skipBytes(in.readableBytes());
            fail(ctx, e.getMessage());
        }
    }

    private void onHello(ChannelHandlerContext ctx, ByteBuf in) throws PeerAuthException {
        if (!PeerAuthFrames.header(in, PeerAuthFrames.HELLO, PeerAuthFrames.HELLO_BYTES)) {
            return;
        }
        long from = in.readLong();
        long to = in.readLong();
        dialerNonce = PeerAuthFrames.read(in, PeerAuthFrames.NONCE_BYTES);
        if (to != self || from <= 0 || from == self) {
            throw new PeerAuthException("member " + from + " meant to reach member " + to + ", this is " + self);
        }
        peer = from;
        acceptorNonce = nonce();
        byte[] proof = PeerAuthFrames.proof(secret, PeerAuthFrames.ACCEPTOR_LABEL, peer, self, dialerNonce,
            acceptorNonce);
        ByteBuf challenge = ctx.alloc().buffer(PeerAuthFrames.CHALLENGE_BYTES);
        PeerAuthFrames.writeChallenge(challenge, acceptorNonce, proof);
        ctx.writeAndFlush(challenge, ctx.voidPromise());
    }

    private void onProof(ChannelHandlerContext ctx, ByteBuf in) throws PeerAuthException {
        if (!PeerAuthFrames.header(in, PeerAuthFrames.PROOF, PeerAuthFrames.PROOF_BYTES)) {
            return;
        }
        byte[] proof = PeerAuthFrames.read(in, PeerAuthFrames.MAC_BYTES);
        byte[] expected = PeerAuthFrames.proof(secret, PeerAuthFrames.DIALER_LABEL, peer, self, dialerNonce,
            acceptorNonce);
        if (!PeerAuthFrames.same(expected, proof)) {
            throw new PeerAuthException("member " + peer + " does not hold the group secret");
        }
        succeed(ctx);
    }

    private void onChallenge(ChannelHandlerContext ctx, ByteBuf in) throws PeerAuthException {
        if (!PeerAuthFrames.header(in, PeerAuthFrames.CHALLENGE, PeerAuthFrames.CHALLENGE_BYTES)) {
            return;
        }
        acceptorNonce = PeerAuthFrames.read(in, PeerAuthFrames.NONCE_BYTES);
        byte[] proof = PeerAuthFrames.read(in, PeerAuthFrames.MAC_BYTES);
        byte[] expected = PeerAuthFrames.proof(secret, PeerAuthFrames.ACCEPTOR_LABEL, self, peer, dialerNonce,
            acceptorNonce);
        if (!PeerAuthFrames.same(expected, proof)) {
            throw new PeerAuthException("the member answering as " + peer + " does not hold the group secret");
        }
        ByteBuf answer = ctx.alloc().buffer(PeerAuthFrames.PROOF_BYTES);
        PeerAuthFrames.writeProof(answer, PeerAuthFrames.proof(secret, PeerAuthFrames.DIALER_LABEL, self, peer,
            dialerNonce, acceptorNonce));
        ctx.writeAndFlush(answer, ctx.voidPromise());
        succeed(ctx);
    }

    private void succeed(ChannelHandlerContext ctx) {
        cancelTimeout();
        if (!dialer) {
            ctx.channel().attr(PEER).set(peer);
        }
        done.trySuccess(null);
        ctx.pipeline().remove(this);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
        cancelTimeout();
        if (done.tryFailure(new PeerAuthFrames.PeerAuthException(why))) {
            pipelines.peerAuthFailed(ctx.channel().remoteAddress(), why);
        }
        ctx.close();
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimeout();
        boolean started = dialer || dialerNonce != null; // an acceptor counts connections that sent a HELLO
        if (done.tryFailure(new ClosedChannelException()) && started) { // e.g. the other side refused our proof
            pipelines.peerAuthFailed(ctx.channel().remoteAddress(), "closed before the handshake completed");
        }
        super.channelInactive(ctx);
    }

    private static byte[] nonce() {
        byte[] n = new byte[PeerAuthFrames.NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }
}
