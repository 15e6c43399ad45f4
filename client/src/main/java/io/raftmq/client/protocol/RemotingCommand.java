package io.raftmq.client.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;
import io.raftmq.client.Verify;

/**
 * One remoting message: request, response or oneway request (docs/protocol.md §1.3). Header fields are plain Java
 * fields; the typed custom header lives in {@link ExtFields}; the body is an optional {@link ByteBuf}.
 *
 * <p><b>Ownership.</b> A command owns its body and is {@link ReferenceCounted} by delegation to it (a command
 * without body has a constant refCnt of 1 and release is a no-op), so Netty's release utilities work on it.
 * <ul>
 *   <li>Decoded commands carry a retained slice of the inbound frame; whoever handles them last releases them
 *       ({@code RemotingCommandDecoder} javadoc).</li>
 *   <li>{@link #setBody(ByteBuf)} transfers ownership of the buffer to the command.</li>
 *   <li>Writing a command to a channel transfers ownership to the pipeline: the encoder releases it. To write the
 *       same command to several channels, {@link #retain()} it once per extra write.</li>
 * </ul>
 * Not thread-safe: built by one thread, then published through the channel or an executor.
 */
public final class RemotingCommand implements ReferenceCounted {
    /** Flag bit 0: this is a response. */
    public static final int FLAG_RESPONSE = 1;
    /** Flag bit 1: this request expects no response. */
    public static final int FLAG_ONEWAY = 2;
    /** RocketMQ version ordinal of 5.3.3, which RaftMQ announces (docs/protocol.md §1.3: servers should send 479). */
    public static final int VERSION_CURRENT = 479;

    private int code;
    private LanguageCode language = LanguageCode.JAVA;
    private int version = VERSION_CURRENT;
    private int opaque;
    private int flag;
    private String remark;
    private ExtFields extFields;
    private SerializeType serializeType = SerializeType.JSON;
    private ByteBuf body;

    /** An empty command; decoders fill it in. */
    public RemotingCommand() {
    }

    /** A request with the given code, no header fields and no body (extFields null, like RocketMQ). */
    public static RemotingCommand createRequest(int code) {
        RemotingCommand c = new RemotingCommand();
        c.code = code;
        return c;
    }

    /** A request carrying a typed header. */
    public static RemotingCommand createRequest(int code, CommandHeader header) {
        RemotingCommand c = createRequest(code);
        c.writeHeader(header);
        return c;
    }

    /**
     * A response with the given code and remark and an <b>empty, non-null</b> extFields map: 5.3.3 clients
     * dereference extFields on several responses (docs/protocol.md trap 1). The opaque is set when it is sent.
     */
    public static RemotingCommand createResponse(int code, String remark) {
        RemotingCommand c = new RemotingCommand();
        c.code = code;
        c.remark = remark;
        c.flag = FLAG_RESPONSE;
        c.extFields = new ExtFields(ExtFields.CAPACITY_HEADER);
        return c;
    }

    /** A response carrying a typed header (fields flattened into extFields). */
    public static RemotingCommand createResponse(int code, String remark, CommandHeader header) {
        RemotingCommand c = createResponse(code, remark);
        header.encodeTo(c.extFields);
        return c;
    }

    /** Flattens {@code header} into extFields (creating them like RocketMQ's makeCustomHeaderToNet). */
    public RemotingCommand writeHeader(CommandHeader header) {
        if (extFields == null) {
            extFields = new ExtFields(ExtFields.CAPACITY_HEADER);
        }
        header.encodeTo(extFields);
        return this;
    }

    /** Adds one extra field (creating the map like RocketMQ's addExtField, which sizes it 256). */
    public RemotingCommand addExtField(String key, String value) {
        if (extFields == null) {
            extFields = new ExtFields(ExtFields.CAPACITY_ADD_FIELD);
        }
        extFields.put(key, value);
        return this;
    }

    /** The extFields, never null: an empty map is created if absent (reading only; decode side). */
    public ExtFields extFieldsOrEmpty() {
        if (extFields == null) {
            extFields = new ExtFields();
        }
        return extFields;
    }

