package io.raftmq.client.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.CorruptedFrameException;
import io.raftmq.client.Verify;
import io.raftmq.client.protocol.json.JsonParseException;
import io.raftmq.client.protocol.json.JsonReader;
import io.raftmq.client.protocol.json.JsonWriter;

import java.nio.charset.StandardCharsets;

/**
 * Encodes and decodes remoting frames (docs/protocol.md §1.2-1.4). One instance per channel direction: it keeps
 * scratch buffers, so it is not thread-safe.
 *
 * <pre>
 * Frame (all integers big-endian):
 *  0        4              8                      8+H
 *  +--------+--------------+----------------------+------------------------+
 *  | total  | type | H     | header (H bytes)     | body (total - 4 - H)   |
 *  | length | 8bit | 24bit | JSON text or binary  | opaque bytes, may be 0 |
 *  +--------+--------------+----------------------+------------------------+
 *  total counts the header word, header and body, not itself. type 0 = JSON, 1 = ROCKETMQ.
 *
 * ROCKETMQ binary header (H bytes):
 *  0      2      3         5        9       13        17         17+R      21+R
 *  +------+------+---------+--------+-------+---------+----------+---------+-----------------------+
 *  | code | lang | version | opaque | flag  | R (int) | remark   | E (int) | E bytes of entries:   |
 *  | short| byte | short   | int    | int   |         | R bytes  |         | klen(short) key       |
 *  +------+------+---------+--------+-------+---------+----------+---------+ vlen(int) value ...   |
 *  A zero length decodes as null.                                          +-----------------------+
 * </pre>
 *
 * JSON headers are written with keys in fastjson order (alphabetical; nulls omitted) and extFields in the
 * iteration order of the Java server's HashMap ({@link ExtFields#hashOrder()}), so our responses are
 * byte-identical to the golden vectors.
 */
public final class RemotingCommandCodec {
    /** Bytes of the total-length prefix. */
    public static final int LENGTH_FIELD_SIZE = 4;
    /** Bytes of the header word (serialize type + header length). */
    public static final int HEADER_WORD_SIZE = 4;
    /** Largest header length representable in the 24-bit field. */
    public static final int HEADER_LENGTH_MAX = 0xFFFFFF;
    /** The client's default frame limit ({@code com.rocketmq.remoting.frameMaxLength}), incl. the length field. */
    public static final int FRAME_LENGTH_MAX_DEFAULT = 16 * 1024 * 1024;

    /** Offsets inside the ROCKETMQ binary header. */
    static final int BIN_CODE = 0;
    static final int BIN_LANGUAGE = 2;
    static final int BIN_VERSION = 3;
    static final int BIN_OPAQUE = 5;
    static final int BIN_FLAG = 9;
    static final int BIN_REMARK_LENGTH = 13;
    static final int BIN_FIXED_SIZE = 17;

    static {
        Verify.state(BIN_FIXED_SIZE == 2 + 1 + 2 + 4 + 4 + 4, "binary header fixed part", BIN_FIXED_SIZE);
        Verify.state(BIN_REMARK_LENGTH + 4 == BIN_FIXED_SIZE, "binary header offsets", BIN_REMARK_LENGTH);
    }

    private final JsonWriter json = new JsonWriter(new StringBuilder(512));
    private byte[] scratch = new byte[512];

    // ----------------------------------------------------------------------------------------- encoding

    /**
     * Writes the length prefix, header word and header of {@code cmd} to {@code out}; the body is not written
     * (the caller appends {@code cmd.body()} so it can be sent without copying). Returns the total frame size
     * including the length prefix and body. {@code cmd} is not modified and ownership does not change.
     *
     * @throws IllegalArgumentException if the header exceeds 24 bits of length
     */
    public int encodeHeader(RemotingCommand cmd, ByteBuf out) {
        int start = out.writerIndex();
        out.writeInt(0);
        out.writeInt(0);
        int headerLength = cmd.serializeType() == SerializeType.JSON ? writeJsonHeader(cmd, out)
                : writeBinaryHeader(cmd, out);
        Verify.argument(headerLength <= HEADER_LENGTH_MAX, "remoting header longer than 16 MiB");
        int bodyLength = cmd.bodyLength();
        out.setInt(start, HEADER_WORD_SIZE + headerLength + bodyLength);
        out.setInt(start + LENGTH_FIELD_SIZE, (cmd.serializeType().code() << 24) | headerLength);
        Verify.state(out.writerIndex() - start == LENGTH_FIELD_SIZE + HEADER_WORD_SIZE + headerLength,
                "encoded header size", out.writerIndex() - start, headerLength);
        return LENGTH_FIELD_SIZE + HEADER_WORD_SIZE + headerLength + bodyLength;
    }

