package io.raftmq.client.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;

import java.util.List;

/**
 * The first handler of a permissive server's connection ({@link TlsMode#PERMISSIVE}, docs/security.md "TLS"):
 * looks at the first byte the client sends. 22 (0x16) opens a TLS handshake record, so an {@code SslHandler}
 * takes this handler's place; anything else is a plain remoting frame (its 4-byte length would have to exceed
 * 369 MB to start with 0x16, far beyond the frame limit), and this handler just leaves. Either way the bytes read
 * so far are passed on untouched: {@link ByteToMessageDecoder} hands its cumulation to the next handler when it is
 * removed, so the buffer's ownership moves on with it.
 */
public final class TlsDetector extends ByteToMessageDecoder {
    /** The TLS record type of a handshake message (a ClientHello opens every TLS connection). */
    static final int TLS_HANDSHAKE_RECORD = 0x16;
    /** Pipeline name of the {@code SslHandler} of a server connection. */
    public static final String TLS = "tls";

    private final SslContext context;

    public TlsDetector(SslContext context) {
        this.context = context;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!in.isReadable()) {
            return;
        }
        if (in.getUnsignedByte(in.readerIndex()) == TLS_HANDSHAKE_RECORD) {
            ctx.pipeline().addAfter(ctx.name(), TLS, context.newHandler(ctx.alloc()));
        }
        ctx.pipeline().remove(this);
    }
}
