package io.raftmq.commitlog.message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared golden vectors ({@code ../shared/spec/vectors} from the repository root, i.e.
 * {@code ../../shared/spec/vectors} from the module directory where surefire runs) and reads them. Fails with
 * a message naming the path when they are absent rather than skipping: a golden test must not pass silently.
 */
public final class Vectors {
    private Vectors() {
    }

    /**
     * The vectors directory: {@code ../../shared/spec/vectors} from the module directory, or failing that the
     * nearest ancestor's {@code shared/spec/vectors} (a git worktree may sit one level deeper than the main
     * checkout). Throws naming the expected path if none exists.
     */
    public static Path dir() {
        Path module = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
        Path expected = module.resolve("../../shared/spec/vectors").normalize();
        for (Path p = module; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/spec/vectors");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("golden vectors not found at " + expected
                + " (expected ../shared/spec/vectors next to the repository root)");
    }

    /** The bytes of {@code name} (e.g. "08_stored_message_v1.bin"). */
    public static byte[] read(String name) {
        try {
            return Files.readAllBytes(dir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden vector " + name, e);
        }
    }
}
