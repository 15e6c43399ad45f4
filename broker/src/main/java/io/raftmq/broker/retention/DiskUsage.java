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

    /**
     * The file system holding {@code dir}, as {@code df} reports it: used / (used + available to this process), with
     * used = total - unallocated. Blocks reserved for root or not available to this process count as neither, so a
     * disk this process can no longer write to reads as 1.0.
     */
    static DiskUsage of(Path dir) {
        return () -> {
            FileStore store = Files.getFileStore(dir);
            return dfRatio(store.getTotalSpace(), store.getUnallocatedSpace(), store.getUsableSpace());
        };
    }

    /**
     * {@code df}'s use ratio from a file store's three figures (bytes), in [0, 1]; 0 when the file system reports no
     * sizes at all (some virtual file systems), so that missing figures never refuse writes.
     */
    static double dfRatio(long total, long unallocated, long usable) {
        long used = Math.max(0, total - unallocated);
        long denominator = used + Math.max(0, usable);
        return denominator <= 0 ? 0.0 : Math.min(1.0, (double) used / denominator);
    }
}
