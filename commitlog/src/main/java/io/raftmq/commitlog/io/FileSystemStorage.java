package io.raftmq.commitlog.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The real-disk {@link StorageProvider}. Opens segment files as {@link FileChannelStorage} or {@link MappedStorage}
 * depending on the {@link IoMode}. Control-plane code: allocation here is fine.
 */
public final class FileSystemStorage implements StorageProvider {
    private static final int ZERO_CHUNK = 1 << 20;
    private final IoMode mode;

    public FileSystemStorage(IoMode mode) {
        this.mode = mode;
    }

    @Override
    public StorageFile open(Path path, long capacity) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        boolean ok = false;
        try {
            long size = ch.size();
            if (size > capacity) {
                throw new IOException("file " + path + " has " + size + " bytes, more than the configured capacity "
                    + capacity + " (segment size changed?)");
            }
            if (mode == IoMode.MAPPED) {
                zeroFill(ch, path, size, capacity);
                StorageFile f = new MappedStorage(path, ch, capacity);
                ok = true;
                return f;
            }
            if (size < capacity) {
                extend(ch, path, capacity);
            }
            ok = true;
            return new FileChannelStorage(path, ch, capacity);
        } finally {
            if (!ok) {
                ch.close();
            }
        }
    }

    private static void extend(FileChannel ch, Path path, long capacity) throws IOException {
        try {
            ch.write(ByteBuffer.allocate(1), capacity - 1);
        } catch (IOException e) {
            throw NoSpaceException.classify(e, "extend " + path);
        }
    }

    /** Writes real zeros from {@code from} to {@code capacity} so every block is allocated before mapping. */
    private static void zeroFill(FileChannel ch, Path path, long from, long capacity) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
        try {
            for (long at = from; at < capacity; ) {
                zeros.clear().limit((int) Math.min(ZERO_CHUNK, capacity - at));
                at += ch.write(zeros, at);
            }
            ch.force(false);
        } catch (IOException e) {
            throw NoSpaceException.classify(e, "preallocate " + path);
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
    }

    @Override
    public List<String> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    names.add(p.getFileName().toString());
                }
            }
        }
        Collections.sort(names);
        return names;
    }

    @Override
    public List<String> listDirectories(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, Files::isDirectory)) {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        }
        Collections.sort(names);
        return names;
    }

    @Override
    public long size(Path path) throws IOException {
        try {
            return Files.size(path);
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    @Override
    public void delete(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    @Override
    public void writeAtomically(Path path, byte[] content) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(content);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            throw NoSpaceException.classify(e, "write " + tmp);
        }
        try {
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(path.getParent());
    }

    @Override
    public byte[] readAll(Path path) throws IOException {
        try {
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public double usageRatio(Path dir) throws IOException {
        FileStore store = Files.getFileStore(dir);
        long total = store.getTotalSpace();
        if (total <= 0) {
            return 0;
        }
        return 1.0 - (double) store.getUsableSpace() / total;
    }
}
