package io.raftmq.raft.state;

import io.raftmq.raft.Verify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * File-backed {@link HardStateStore}: one small file holding (term, votedFor, commitIndex), replaced atomically
 * on every save (write a temp file, fsync it, rename it over the old one, fsync the directory), so a crash leaves
 * either the old or the new state, never a mix. A file that is torn or corrupt anyway (bad length, magic,
 * version or CRC) is an operating error naming the file: the vote is never silently reset, since forgetting a
 * vote lets a node vote twice in one term.
 *
 * <pre>
 *  0        4     5           8                16               24               32       36
 *  +--------+-----+-----------+----------------+----------------+----------------+--------+
 *  | magic  | ver | 0 0 0     |     term       |   votedFor     |  commitIndex   | crc32c |
 *  +--------+-----+-----------+----------------+----------------+----------------+--------+
 * </pre>
 * Big-endian. magic = {@code 0x52464853} ("RFHS"), version = 1, bytes 5..7 zero, crc32c over [0, 32).
 *
 * <p>Threading: one thread (the raft agent). Errors: {@link HardStateStoreException} for I/O failures and for a
 * corrupt file; the message names the file.
 */
public final class FileHardStateStore implements HardStateStore {
    public static final int MAGIC = 0x52464853;
    public static final byte VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int TERM_OFFSET = 8;
    public static final int VOTED_FOR_OFFSET = 16;
    public static final int COMMIT_OFFSET = 24;
    public static final int CRC_OFFSET = 32;
    public static final int LENGTH = 36;
    /** Name of the state file inside the directory. */
    public static final String FILE_NAME = "hardstate";

    static {
        Verify.state(CRC_OFFSET + Integer.BYTES == LENGTH, "hard state layout", CRC_OFFSET, LENGTH);
        Verify.state(COMMIT_OFFSET + Long.BYTES == CRC_OFFSET, "hard state layout", COMMIT_OFFSET, CRC_OFFSET);
    }

    private final Path dir;
    private final Path file;
    private final Path temp;
    private final ByteBuffer buffer = ByteBuffer.allocate(LENGTH).order(ByteOrder.BIG_ENDIAN);
    private final CRC32C crc = new CRC32C();

    /** A store keeping its file in {@code dir} (created if missing). */
    public FileHardStateStore(Path dir) {
        this.dir = dir;
        this.file = dir.resolve(FILE_NAME);
        this.temp = dir.resolve(FILE_NAME + ".tmp");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new HardStateStoreException("cannot create hard state directory " + dir, e);
        }
    }

    /** The state file this store reads and replaces. */
    public Path file() {
        return file;
    }

    @Override
    public HardState load() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return HardState.EMPTY;
        } catch (IOException e) {
            throw new HardStateStoreException("cannot read hard state file " + file, e);
        }
        return decode(ByteBuffer.wrap(bytes), file);
    }

    @Override
    public void save(HardState state) {
        encode(state, buffer, crc);
        Verify.state(decode(buffer.duplicate(), file).equals(state), "hard state does not round-trip",
            state.term());
        try {
            DurableFiles.writeTemp(temp, buffer);
        } catch (IOException e) {
            throw new HardStateStoreException("cannot write hard state temp file " + temp, e);
        }
        try {
            DurableFiles.install(temp, file);
        } catch (IOException e) {
            throw new HardStateStoreException("cannot install hard state file " + file, e);
        }
    }

    /** Encodes {@code state} into {@code dst} at [0, LENGTH); dst's position is 0 and limit LENGTH afterwards. */
    static void encode(HardState state, ByteBuffer dst, CRC32C crc) {
        dst.clear();
        dst.putInt(MAGIC_OFFSET, MAGIC);
        dst.put(VERSION_OFFSET, VERSION);
        dst.put(VERSION_OFFSET + 1, (byte) 0).put(VERSION_OFFSET + 2, (byte) 0).put(VERSION_OFFSET + 3, (byte) 0);
        dst.putLong(TERM_OFFSET, state.term());
        dst.putLong(VOTED_FOR_OFFSET, state.votedFor());
        dst.putLong(COMMIT_OFFSET, state.commitIndex());
        dst.putInt(CRC_OFFSET, crcOf(dst, crc));
        dst.position(0).limit(LENGTH);
    }

    /** Decodes a whole file's content; {@code source} names the file in errors. */
    static HardState decode(ByteBuffer src, Path source) {
        if (src.remaining() != LENGTH) {
            throw corrupt(source, "length " + src.remaining() + " instead of " + LENGTH + " (torn write?)");
        }
        ByteBuffer b = src.slice().order(ByteOrder.BIG_ENDIAN);
        if (b.getInt(MAGIC_OFFSET) != MAGIC) {
            throw corrupt(source, "bad magic 0x" + Integer.toHexString(b.getInt(MAGIC_OFFSET)));
        }
        if (b.get(VERSION_OFFSET) != VERSION) {
            throw corrupt(source, "unknown version " + b.get(VERSION_OFFSET));
        }
        int expected = crcOf(b, new CRC32C());
        if (b.getInt(CRC_OFFSET) != expected) {
            throw corrupt(source, "crc mismatch");
        }
        long term = b.getLong(TERM_OFFSET);
        long votedFor = b.getLong(VOTED_FOR_OFFSET);
        long commit = b.getLong(COMMIT_OFFSET);
        if (term < 0 || votedFor < 0 || commit < 0) {
            throw corrupt(source, "negative field");
        }
        return new HardState(term, votedFor, commit);
    }

    private static int crcOf(ByteBuffer b, CRC32C crc) {
        crc.reset();
        crc.update(b.duplicate().position(0).limit(CRC_OFFSET));
        return (int) crc.getValue();
    }

    private static HardStateStoreException corrupt(Path source, String why) {
        return new HardStateStoreException("corrupt hard state file " + source + ": " + why
            + "; refusing to start with a forgotten vote (restore the file or wipe the whole node)", null);
    }
}
