package io.raftmq.broker.retention;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Port: how full the file system holding the store is, as a used ratio in [0, 1]. Production reads the file store of
 * the store's directory ({@link #of}); tests inject fixed or changing values.
 *
 * <p>Threads: any. Errors: {@link IOException} when the file system cannot be asked (retention then skips its run).
 */
@FunctionalInterface
public interface DiskUsage {
    /** Used fraction of the file system, in [0, 1]. */
    double usedRatio() throws IOException;

    /** The file system holding {@code dir}: 1 - usable / total (what RocketMQ's "physic ratio" is). */
    static DiskUsage of(Path dir) {
        return () -> {
            FileStore store = Files.getFileStore(dir);
            long total = store.getTotalSpace();
            return total <= 0 ? 1.0 : Math.min(1.0, Math.max(0.0, 1.0 - (double) store.getUsableSpace() / total));
        };
    }
}
