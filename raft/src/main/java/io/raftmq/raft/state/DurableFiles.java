package io.raftmq.raft.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The one way raft's small state files (hard state, repair state, membership records) are replaced durably: the new
 * content goes to a temporary file that is fsynced, renamed over the old file (atomically where the file system can),
 * and then the directory is fsynced, so a crash leaves either the old or the new file, never a torn one.
 *
 * <p>Stateless; callers wrap the {@link IOException} in their own typed exception naming the file.
 */
public final class DurableFiles {
    private DurableFiles() {
    }

    /** Writes {@code content} (from its position to its limit) to {@code temp}, truncating it, and fsyncs it. */
    public static void writeTemp(Path temp, ByteBuffer content) throws IOException {
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = content.duplicate();
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Renames the fsynced {@code temp} over {@code target} and fsyncs their directory. */
    public static void install(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(target.toAbsolutePath().getParent());
    }

    /** Fsyncs a directory, making renames and deletions in it durable. */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