    /** A whole frame (prefix, header and a copy of the body) in a new buffer owned by the caller. */
    public ByteBuf encodeFrame(RemotingCommand cmd, ByteBufAllocator alloc) {
        ByteBuf out = alloc.buffer(256 + cmd.bodyLength());
        encodeHeader(cmd, out);
        if (cmd.body() != null) {
            out.writeBytes(cmd.body(), cmd.body().readerIndex(), cmd.bodyLength());
        }
        return out;
    }

    private int writeJsonHeader(RemotingCommand cmd, ByteBuf out) {
        JsonWriter w = json.reset();
        w.beginObject().field("code", cmd.code());
        ExtFields ext = cmd.extFields();
        if (ext != null) {
            w.name("extFields").beginObject();
            int[] order = ext.hashOrder();
            for (int i : order) {
                w.field(ext.keyAt(i), ext.valueAt(i));
            }
            w.endObject();
        }
        w.field("flag", cmd.flag());
        w.field("language", cmd.language());
        w.field("opaque", cmd.opaque());
        w.field("remark", cmd.remark());
        w.field("serializeTypeCurrentRPC", cmd.serializeType());
        w.field("version", cmd.version());
        w.endObject();
        return ByteBufUtil.writeUtf8(out, w.buffer());
    }

    private static int writeBinaryHeader(RemotingCommand cmd, ByteBuf out) {
        int start = out.writerIndex();
        out.writeShort(cmd.code());
        out.writeByte(cmd.language() == null ? LanguageCode.OTHER.code() : cmd.language().code());
        out.writeShort(cmd.version());
        out.writeInt(cmd.opaque());
        out.writeInt(cmd.flag());
        writeIntPrefixed(out, cmd.remark());
        int extStart = out.writerIndex();
        out.writeInt(0);
        ExtFields ext = cmd.extFields();
        int n = ext == null ? 0 : ext.size();
        for (int i = 0; i < n; i++) {
            int keyAt = out.writerIndex();
            out.writeShort(0);
            out.setShort(keyAt, ByteBufUtil.writeUtf8(out, ext.keyAt(i)));
            writeIntPrefixed(out, ext.valueAt(i));
        }
        out.setInt(extStart, out.writerIndex() - extStart - 4);
        return out.writerIndex() - start;
    }

    private static void writeIntPrefixed(ByteBuf out, String s) {
        int at = out.writerIndex();
        out.writeInt(0);
        if (s != null) {
            out.setInt(at, ByteBufUtil.writeUtf8(out, s));
        }
    }

    // ----------------------------------------------------------------------------------------- decoding

    /**
     * Decodes one frame whose length prefix was already stripped ({@code frame} = header word, header, body).
     * Consumes all readable bytes of {@code frame}. Ownership: {@code frame} stays with the caller; the returned
     * command holds a <b>retained</b> slice of it as body (taken last, so a failure leaks nothing), and the caller
     * of this method owns the command.
     *
     * @throws CorruptedFrameException if the header word, header or lengths are malformed
     */
    public RemotingCommand decode(ByteBuf frame) {
        if (frame.readableBytes() < HEADER_WORD_SIZE) {
            throw new CorruptedFrameException("frame shorter than the header word: " + frame.readableBytes());
        }
        int word = frame.readInt();
        SerializeType type = SerializeType.ofCode(word >>> 24);
        if (type == null) {
            throw new CorruptedFrameException("unknown serialize type " + (word >>> 24));
        }
        int headerLength = word & HEADER_LENGTH_MAX;
        if (headerLength > frame.readableBytes()) {
            throw new CorruptedFrameException("header length " + headerLength + " exceeds frame remainder "
                    + frame.readableBytes());
        }
        int headerEnd = frame.readerIndex() + headerLength;
        RemotingCommand cmd = type == SerializeType.JSON ? decodeJson(frame, headerLength)
                : decodeBinary(frame, headerLength);
        Verify.state(frame.readerIndex() == headerEnd, "header decoder consumed its header exactly",
                frame.readerIndex(), headerEnd);
        cmd.serializeType(type);
        int bodyLength = frame.readableBytes();
        if (bodyLength > 0) {
            cmd.setBody(frame.readRetainedSlice(bodyLength));
        }
        return cmd;
    }

