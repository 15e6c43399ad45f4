package io.raftmq.commitlog.dispatch;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The dispatcher's checkpoint: how far the derived data is built and, per queue, the ConsumeQueue max offset
 * at that point (so a queue that lost units is detected, not silently renumbered). Written atomically through the
 * storage port ({@link StorageProvider#writeAtomically}: temp file, fsync, rename, fsync of the directory) after the
 * derived files were forced.
 *
 * <pre>
 * +---------------------------------------------+
 * |  0 magic 0x524D5144 "RMQD" (4)              |
 * |  4 version 1 (4)                            |
 * |  8 dispatchedPosition (8)                   |
 * | 16 dispatchedIndex (8) last record index    |
 * | 24 queueCount (4)                           |
 * | 28 queues: topicLength (2) topic (UTF-8)    |
 * |            queueId (4) maxOffset (8)  ...   |
 * |  . crc32c (4) of every byte before it       |
 * +---------------------------------------------+
 * </pre>
 * A single file, so there is no chain link to a previous checkpoint: the CRC covers it whole.
 *
 * @param dispatchedPosition every record before this position is in the derived data
 * @param dispatchedIndex    index of the last record before dispatchedPosition (start index - 1 if none)
 * @param queues             ConsumeQueue max offsets at dispatchedPosition, one per queue
 */
public record DispatchCheckpoint(long dispatchedPosition, long dispatchedIndex, List<QueueMax> queues) {
    public static final int MAGIC = 0x524D5144;
    public static final int VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int POSITION_OFFSET = 8;
    public static final int INDEX_OFFSET = 16;
    public static final int QUEUE_COUNT_OFFSET = 24;
    public static final int HEADER_LENGTH = 28;

    static {
        Verify.state(QUEUE_COUNT_OFFSET + 4 == HEADER_LENGTH, "checkpoint header", QUEUE_COUNT_OFFSET + 4,
                HEADER_LENGTH);
    }

    /** One queue's max offset. */
    public record QueueMax(String topic, int queueId, long maxOffset) {
    }

    /** Encodes the checkpoint bytes. */
    public byte[] encode() {
        int length = HEADER_LENGTH + 4;
        for (QueueMax q : queues) {
            length += 2 + q.topic.getBytes(StandardCharsets.UTF_8).length + 12;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).putInt(VERSION).putLong(dispatchedPosition).putLong(dispatchedIndex).putInt(queues.size());
        for (QueueMax q : queues) {
            byte[] topic = q.topic.getBytes(StandardCharsets.UTF_8);
            b.putShort((short) topic.length).put(topic).putInt(q.queueId).putLong(q.maxOffset);
        }
        b.putInt(crc(b.array(), b.position()));
        Verify.state(b.position() == length, "checkpoint length", b.position(), length);
        return b.array();
    }

    /**
     * Decodes checkpoint bytes.
     *
     * @return null if the bytes are not a valid checkpoint (bad magic, version, length or CRC)
     */
    public static DispatchCheckpoint decode(byte[] bytes) {
        if (bytes.length < HEADER_LENGTH + 4) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int crcAt = bytes.length - 4;
        if (b.getInt(MAGIC_OFFSET) != MAGIC || b.getInt(VERSION_OFFSET) != VERSION
                || b.getInt(crcAt) != crc(bytes, crcAt)) {
            return null;
        }
        int count = b.getInt(QUEUE_COUNT_OFFSET);
        b.position(HEADER_LENGTH);
        List<QueueMax> queues = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (crcAt - b.position() < 14) {
                return null;
            }
            byte[] topic = new byte[b.getShort()];
            if (topic.length > crcAt - b.position() - 12) {
                return null;
            }
            b.get(topic);
            queues.add(new QueueMax(new String(topic, StandardCharsets.UTF_8), b.getInt(), b.getLong()));
        }
        if (b.position() != crcAt) {
            return null;
        }
        return new DispatchCheckpoint(b.getLong(POSITION_OFFSET), b.getLong(INDEX_OFFSET), List.copyOf(queues));
    }

    /**
     * Reads the checkpoint at {@code path}.
     *
     * @return null if the file is missing or invalid
     */
    public static DispatchCheckpoint read(StorageProvider storage, Path path) throws IOException {
        byte[] bytes = storage.readAll(path);
        return bytes == null ? null : decode(bytes);
    }

    /**
     * Replaces the checkpoint at {@code path} atomically and durably; on failure the previous checkpoint, if
     * any, is still the one read back.
     */
    public void write(StorageProvider storage, Path path) throws IOException {
        storage.writeAtomically(path, encode());
    }

    private static int crc(byte[] bytes, int length) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, length);
        return (int) c.getValue();
    }
}
