package io.raftmq.broker.replication;

import io.raftmq.commitlog.error.Verify;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The data of the raft snapshot the broker's state machine hands to its raft agent: named parts (the metadata image
 * and each registered {@link io.raftmq.broker.snapshot.SnapshotPart}), each with its own length and checksum
 * (docs/snapshots.md rule 1). The snapshot file format of {@code broker.snapshot} supersedes this envelope once the
 * state machine takes its parts from the parts registry.
 *
 * <pre>
 *  0        4     5          8              12
 *  +--------+-----+----------+--------------+
 *  | magic  | ver | 0 0 0    |  partCount   |
 *  +--------+-----+----------+--------------+
 *  12 partCount times:
 *  +---------------+-------------------+----------------+---------------+-----------------+
 *  | nameLength 1  | name (US-ASCII)   | dataLength 4   | data          | crc32c(data) 4  |
 *  +---------------+-------------------+----------------+---------------+-----------------+
 * </pre>
 * Big-endian. magic = {@code 0x52465045} ("RFPE"), version 1. Names are unique, at most 64 bytes.
 */
final class PartsEnvelope {
    static final int MAGIC = 0x52465045;
    static final byte VERSION = 1;
    static final int PART_COUNT_OFFSET = 8;
    static final int HEADER_LENGTH = 12;
    static final int NAME_BYTES_MAX = 64;
    static final int PARTS_MAX = 256;

    static {
        Verify.state(PART_COUNT_OFFSET + Integer.BYTES == HEADER_LENGTH, "parts envelope layout",
            PART_COUNT_OFFSET, HEADER_LENGTH);
    }

    private PartsEnvelope() {
    }

    /** Encodes the parts in the map's order. */
    static byte[] encode(Map<String, byte[]> parts) {
        Verify.argument(parts.size() <= PARTS_MAX, "too many snapshot parts");
        long length = HEADER_LENGTH;
        for (Map.Entry<String, byte[]> p : parts.entrySet()) {
            int name = p.getKey().getBytes(StandardCharsets.US_ASCII).length;
            Verify.argument(name >= 1 && name <= NAME_BYTES_MAX, "snapshot part name must have 1..64 bytes");
            length += 1 + name + 4 + p.getValue().length + 4;
        }
        Verify.argument(length <= Integer.MAX_VALUE - 8, "snapshot parts exceed 2 GiB");
        ByteBuffer b = ByteBuffer.allocate((int) length);
        b.putInt(MAGIC).put(VERSION).put(new byte[3]).putInt(parts.size());
        for (Map.Entry<String, byte[]> p : parts.entrySet()) {
            byte[] name = p.getKey().getBytes(StandardCharsets.US_ASCII);
            b.put((byte) name.length).put(name).putInt(p.getValue().length).put(p.getValue())
                .putInt(crc(p.getValue()));
        }
        Verify.state(!b.hasRemaining(), "parts envelope length", b.remaining(), length);
        return b.array();
    }

    /**
     * Decodes {@link #encode}'s bytes into parts by name, in order.
     *
     * @throws IllegalArgumentException torn or damaged bytes, naming the part
     */
    static Map<String, byte[]> decode(byte[] bytes) {
        Verify.argument(bytes.length >= HEADER_LENGTH, "snapshot parts: shorter than the header");
        ByteBuffer b = ByteBuffer.wrap(bytes);
        Verify.argument(b.getInt() == MAGIC && b.get() == VERSION, "snapshot parts: bad magic or version");
        b.position(PART_COUNT_OFFSET);
        int count = b.getInt();
        Verify.argument(count >= 0 && count <= PARTS_MAX, "snapshot parts: bad part count");
        Map<String, byte[]> out = new LinkedHashMap<>();
        try {
            for (int i = 0; i < count; i++) {
                byte[] name = new byte[b.get() & 0xFF];
                b.get(name);
                String n = new String(name, StandardCharsets.US_ASCII);
                int length = b.getInt();
                Verify.argument(length >= 0 && length <= b.remaining() - 4, "snapshot part " + n + ": bad length");
                byte[] data = new byte[length];
                b.get(data);
                Verify.argument(b.getInt() == crc(data), "snapshot part " + n + ": crc mismatch");
                Verify.argument(out.put(n, data) == null, "snapshot part " + n + " appears twice");
            }
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("snapshot parts: torn", e);
        }
        Verify.argument(!b.hasRemaining(), "snapshot parts: bytes after the last part");
        return out;
    }

    private static int crc(byte[] data) {
        CRC32C c = new CRC32C();
        c.update(data);
        return (int) c.getValue();
    }
}