    public int code() {
        return code;
    }

    public RemotingCommand code(int code) {
        this.code = code;
        return this;
    }

    /** The sender's language; null if it sent an unknown one. */
    public LanguageCode language() {
        return language;
    }

    public RemotingCommand language(LanguageCode language) {
        this.language = language;
        return this;
    }

    public int version() {
        return version;
    }

    public RemotingCommand version(int version) {
        this.version = version;
        return this;
    }

    public int opaque() {
        return opaque;
    }

    public RemotingCommand opaque(int opaque) {
        this.opaque = opaque;
        return this;
    }

    public int flag() {
        return flag;
    }

    public RemotingCommand flag(int flag) {
        this.flag = flag;
        return this;
    }

    public boolean isResponse() {
        return (flag & FLAG_RESPONSE) != 0;
    }

    public boolean isOneway() {
        return (flag & FLAG_ONEWAY) != 0;
    }

    /** Sets the oneway bit (requests only). */
    public RemotingCommand markOneway() {
        flag |= FLAG_ONEWAY;
        return this;
    }

    /** Turns this command into the response to a request with {@code requestOpaque}. */
    public RemotingCommand markResponseTo(int requestOpaque) {
        this.opaque = requestOpaque;
        this.flag |= FLAG_RESPONSE;
        return this;
    }

    public String remark() {
        return remark;
    }

    public RemotingCommand remark(String remark) {
        this.remark = remark;
        return this;
    }

    /** The extFields map, or null if the header had none. */
    public ExtFields extFields() {
        return extFields;
    }

    public RemotingCommand extFields(ExtFields extFields) {
        this.extFields = extFields;
        return this;
    }

    /** The serialization used for this command's header when encoded (JSON unless set). */
    public SerializeType serializeType() {
        return serializeType;
    }

    public RemotingCommand serializeType(SerializeType serializeType) {
        Verify.argument(serializeType != null, "serializeType must not be null");
        this.serializeType = serializeType;
        return this;
    }

    /** The body (owned by this command; do not release it separately), or null. */
    public ByteBuf body() {
        return body;
    }

    /** Body length in bytes (0 if none). */
    public int bodyLength() {
        return body == null ? 0 : body.readableBytes();
    }

    /** Sets the body, taking ownership of {@code body} (releasing any previous body). */
    public RemotingCommand setBody(ByteBuf body) {
        if (this.body != null && this.body != body) {
            this.body.release();
        }
        this.body = body;
        return this;
    }

    /** Sets the body to a wrapped (unpooled, not copied) array. */
    public RemotingCommand setBody(byte[] bytes) {
        return setBody(bytes == null ? null : Unpooled.wrappedBuffer(bytes));
    }

    /** A copy of the body's readable bytes, or null if there is no body. Does not change the body. */
    public byte[] bodyBytes() {
        if (body == null) {
            return null;
        }
        byte[] b = new byte[body.readableBytes()];
        body.getBytes(body.readerIndex(), b);
        return b;
    }

    // ----- ReferenceCounted, delegated to the body -----

    @Override
    public int refCnt() {
        return body == null ? 1 : body.refCnt();
    }

    @Override
    public RemotingCommand retain() {
        if (body != null) {
            body.retain();
        }
        return this;
    }

    @Override
    public RemotingCommand retain(int increment) {
        if (body != null) {
            body.retain(increment);
        }
        return this;
    }

    @Override
    public RemotingCommand touch() {
        if (body != null) {
            body.touch();
        }
        return this;
    }

    @Override
    public RemotingCommand touch(Object hint) {
        if (body != null) {
            body.touch(hint);
        }
        return this;
    }

    @Override
    public boolean release() {
        return body != null && body.release();
    }

    @Override
    public boolean release(int decrement) {
        return body != null && body.release(decrement);
    }

    @Override
    public String toString() {
        return "RemotingCommand{code=" + code + ", language=" + language + ", version=" + version
                + ", opaque=" + opaque + ", flag=" + flag + ", remark=" + remark + ", extFields=" + extFields
                + ", serializeType=" + serializeType + ", bodyLength=" + bodyLength() + '}';
    }
}
