package io.raftmq.raft.driver;

import io.raftmq.raft.Verify;
import io.raftmq.raft.core.membership.ConfigHistory;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.state.DurableFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * The small file that lets a restarting node know its membership without scanning its log: one record per CONFIG
 * entry written, per snapshot installed and per log truncation that may have removed a CONFIG entry, appended and
 * fsynced <em>before</em> the log write it describes. At start {@link #recover} reconciles it with the log: a
 * CONFIG or snapshot record whose index is in the log counts only if the log holds that (index, term); one below
 * the log's first index counts unless a later truncation record voids it. The result (the base at or below the
 * applied index, then every CONFIG entry after it) is rewritten as a fresh file (temp file, fsync, rename, fsync
 * the directory) and handed to the core.
 *
 * <p>Record layout (big-endian), appended back to back:
 * <pre>
 *  offset size field
 *   0      4   magic 0x524D4346 ("RMCF")
 *   4      1   version (1)
 *   5      1   kind: 1 CONFIG entry, 2 snapshot installed, 3 truncation (from index; no term, no membership)
 *   6      2   reserved (0)
 *   8      8   index
 *  16      8   term
 *  24      4   membership length M (0..MEMBERSHIP_BYTES_MAX)
 *  28      4   prevCrc: the crc field of the previous record (0 for the first)
 *  32      M   membership (encoding of {@link Membership})
 *  32+M    4   crc: CRC32C of bytes [0, 32 + M)
 * </pre>
 * A record cut short by the end of the file, or whose checksum fails when it is the file's last, is a torn write
 * of the last batch (its log write never happened) and is dropped; any other damage is a
 * {@link MembershipFileException} naming the file: a forgotten configuration could let two majorities form.
 *
 * <p>Threading: the raft agent thread only.
 */
public final class MembershipFile {
    private static final Logger LOG = LoggerFactory.getLogger(MembershipFile.class);
    public static final String FILE_NAME = "raft-membership";
    public static final int MAGIC = 0x524D4346;
    public static final byte VERSION = 1;
    public static final byte KIND_CONFIG = 1;
    public static final byte KIND_SNAPSHOT = 2;
    public static final byte KIND_TRUNCATE = 3;
    public static final int HEADER_LENGTH = 32;
    public static final int CRC_LENGTH = 4;
    /** Longest membership a record holds (64 members with 255-byte addresses fit). */
    public static final int MEMBERSHIP_BYTES_MAX = 1 << 16;
    private static final int OFF_VERSION = 4;
    private static final int OFF_KIND = 5;
    private static final int OFF_INDEX = 8;
    private static final int OFF_TERM = 16;
    private static final int OFF_LENGTH = 24;
    private static final int OFF_PREV_CRC = 28;

    static {
        Verify.state(OFF_PREV_CRC + 4 == HEADER_LENGTH, "membership file header layout", OFF_PREV_CRC, HEADER_LENGTH);
    }

    /** One decoded record. */
    record Rec(byte kind, long index, long term, byte[] membership) {
    }

    private final Path dir;
    private final Path file;
    private final List<ByteBuffer> unsynced = new ArrayList<>();
    private FileChannel channel;
    private int lastCrc;
    private long highestIndex;