    private RemotingCommand decodeJson(ByteBuf frame, int headerLength) {
        byte[] bytes;
        int offset;
        if (frame.hasArray()) {
            bytes = frame.array();
            offset = frame.arrayOffset() + frame.readerIndex();
        } else {
            if (scratch.length < headerLength) {
                scratch = new byte[Math.max(headerLength, scratch.length * 2)];
            }
            frame.getBytes(frame.readerIndex(), scratch, 0, headerLength);
            bytes = scratch;
            offset = 0;
        }
        RemotingCommand cmd = new RemotingCommand().version(0);
        try {
            parseJsonHeader(new JsonReader(bytes, offset, headerLength), cmd);
        } catch (JsonParseException e) {
            throw new CorruptedFrameException("malformed JSON header: " + e.getMessage());
        }
        frame.skipBytes(headerLength);
        return cmd;
    }

    private static void parseJsonHeader(JsonReader r, RemotingCommand cmd) {
        r.beginObject();
        while (r.hasNext()) {
            if (r.peekObjectName()) {
                throw new JsonParseException("object key in header", -1);
            }
            String name = r.nextName();
            switch (name) {
                case "code" -> cmd.code(r.nextInt());
                case "language" -> cmd.language(LanguageCode.ofName(r.nextString()));
                case "version" -> cmd.version(r.nextInt());
                case "opaque" -> cmd.opaque(r.nextInt());
                case "flag" -> cmd.flag(r.nextInt());
                case "remark" -> cmd.remark(r.nextString());
                case "extFields" -> cmd.extFields(r.nextNullIf() ? null : parseExtFields(r));
                default -> r.skipValue();
            }
        }
        r.endObject();
        r.endDocument();
    }

    private static ExtFields parseExtFields(JsonReader r) {
        ExtFields ext = new ExtFields();
        r.beginObject();
        while (r.hasNext()) {
            if (r.peekObjectName()) {
                throw new JsonParseException("object key in extFields", -1);
            }
            String key = r.nextName();
            JsonReader.Kind k = r.peek();
            if (k == JsonReader.Kind.OBJECT || k == JsonReader.Kind.ARRAY) {
                throw new JsonParseException("extFields value is not a scalar", -1);
            }
            ext.put(key, r.nextString());
        }
        r.endObject();
        return ext;
    }

    private static RemotingCommand decodeBinary(ByteBuf frame, int headerLength) {
        if (headerLength < BIN_FIXED_SIZE + 4) {
            throw new CorruptedFrameException("binary header too short: " + headerLength);
        }
        int end = frame.readerIndex() + headerLength;
        RemotingCommand cmd = new RemotingCommand();
        cmd.code(frame.readShort());
        cmd.language(LanguageCode.ofCode(frame.readByte()));
        cmd.version(frame.readShort());
        cmd.opaque(frame.readInt());
        cmd.flag(frame.readInt());
        cmd.remark(readIntPrefixed(frame, end, "remark"));
        int extLength = readLength(frame, end, 4, "extFields");
        if (extLength > 0) {
            cmd.extFields(readBinaryExtFields(frame, frame.readerIndex() + extLength));
        }
        if (frame.readerIndex() != end) {
            throw new CorruptedFrameException("binary header has " + (end - frame.readerIndex()) + " extra bytes");
        }
        return cmd;
    }

    private static ExtFields readBinaryExtFields(ByteBuf frame, int extEnd) {
        ExtFields ext = new ExtFields();
        while (frame.readerIndex() < extEnd) {
            int keyLength = readLength(frame, extEnd, 2, "extFields key");
            String key = keyLength == 0 ? null : frame.readCharSequence(keyLength, StandardCharsets.UTF_8).toString();
            String value = readIntPrefixed(frame, extEnd, "extFields value");
            if (key != null && value != null) {
                ext.put(key, value);
            }
        }
        return ext;
    }

    private static String readIntPrefixed(ByteBuf frame, int end, String what) {
        int n = readLength(frame, end, 4, what);
        return n == 0 ? null : frame.readCharSequence(n, StandardCharsets.UTF_8).toString();
    }

    /** Reads a 2- or 4-byte length and checks that it and its payload fit before {@code end}. */
    private static int readLength(ByteBuf frame, int end, int size, String what) {
        if (end - frame.readerIndex() < size) {
            throw new CorruptedFrameException("truncated " + what + " length");
        }
        int n = size == 2 ? frame.readUnsignedShort() : frame.readInt();
        if (n < 0 || n > end - frame.readerIndex()) {
            throw new CorruptedFrameException(what + " length " + n + " exceeds the header");
        }
        return n;
    }
}
