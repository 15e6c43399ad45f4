package io.raftmq.commitlog.message;

import io.raftmq.commitlog.error.Verify;

import java.nio.ByteBuffer;

/**
 * Builds stored-message bytes (layout in {@link StoredMessage}) from a {@link MessageDraft}, computing BODYCRC.
 * QUEUEOFFSET and PHYSICALOFFSET are written as 0; the store's append hook stamps them. V2 magic is used only
 * when the topic is longer than 127 bytes, as the RocketMQ broker does. Reusable, one instance per thread.
 */
public final class StoredMessageEncoder {
    private final RocketCrc32 crc = new RocketCrc32();

    /** Exact encoded size of {@code draft}. */
    public static int encodedLength(MessageDraft draft) {
        return StoredMessage.fixedLength(draft.needsV2Magic(), draft.effectiveSysFlag())
                + draft.bodyBuffer().remaining() + draft.topicBytes().length + draft.propertiesBytes().length;
    }

    /**
     * Writes the stored message at {@code dst.position()} and advances the position past it.
     *
     * @return the number of bytes written ({@link #encodedLength})
     * @throws MessageFormatException if the draft is invalid ({@link MessageDraft#validate()})
     * @throws java.nio.BufferOverflowException if {@code dst} has less room than {@link #encodedLength}
     */
    public int encode(MessageDraft draft, ByteBuffer dst) {
        draft.validate();
        int length = encodedLength(draft);
        if (dst.remaining() < length) {
            throw new java.nio.BufferOverflowException();
        }
        int start = dst.position();
        boolean v2 = draft.needsV2Magic();
        ByteBuffer body = draft.bodyBuffer();
        int bodyLength = body.remaining();
        dst.putInt(length)
                .putInt(v2 ? StoredMessage.MAGIC_V2 : StoredMessage.MAGIC_V1)
                .putInt(crc.compute(body, body.position(), bodyLength))
                .putInt(draft.queueIdValue())
                .putInt(draft.flagValue())
                .putLong(0L)
                .putLong(0L)
                .putInt(draft.effectiveSysFlag())
                .putLong(draft.bornTimestampValue());
        dst.position(dst.position() + draft.bornHostValue().writeTo(dst, dst.position()));
        dst.putLong(draft.storeTimestampValue());
        dst.position(dst.position() + draft.storeHostValue().writeTo(dst, dst.position()));
        dst.putInt(draft.reconsumeTimesValue())
                .putLong(draft.preparedTransactionOffsetValue())
                .putInt(bodyLength)
                .put(dst.position(), body, body.position(), bodyLength);
        dst.position(dst.position() + bodyLength);
        byte[] topic = draft.topicBytes();
        if (v2) {
            dst.putShort((short) topic.length);
        } else {
            dst.put((byte) topic.length);
        }
        byte[] properties = draft.propertiesBytes();
        dst.put(topic).putShort((short) properties.length).put(properties);
        Verify.state(dst.position() - start == length, "encoded length", dst.position() - start, length);
        return length;
    }

    /** Encodes into a new array (control plane and tests). */
    public byte[] encode(MessageDraft draft) {
        ByteBuffer out = ByteBuffer.allocate(encodedLength(draft));
        encode(draft, out);
        return out.array();
    }
}
