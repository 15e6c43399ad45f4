package io.raftmq.chaos.fault.os;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small tmpfs mounted over a directory, holding a copy of what was there (root only): writes beyond its size fail
 * with ENOSPC. {@link #mount} moves the directory aside, mounts a tmpfs of the given size on a new empty directory
 * of the same name (source name {@code raftmq-chaos-<pid>}, so stale mounts can be told by owner) and copies the
 * contents in (sparse files stay sparse); {@link #unmount} copies the current contents back to disk, unmounts and
 * puts the disk copy in place. A JVM shutdown hook unmounts (lazily) whatever is still mounted;
 * {@link #removeStale} unmounts the mounts of chaos JVMs that are gone. The processes using the directory must be
 * stopped around both calls.
 */
public final class SmallDisk {
    /** Mount source prefix of every chaos tmpfs. */
    public static final String SOURCE_PREFIX = "raftmq-chaos-";
    private static final Logger LOG = LoggerFactory.getLogger(SmallDisk.class);
    private static final long TIMEOUT_MS = 120_000;

    private final Path dir;
    private final Path aside;
    private final Thread hook;
    private boolean mounted;

    private SmallDisk(Path dir) {
        this.dir = dir.toAbsolutePath();
        this.aside = this.dir.resolveSibling(this.dir.getFileName() + ".on-disk");
        this.hook = new Thread(this::unmountLazily, "chaos-small-disk-cleanup");
    }

    /**
     * Mounts a tmpfs of {@code sizeBytes} over {@code dir} with a copy of its contents.
     *
     * @throws IOException a command failed (the directory is put back as it was when possible)
     */
    public static SmallDisk mount(Path dir, long sizeBytes) throws IOException {
        removeStale();
        SmallDisk d = new SmallDisk(dir);
        Files.move(d.dir, d.aside);
        Files.createDirectory(d.dir);
        try {
            Exec.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeBytes, SOURCE_PREFIX
                + ProcessHandle.current().pid(), d.dir.toString()), TIMEOUT_MS);
        } catch (IOException e) {
            Files.delete(d.dir);
            Files.move(d.aside, d.dir);
            throw e;
        }
        d.mounted = true;
        Runtime.getRuntime().addShutdownHook(d.hook);
        Exec.run(List.of("cp", "-a", "--sparse=always", d.aside + "/.", d.dir + "/"), TIMEOUT_MS);
        LOG.info("tmpfs of {} bytes mounted over {}", sizeBytes, d.dir);
        return d;
    }

    public Path dir() {
        return dir;
    }

    /** Copies the contents back to disk, unmounts, and puts the disk copy in place. Idempotent. */
    public synchronized void unmount() throws IOException {
        if (!mounted) {
            return;
        }
        Path back = dir.resolveSibling(dir.getFileName() + ".back");
        Exec.run(List.of("rm", "-rf", back.toString()), TIMEOUT_MS);
        Exec.run(List.of("cp", "-a", "--sparse=always", dir.toString(), back.toString()), TIMEOUT_MS);
        Exec.run(List.of("umount", dir.toString()), TIMEOUT_MS);
        mounted = false;
        Files.delete(dir);
        Files.move(back, dir);
        Exec.run(List.of("rm", "-rf", aside.toString()), TIMEOUT_MS);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("shutdown hook not removed: {}", e.toString());
        }
        LOG.info("tmpfs over {} unmounted, contents back on disk", dir);
    }

    private synchronized void unmountLazily() {
        if (mounted) {
            Exec.runQuietly(List.of("umount", "-l", dir.toString()), TIMEOUT_MS);
            mounted = false;
        }
    }

    /** Unmounts (lazily) the chaos tmpfs mounts whose owning JVM is gone. */
    public static void removeStale() throws IOException {
        for (String mountPoint : staleMounts(Files.readString(Path.of("/proc/self/mounts"), StandardCharsets.UTF_8),
                ProcessHandle.current().pid())) {
            LOG.warn("unmounting stale chaos tmpfs {}", mountPoint);
            Exec.runQuietly(List.of("umount", "-l", mountPoint), TIMEOUT_MS);
        }
    }

    /** Mount points in {@code procMounts} of chaos tmpfs mounts of a pid other than {@code self} that is gone. */
    static List<String> staleMounts(String procMounts, long self) {
        List<String> out = new ArrayList<>();
        for (String line : procMounts.split("\n")) {
            String[] f = line.split(" ");
            if (f.length > 2 && f[0].startsWith(SOURCE_PREFIX) && f[2].equals("tmpfs")) {
                long pid = Long.parseLong(f[0].substring(SOURCE_PREFIX.length()));
                if (pid != self && ProcessHandle.of(pid).isEmpty()) {
                    out.add(f[1].replace("\\040", " "));
                }
            }
        }
        return out;
    }
}
