package io.raftmq.raft.state;

import io.raftmq.raft.Verify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * File-backed {@link RepairStateStore}: the file {@code repair} next to the hard state exists exactly while the
 * member is repairing. Saved like the hard state (temp file, fsync, rename, fsync the directory), cleared by deleting
 * it and fsyncing the directory, so a crash leaves the old or the new state.
 *
 * <pre>
 *  0        4     5        6       8                 16                24       28
 *  +--------+-----+--------+-------+-----------------+-----------------+--------+
 *  | magic  | ver | reason | 0 0   |  ackedIndexMin  | firstLostIndex  | crc32c |
 *  +--------+-----+--------+-------+-----------------+-----------------+--------+
 * </pre>
 * Big-endian. magic = {@code 0x52465250} ("RFRP"), version = 1, reason = {@link RepairState.Reason#code()}, bytes
 * 6..7 zero, firstLostIndex signed (-1 = unknown), crc32c over [0, 24).
 *
 * <p>A file that exists but cannot be decoded (torn, bad magic, version or crc) still means "repairing": it is
 * loaded as {@link RepairState.Reason#UNREADABLE} with nothing else known and logged at ERROR, which errs on the
 * safe side (the member does not vote until it caught up). I/O failures are {@link HardStateStoreException}s
 * naming the file.
 */
public final class FileRepairStateStore implements RepairStateStore {
    private static final Logger LOG = LoggerFactory.getLogger(FileRepairStateStore.class);
    public static final int MAGIC = 0x52465250;
    public static final byte VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int REASON_OFFSET = 5;
    public static final int ACKED_INDEX_OFFSET = 8;
    public static final int FIRST_LOST_OFFSET = 16;
    public static final int CRC_OFFSET = 24;
    public static final int LENGTH = 28;
    /** Name of the file inside the raft state directory. */
    public static final String FILE_NAME = "repair";

    static {
        Verify.state(CRC_OFFSET + Integer.BYTES == LENGTH, "repair state layout", CRC_OFFSET, LENGTH);
        Verify.state(FIRST_LOST_OFFSET + Long.BYTES == CRC_OFFSET, "repair state layout", FIRST_LOST_OFFSET,
            CRC_OFFSET);
    }

    private final Path dir;
    private final Path file;
    private final Path temp;

    /** A store keeping its file in {@code dir} (created if missing). */
    public FileRepairStateStore(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        this.temp = dir.resolve(FILE_NAME + ".tmp");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new HardStateStoreException("cannot create repair state directory " + dir, e);
        }
    }

    /** The file this store reads, replaces and deletes. */
    public Path file() {
        return file;
    }

    @Override
    public RepairState load() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new HardStateStoreException("cannot read repair state file " + file, e);
        }
        RepairState s = decode(ByteBuffer.wrap(bytes));
        if (s == null) {
            LOG.error("repair state file {} is unreadable ({} bytes); the member stays repairing", file,
                bytes.length);
            return new RepairState(RepairState.Reason.UNREADABLE, 0, -1);
        }
        return s;
    }

    @Override
    public void save(RepairState state) {
        ByteBuffer b = encode(state);
        Verify.state(state.equals(decode(b.duplicate())), "repair state does not round-trip", state.ackedIndexMin());
        try {
            DurableFiles.writeTemp(temp, b);
        } catch (IOException e) {
            throw new HardStateStoreException("cannot write repair state temp file " + temp, e);
        }
        try {
            DurableFiles.install(temp, file);
        } catch (IOException e) {
            throw new HardStateStoreException("cannot install repair state file " + file, e);
        }
    }

    @Override
    public void clear() {
        try {
            if (Files.deleteIfExists(file)) {
                forceDir();
            }
        } catch (IOException e) {
            throw new HardStateStoreException("cannot remove repair state file " + file, e);
        }
    }

    private void forceDir() throws IOException {
        DurableFiles.forceDirectory(dir);
    }

    /** The file's bytes for {@code state}: a buffer of {@link #LENGTH} bytes, position 0. */
    static ByteBuffer encode(RepairState state) {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.BIG_ENDIAN);
        b.putInt(MAGIC_OFFSET, MAGIC);
        b.put(VERSION_OFFSET, VERSION);
        b.put(REASON_OFFSET, (byte) state.reason().code());
        b.putLong(ACKED_INDEX_OFFSET, state.ackedIndexMin());
        b.putLong(FIRST_LOST_OFFSET, state.firstLostIndex());
        b.putInt(CRC_OFFSET, crcOf(b));
        return b;
    }

    /** Decodes a whole file's content; null when it is not a valid repair state file. */
    static RepairState decode(ByteBuffer src) {
        if (src.remaining() != LENGTH) {
            return null;
        }
        ByteBuffer b = src.slice().order(ByteOrder.BIG_ENDIAN);
        if (b.getInt(MAGIC_OFFSET) != MAGIC || b.get(VERSION_OFFSET) != VERSION || b.getShort(6) != 0) {
            return null;
        }
        if (b.getInt(CRC_OFFSET) != crcOf(b)) {
            return null;
        }
        long acked = b.getLong(ACKED_INDEX_OFFSET);
        long lost = b.getLong(FIRST_LOST_OFFSET);
        if (acked < 0 || lost < -1) {
            return null;
        }
        return new RepairState(RepairState.Reason.of(b.get(REASON_OFFSET)), acked, lost);
    }

    private static int crcOf(ByteBuffer b) {
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(CRC_OFFSET));
        return (int) crc.getValue();
    }
}
