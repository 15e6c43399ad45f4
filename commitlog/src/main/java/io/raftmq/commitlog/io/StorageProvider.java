package io.raftmq.commitlog.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Port: the file system as the commit log sees it. Implemented by {@link FileSystemStorage} for real disks and by a
 * fault-injecting in-memory fixture in tests. All methods may be called from any thread.
 *
 * <p>Errors: {@link NoSpaceException} when the device is full, other {@link IOException}s for device failures.
 */
public interface StorageProvider {

    /**
     * Opens {@code path}, creating it if absent. A new or shorter file is extended with zeros to
     * {@code capacity}; a longer file is an error (the caller changed the segment size).
     */
    StorageFile open(Path path, long capacity) throws IOException;

    /** Creates the directory and its parents if needed. */
    void createDirectories(Path dir) throws IOException;

    /** Names (not paths) of regular files in {@code dir}, sorted; empty if the directory is missing. */
    List<String> list(Path dir) throws IOException;

    /** Names (not paths) of the directories in {@code dir}, sorted; empty if the directory is missing. */
    List<String> listDirectories(Path dir) throws IOException;

    /** Length in bytes of the file at {@code path}, or -1 if there is none. */
    long size(Path path) throws IOException;

    /** Deletes {@code path} (a file the caller closed first, or an empty directory) if it exists. */
    void delete(Path path) throws IOException;

    /** Makes creations and deletions of entries in {@code dir} durable. */
    void syncDirectory(Path dir) throws IOException;

    /** Replaces {@code path} with {@code content} atomically and durably (temp file, force, rename, dir sync). */
    void writeAtomically(Path path, byte[] content) throws IOException;

    /** The whole content of {@code path}, or null if it does not exist. */
    byte[] readAll(Path path) throws IOException;

    /** Fraction of the device holding {@code dir} that is in use, in [0, 1]. */
    double usageRatio(Path dir) throws IOException;
}
