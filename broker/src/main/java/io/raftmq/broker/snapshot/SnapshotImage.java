package io.raftmq.broker.snapshot;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The state image of a broker snapshot: the {@code data} of a raft {@code Snapshot}, i.e. what a leader sends and
 * what {@link SnapshotFile} stores after its header. It holds the commit-log position where the record after the
 * snapshot's last entry starts, and every {@link SnapshotPart}'s bytes under the part's name, each with its own
 * length and CRC32C (docs/snapshots.md rule 1).
 * <pre>
 *  0        4     5       8                16          20
 *  +--------+-----+-------+----------------+-----------+
 *  | magic  | ver | 0 0 0 |  nextPosition  | partCount |
 *  +--------+-----+-------+----------------+-----------+
 *  then partCount times, in the order the parts were saved:
 *  +---------+------------------+------------+-----------+--------------------+
 *  | nameLen | name (US-ASCII)  | length i32 | crc32c    | payload (length B) |
 *  | u8 1-64 |                  |            | of payload|                    |
 *  +---------+------------------+------------+-----------+--------------------+
 *  then
 *  +-----------------------------------------+
 *  | crc32c i32 of every preceding byte       |
 *  +-----------------------------------------+
 * </pre>
 * Big-endian. magic = {@code 0x524D5349} ("RMSI"), version 1. Part names are unique.
 *
 * @param nextPosition commit-log offset at which the record after the snapshot's last entry starts
 * @param parts        part name to payload, in save order (unmodifiable)
 */
public record SnapshotImage(long nextPosition, Map<String, byte[]> parts) {
    public static final int MAGIC = 0x524D5349;
    public static final byte VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int NEXT_POSITION_OFFSET = 8;
    public static final int PART_COUNT_OFFSET = 16;
    public static final int HEADER_LENGTH = 20;
    public static final int CRC_LENGTH = 4;
    /** Longest part name in bytes. */
    public static final int NAME_BYTES_MAX = 64;
    /** Most parts in one image. */
    public static final int PARTS_MAX = 256;

    static {
        if (PART_COUNT_OFFSET + Integer.BYTES != HEADER_LENGTH || NEXT_POSITION_OFFSET + Long.BYTES
            != PART_COUNT_OFFSET) {
            throw new IllegalStateException("snapshot image layout");
        }
    }

    public SnapshotImage {
        if (nextPosition < 0) {
            throw new IllegalArgumentException("nextPosition must be >= 0, got " + nextPosition);
        }
        if (parts.size() > PARTS_MAX) {
            throw new IllegalArgumentException("at most " + PARTS_MAX + " parts, got " + parts.size());
        }
        Map<String, byte[]> copy = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : parts.entrySet()) {
            checkName(e.getKey());
            copy.put(e.getKey(), e.getValue());
        }
        parts = Collections.unmodifiableMap(copy);
    }

    /** @throws IllegalArgumentException the name is empty, longer than 64 bytes or not printable US-ASCII */
    public static void checkName(String name) {
        if (name.isEmpty() || name.length() > NAME_BYTES_MAX) {
            throw new IllegalArgumentException("snapshot part name must be 1.." + NAME_BYTES_MAX + " bytes: '"
                + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IllegalArgumentException("snapshot part name must be printable US-ASCII: '" + name + "'");
            }
        }
    }

    /** The encoded image (layout in the class comment). */
    public byte[] encode() {
        int length = HEADER_LENGTH + CRC_LENGTH;
        for (Map.Entry<String, byte[]> e : parts.entrySet()) {
            length += 1 + e.getKey().length() + 8 + e.getValue().length;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).put(VERSION).put(new byte[3]).putLong(nextPosition).putInt(parts.size());
        CRC32C crc = new CRC32C();
        for (Map.Entry<String, byte[]> e : parts.entrySet()) {
            byte[] name = e.getKey().getBytes(StandardCharsets.US_ASCII);
            byte[] payload = e.getValue();
            crc.reset();
            crc.update(payload);
            b.put((byte) name.length).put(name).putInt(payload.length).putInt((int) crc.getValue()).put(payload);
        }
        crc.reset();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        if (b.hasRemaining()) {
            throw new IllegalStateException("snapshot image length miscounted");
        }
        return b.array();
    }

    /**
     * Decodes and verifies an image: every checksum is checked before anything is returned.
     *
     * @param what names the image's origin in error messages
     * @throws CorruptSnapshotException torn, damaged or of an unknown format
     */
    public static SnapshotImage decode(byte[] image, String what) {
        if (image.length < HEADER_LENGTH + CRC_LENGTH) {
            throw new CorruptSnapshotException(what + ": image of " + image.length + " bytes is too short");
        }
        ByteBuffer b = ByteBuffer.wrap(image);
        if (b.getInt(MAGIC_OFFSET) != MAGIC || b.get(VERSION_OFFSET) != VERSION) {
            throw new CorruptSnapshotException(what + ": bad image magic or version " + b.get(VERSION_OFFSET));
        }
        CRC32C crc = new CRC32C();
        crc.update(image, 0, image.length - CRC_LENGTH);
        if (b.getInt(image.length - CRC_LENGTH) != (int) crc.getValue()) {
            throw new CorruptSnapshotException(what + ": image CRC32C mismatch");
        }
        long next = b.getLong(NEXT_POSITION_OFFSET);
        int count = b.getInt(PART_COUNT_OFFSET);
        if (next < 0 || count < 0 || count > PARTS_MAX) {
            throw new CorruptSnapshotException(what + ": bad nextPosition " + next + " or part count " + count);
        }
        b.position(HEADER_LENGTH).limit(image.length - CRC_LENGTH);
        Map<String, byte[]> parts = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = readName(b, what);
            byte[] payload = readPayload(b, what, name);
            if (parts.put(name, payload) != null) {
                throw new CorruptSnapshotException(what + ": part '" + name + "' appears twice");
            }
        }
        if (b.hasRemaining()) {
            throw new CorruptSnapshotException(what + ": " + b.remaining() + " bytes after the last part");
        }
        try {
            return new SnapshotImage(next, parts);
        } catch (IllegalArgumentException e) {
            throw new CorruptSnapshotException(what + ": " + e.getMessage());
        }
    }

    private static String readName(ByteBuffer b, String what) {
        int n = b.hasRemaining() ? b.get() & 0xFF : 0;
        if (n < 1 || n > NAME_BYTES_MAX || b.remaining() < n) {
            throw new CorruptSnapshotException(what + ": bad part name length " + n + " at byte " + b.position());
        }
        byte[] name = new byte[n];
        b.get(name);
        return new String(name, StandardCharsets.US_ASCII);
    }

    private static byte[] readPayload(ByteBuffer b, String what, String name) {
        if (b.remaining() < 8) {
            throw new CorruptSnapshotException(what + ": part '" + name + "' is torn");
        }
        int length = b.getInt();
        int expected = b.getInt();
        if (length < 0 || length > b.remaining()) {
            throw new CorruptSnapshotException(what + ": part '" + name + "' length " + length + " exceeds the image");
        }
        byte[] payload = new byte[length];
        b.get(payload);
        CRC32C crc = new CRC32C();
        crc.update(payload);
        if ((int) crc.getValue() != expected) {
            throw new CorruptSnapshotException(what + ": part '" + name + "' CRC32C mismatch");
        }
        return payload;
    }

    /** The part names in save order. */
    public List<String> names() {
        return new ArrayList<>(parts.keySet());
    }
}
