package io.raftmq.chaos.check;

import io.raftmq.commitlog.dispatch.DispatchCheckpoint;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.record.RecordHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Read-only view of one stopped member's files, for {@link DivergenceChecker}: the commitlog segments, the
 * dispatcher's checkpoint, the ConsumeQueue files and the saved commit index. Files are opened for reading only and
 * nothing is repaired, truncated or rewritten (a {@code CommitLog} open would run recovery, which may zero a torn
 * tail); damage is reported as found.
 *
 * <p>Layout read (the broker's {@code RaftGroupNode}): {@code store/commitlog/log/<20-digit base position>} log
 * segments of equal size (record format: {@link RecordHeader}); {@code store/derived/dispatch.checkpoint}
 * ({@link DispatchCheckpoint}); {@code store/derived/consumequeue/<topic>/<queueId>/<20-digit first byte>} units of
 * {@link ConsumeQueue#UNIT_SIZE} bytes; {@code raft/hardstate}, the raft module's {@code FileHardStateStore} file:
 * 36 bytes, big-endian, magic "RFHS" at 0, version 1 at 4, commit index at 24, CRC32C of [0, 32) at 32.
 *
 * <p>Not thread-safe; close it to close the segment files.
 */
final class ReplicaFiles implements AutoCloseable {
    static final int HARD_STATE_MAGIC = 0x52464853;
    static final int HARD_STATE_LENGTH = 36;
    static final int HARD_STATE_COMMIT_OFFSET = 24;
    static final int HARD_STATE_CRC_OFFSET = 32;
    private static final int ZERO_CHUNK = 64 * 1024;
    /** Larger than any record the broker writes; a longer length field is damage, not a reason to allocate it. */
    private static final int RECORD_BYTES_MAX = 64 << 20;

    final String member;
    final Path dataDir;
    private final TreeMap<Long, FileChannel> segments = new TreeMap<>();
    private long segmentSize;
    /** Per record in index order: position and length. Invariant: indices contiguous from firstIndex. */
    private final List<long[]> records = new ArrayList<>();
    private long firstIndex = -1;
    /** Why the scan of the log stopped before its end, or null for a clean end (zeros or no more segments). */
    private String damage;

    private ReplicaFiles(String member, Path dataDir) {
        this.member = member;
        this.dataDir = dataDir;
    }

    /** Opens the member's log segments read-only and walks its records up to the first invalid one. */
    static ReplicaFiles open(String member, Path dataDir) throws IOException {
        ReplicaFiles r = new ReplicaFiles(member, dataDir);
        try {
            r.openSegments(dataDir.resolve("store/commitlog/log"));
            r.scan();
            return r;
        } catch (IOException | RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private void openSegments(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "no commitlog directory");
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.length() == 20 && name.chars().allMatch(Character::isDigit)) {
                    FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
                    segments.put(Long.parseLong(name), ch);
                    segmentSize = Math.max(segmentSize, ch.size());
                }
            }
        }
    }

    private void scan() throws IOException {
        if (segments.isEmpty()) {
            return;
        }
        CRC32C crc = new CRC32C();
        long pos = -1;
        for (long base : segments.keySet()) {
            pos = firstNonZero(base);
            if (pos >= 0) {
                break;
            }
        }
        int prevCrc = 0;
        ByteBuffer buf = ByteBuffer.allocate(RecordHeader.HEADER_LENGTH);
        while (pos >= 0) {
            long base = pos - pos % segmentSize;
            FileChannel ch = segments.get(base);
            long left = base + segmentSize - pos;
            if (ch == null) {
                return;
            }
            if (left < RecordHeader.HEADER_LENGTH) {
                pos = base + segmentSize;
                continue;
            }
            ByteBuffer header = read(ch, pos - base, RecordHeader.HEADER_LENGTH, buf);
            if (header.getLong(0) == 0 && header.getLong(8) == 0) {
                return;
            }
            int length = header.getInt(RecordHeader.RECORD_LENGTH_OFFSET);
            if (header.getInt(RecordHeader.MAGIC_OFFSET) != RecordHeader.MAGIC || length < RecordHeader.HEADER_LENGTH
                || length > left || length > RECORD_BYTES_MAX) {
                damage = "no record header at position " + pos;
                return;
            }
            buf = length > buf.capacity() ? ByteBuffer.allocate(length) : buf;
            ByteBuffer rec = read(ch, pos - base, length, buf);
            int kind = RecordHeader.check(rec, 0, length, (int) Math.min(left, Integer.MAX_VALUE),
                (int) Math.min(left, Integer.MAX_VALUE), crc);
            if (kind == RecordHeader.VALID_FILLER) {
                pos = base + segmentSize;
                continue;
            }
            if (kind != RecordHeader.VALID_DATA) {
                damage = "record at position " + pos + " fails its check (crc or lengths)";
                return;
            }
            long index = rec.getLong(RecordHeader.INDEX_OFFSET);
            if (!records.isEmpty() && (index != firstIndex + records.size()
                || rec.getInt(RecordHeader.PREV_CRC_OFFSET) != prevCrc)) {
                damage = "record at position " + pos + " (index " + index + ") breaks the index or crc chain";
                return;
            }
            firstIndex = records.isEmpty() ? index : firstIndex;
            prevCrc = rec.getInt(RecordHeader.CRC_OFFSET);
            records.add(new long[] {pos, length});
            pos += length;
        }
    }

    /** Position of the first non-zero byte of the segment at {@code base} (the log start), or -1 if all zero. */
    private long firstNonZero(long base) throws IOException {
        FileChannel ch = segments.get(base);
        ByteBuffer b = ByteBuffer.allocate(ZERO_CHUNK);
        for (long at = 0; at < ch.size(); at += ZERO_CHUNK) {
            read(ch, at, (int) Math.min(ZERO_CHUNK, ch.size() - at), b);
            for (int i = 0; i < b.limit(); i++) {
                if (b.get(i) != 0) {
                    return base + at + i;
                }
            }
        }
        return -1;
    }

    /** Reads {@code length} bytes at {@code at} of {@code ch} into {@code buf} [0, length); short files: zeros. */
    private static ByteBuffer read(FileChannel ch, long at, int length, ByteBuffer buf) throws IOException {
        buf.clear().limit(length);
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at + buf.position());
            if (n < 0) {
                while (buf.hasRemaining()) {
                    buf.put((byte) 0);
                }
            }
        }
        return buf.flip();
    }

    /** Index of the first valid record, or -1 if the log holds none. */
    long firstIndex() {
        return firstIndex;
    }

    /** Index of the last record of the valid prefix, or -1 if none. */
    long lastIndex() {
        return records.isEmpty() ? -1 : firstIndex + records.size() - 1;
    }

    /** Why the scan stopped early, or null. */
    String damage() {
        return damage;
    }

    /** Position of record {@code index} (within [firstIndex, lastIndex]). */
    long position(long index) {
        return records.get(Math.toIntExact(index - firstIndex))[0];
    }

    /** End position (exclusive) of record {@code index}. */
    long end(long index) {
        long[] r = records.get(Math.toIntExact(index - firstIndex));
        return r[0] + r[1];
    }

    /** The bytes of record {@code index} (a new array). */
    byte[] record(long index) throws IOException {
        long[] r = records.get(Math.toIntExact(index - firstIndex));
        long base = r[0] - r[0] % segmentSize;
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(r[1]));
        read(segments.get(base), r[0] - base, b.capacity(), b);
        return b.array();
    }

    /**
     * The commit index saved in {@code raft/hardstate}, or -1 when the file is missing or not a valid hard state
     * (wrong length, magic, version or crc).
     */
    long savedCommitIndex() throws IOException {
        Path f = dataDir.resolve("raft/hardstate");
        if (!Files.isRegularFile(f)) {
            return -1;
        }
        byte[] bytes = Files.readAllBytes(f);
        if (bytes.length != HARD_STATE_LENGTH) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, HARD_STATE_CRC_OFFSET);
        boolean ok = b.getInt(0) == HARD_STATE_MAGIC && b.get(4) == 1
            && (int) crc.getValue() == b.getInt(HARD_STATE_CRC_OFFSET);
        return ok ? b.getLong(HARD_STATE_COMMIT_OFFSET) : -1;
    }

    /** The dispatcher's checkpoint, or null when missing or invalid. */
    DispatchCheckpoint dispatchCheckpoint() throws IOException {
        Path f = dataDir.resolve("store/derived/dispatch.checkpoint");
        return Files.isRegularFile(f) ? DispatchCheckpoint.decode(Files.readAllBytes(f)) : null;
    }

    /** The ConsumeQueues present, as {@code topic/queueId}, sorted. */
    List<String> queueNames() throws IOException {
        Path root = dataDir.resolve("store/derived/consumequeue");
        List<String> out = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> walk = Files.walk(root, 2)) {
                walk.filter(p -> root.relativize(p).getNameCount() == 2 && Files.isDirectory(p))
                    .forEach(p -> out.add(root.relativize(p).getName(0) + "/" + root.relativize(p).getName(1)));
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * A cursor over the non-zero units of ConsumeQueue {@code queue} ({@code topic/queueId}) whose physical offset
     * lies in [fromPosition, toPosition), in queue-offset order; reads its files in chunks (a queue file of the
     * broker is 6 MB, mostly zeros), so memory stays bounded whatever the queues hold.
     */
    UnitCursor units(String queue, long fromPosition, long toPosition) throws IOException {
        Path qdir = dataDir.resolve("store/derived/consumequeue").resolve(queue);
        List<Path> files = List.of();
        if (Files.isDirectory(qdir)) {
            try (Stream<Path> list = Files.list(qdir)) {
                files = list.filter(p -> p.getFileName().toString().length() == 20).sorted().toList();
            }
        }
        return new UnitCursor(files, fromPosition, toPosition);
    }

    /** See {@link #units}. Not thread-safe; close it to close the file it is reading. */
    static final class UnitCursor implements AutoCloseable {
        private static final int CHUNK_UNITS = 4096;
        private final List<Path> files;
        private final long from;
        private final long to;
        private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_UNITS * ConsumeQueue.UNIT_SIZE);
        private int file = -1;
        private FileChannel ch;
        private long fileFirstOffset;
        private long chunkAt;
        private int at;
        private long offset;
        private ByteBuffer unit;

        private UnitCursor(List<Path> files, long from, long to) {
            this.files = files;
            this.from = from;
            this.to = to;
            chunk.limit(0);
        }

        /** Moves to the next unit in range; false at the end. */
        boolean next() throws IOException {
            while (true) {
                while (at + ConsumeQueue.UNIT_SIZE <= chunk.limit()) {
                    int u = at;
                    at += ConsumeQueue.UNIT_SIZE;
                    long phys = chunk.getLong(u + ConsumeQueue.PHYSICAL_OFFSET_OFFSET);
                    boolean zero = phys == 0 && chunk.getInt(u + ConsumeQueue.SIZE_OFFSET) == 0;
                    if (!zero && phys >= from && phys < to) {
                        offset = fileFirstOffset + (chunkAt + u) / ConsumeQueue.UNIT_SIZE;
                        unit = chunk.slice(u, ConsumeQueue.UNIT_SIZE);
                        return true;
                    }
                }
                if (!fill()) {
                    return false;
                }
            }
        }

        private boolean fill() throws IOException {
            if (ch != null && chunkAt + chunk.limit() + ConsumeQueue.UNIT_SIZE <= ch.size()) {
                chunkAt += chunk.limit();
            } else {
                close();
                if (++file >= files.size()) {
                    return false;
                }
                ch = FileChannel.open(files.get(file), StandardOpenOption.READ);
                fileFirstOffset = Long.parseLong(files.get(file).getFileName().toString()) / ConsumeQueue.UNIT_SIZE;
                chunkAt = 0;
            }
            int length = (int) Math.min(chunk.capacity(), ch.size() - chunkAt);
            read(ch, chunkAt, length - length % ConsumeQueue.UNIT_SIZE, chunk);
            at = 0;
            return true;
        }

        /** Queue offset of the current unit. */
        long offset() {
            return offset;
        }

        /** The current unit's 20 bytes (valid until the next call of {@link #next}). */
        ByteBuffer unit() {
            return unit;
        }

        /** The current file, for messages. */
        Path file() {
            return files.get(file);
        }

        @Override
        public void close() throws IOException {
            if (ch != null) {
                ch.close();
                ch = null;
            }
        }
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileChannel ch : segments.values()) {
            try {
                ch.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        segments.clear();
        if (first != null) {
            throw first;
        }
    }
}