    /** A file in {@code dir} (created if missing); call {@link #recover} before anything else. */
    public MembershipFile(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new MembershipFileException("cannot create directory " + dir, e);
        }
    }

    public Path file() {
        return file;
    }

    /**
     * Reconciles the file with {@code log} and returns the memberships the core starts from: the newest valid
     * record at or below {@code appliedIndex} (or {@code initial} at 0) and every CONFIG entry after it.
     */
    public ConfigHistory recover(RaftLog log, long appliedIndex, Membership initial) {
        List<Rec> recs = read();
        TreeMap<Long, Rec> valid = new TreeMap<>();
        long first = log.firstIndex();
        for (Rec r : recs) {
            if (r.kind() == KIND_TRUNCATE) {
                if (r.index() < first) { // voided; for records in the log, the log decides
                    valid.subMap(r.index(), true, first, false).clear();
                }
            } else if (r.index() < first || inLog(log, r.index(), r.term())) {
                valid.put(r.index(), r);
            }
        }
        Map.Entry<Long, Rec> baseEntry = valid.floorEntry(appliedIndex);
        ConfigHistory.Record base = baseEntry == null ? new ConfigHistory.Record(0, initial)
            : new ConfigHistory.Record(baseEntry.getKey(), Membership.decode(baseEntry.getValue().membership(),
                initial));
        List<ConfigHistory.Record> after = new ArrayList<>();
        List<Rec> keep = new ArrayList<>();
        if (baseEntry != null) {
            keep.add(baseEntry.getValue());
        }
        for (Rec r : valid.tailMap(appliedIndex, false).values()) {
            Verify.state(r.kind() == KIND_CONFIG && r.index() >= first, "membership record past the applied index"
                + " must be a CONFIG entry in the log", r.index(), first);
            after.add(new ConfigHistory.Record(r.index(), Membership.decode(r.membership())));
            keep.add(r);
        }
        rewrite(keep);
        ConfigHistory h = ConfigHistory.recovered(initial, base, after);
        LOG.info("membership recovered from {}: {} (records kept {}, read {})", file, h.current(), keep.size(),
            recs.size());
        return h;
    }

    private static boolean inLog(RaftLog log, long index, long term) {
        return index <= log.lastIndex() && log.term(index) == term;
    }

    /** Queues records for the CONFIG entries among {@code entries} (and a truncation when they replace a suffix). */
    public void beforeWrite(List<Entry> entries, long logLastIndex) {
        if (entries.isEmpty()) {
            return;
        }
        long first = entries.get(0).index();
        if (first <= logLastIndex && first <= highestIndex) {
            queue(KIND_TRUNCATE, first, 0, new byte[0]);
        }
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            if (e.type() == Entry.TYPE_CONFIG) {
                queue(KIND_CONFIG, e.index(), e.term(), e.payload());
            }
        }
    }

    /** Queues the record of a snapshot about to be installed ({@code membership} encoded, never empty). */
    public void beforeSnapshot(long index, long term, byte[] membership) {
        Verify.argument(membership.length > 0, "snapshot record needs an encoded membership");
        queue(KIND_SNAPSHOT, index, term, membership);
    }

    /** Whether records wait for {@link #sync()}. */
    public boolean hasUnsynced() {
        return !unsynced.isEmpty();
    }

    /** Appends the queued records and fsyncs the file. */
    public void sync() {
        if (unsynced.isEmpty()) {
            return;
        }
        try {
            for (ByteBuffer b : unsynced) {
                while (b.hasRemaining()) {
                    channel.write(b);
                }
            }
            channel.force(true);
        } catch (IOException e) {
            throw new MembershipFileException("cannot append to " + file, e);
        }
        unsynced.clear();
    }

    /** Closes the file (records not synced are dropped). */
    public void close() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            throw new MembershipFileException("cannot close " + file, e);
        }
    }

    private void queue(byte kind, long index, long term, byte[] membership) {
        Verify.state(channel != null, "membership file used before recover");
        ByteBuffer b = encode(kind, index, term, membership, lastCrc);
        lastCrc = b.getInt(b.limit() - CRC_LENGTH);
        highestIndex = kind == KIND_TRUNCATE ? Math.min(highestIndex, index - 1) : Math.max(highestIndex, index);
        unsynced.add(b);
    }

    /** One record as drawn in the class comment. */
    static ByteBuffer encode(byte kind, long index, long term, byte[] membership, int prevCrc) {
        Verify.argument(membership.length <= MEMBERSHIP_BYTES_MAX, "membership too long for a record");
        Verify.argument(index >= 0 && term >= 0, "record index and term must be >= 0");
        ByteBuffer b = ByteBuffer.allocate(HEADER_LENGTH + membership.length + CRC_LENGTH);
        b.putInt(MAGIC).put(VERSION).put(kind).putShort((short) 0).putLong(index).putLong(term)
            .putInt(membership.length).putInt(prevCrc).put(membership);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        b.flip();
        return b;
    }

    private List<Rec> read() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new MembershipFileException("cannot read " + file, e);
        }
        return decodeAll(ByteBuffer.wrap(bytes), file);
    }

    /** Decodes back-to-back records, dropping a torn last one (see the class comment). */
    static List<Rec> decodeAll(ByteBuffer b, Path source) {
        List<Rec> out = new ArrayList<>();
        int prevCrc = 0;
        int pos = 0;
        int size = b.limit();
        while (pos < size) {
            if (size - pos < HEADER_LENGTH + CRC_LENGTH || size - pos < recordLength(b, pos)) {
                LOG.warn("{}: dropping a torn last record at offset {} ({} bytes)", source, pos, size - pos);
                break;
            }
            int len = recordLength(b, pos);
            CRC32C crc = new CRC32C();
            crc.update(b.duplicate().position(pos).limit(pos + len - CRC_LENGTH));
            int stored = b.getInt(pos + len - CRC_LENGTH);
            if ((int) crc.getValue() != stored && pos + len == size) {
                LOG.warn("{}: dropping a torn last record at offset {} (checksum)", source, pos);
                break;
            }
            check((int) crc.getValue() == stored, source, pos, "checksum mismatch");
            check(b.getInt(pos) == MAGIC, source, pos, "bad magic");
            check(b.get(pos + OFF_VERSION) == VERSION, source, pos, "unknown version");
            check(b.getInt(pos + OFF_PREV_CRC) == prevCrc, source, pos, "broken chain (prevCrc)");
            byte kind = b.get(pos + OFF_KIND);
            check(kind >= KIND_CONFIG && kind <= KIND_TRUNCATE, source, pos, "unknown kind");
            byte[] m = new byte[len - HEADER_LENGTH - CRC_LENGTH];
            b.get(pos + HEADER_LENGTH, m);
            out.add(new Rec(kind, b.getLong(pos + OFF_INDEX), b.getLong(pos + OFF_TERM), m));
            prevCrc = stored;
            pos += len;
        }
        return out;
    }

    private static int recordLength(ByteBuffer b, int pos) {
        int m = b.getInt(pos + OFF_LENGTH);
        return m < 0 || m > MEMBERSHIP_BYTES_MAX ? Integer.MAX_VALUE : HEADER_LENGTH + m + CRC_LENGTH;
    }

    private static void check(boolean ok, Path source, int pos, String why) {
        if (!ok) {
            throw new MembershipFileException("corrupt membership file " + source + " at offset " + pos + ": " + why
                + "; refusing to start with a forgotten configuration (restore the file or wipe the whole node)",
                null);
        }
    }

    /** Replaces the file by {@code keep} (temp file, fsync, rename, fsync the directory) and opens it to append. */
    private void rewrite(List<Rec> keep) {
        Path temp = dir.resolve(FILE_NAME + ".tmp");
        int prev = 0;
        long highest = 0;
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Rec r : keep) {
                ByteBuffer b = encode(r.kind(), r.index(), r.term(), r.membership(), prev);
                prev = b.getInt(b.limit() - CRC_LENGTH);
                highest = Math.max(highest, r.index());
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
            ch.force(true);
        } catch (IOException e) {
            throw new MembershipFileException("cannot write " + temp, e);
        }
        try {
            DurableFiles.install(temp, file);
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new MembershipFileException("cannot install " + file, e);
        }
        lastCrc = prev;
        highestIndex = highest;
    }
}
