package io.raftmq.commitlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftmq.commitlog.error.DiskFullException;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.FaultyMemoryStorage;
import io.raftmq.commitlog.io.IoMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.raftmq.testsupport.ProcessTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Goal: a full disk makes append fail with {@link DiskFullException}, damages nothing already written, and appends
 * work again (at the same deterministic position) once space returns. Method: first through a storage port that
 * reports ENOSPC on demand; then, when running as root (CI), on a real 384 KiB tmpfs mounted under a @TempDir
 * and always unmounted, for both I/O modes.
 */
@ProcessTest
class DiskFullTest {
    @TempDir
    Path dir;

    @Test
    void storagePortReportingNoSpace() {
        FaultyMemoryStorage storage = new FaultyMemoryStorage();
        CommitLogConfig cfg = TestLogs.small(Path.of("/mem/full"), FlushMode.MANUAL).build();
        try (CommitLog log = CommitLog.open(cfg, null, storage)) {
            long index = appendUntilFull(log, 1, 200, () -> storage.setFull(true));
            long failedAt = log.endPosition();
            assertThat(storage.exists(Path.of("/mem/full/log/00000000000000000000"))).isTrue();
            verifyAll(log, index - 1);
            storage.setFull(false);
            long p = TestLogs.appendOne(log, 1, index, TestLogs.body(index, 3000));
            assertThat(p).as("retry lands where the failed append would have").isEqualTo(failedAt);
            log.flush();
            verifyAll(log, index);
        }
        try (CommitLog log = CommitLog.open(cfg, null, storage)) {
            verifyAll(log, log.lastIndex());
        }
    }

    @ParameterizedTest
    @EnumSource(IoMode.class)
    void realTmpfsRunsFull(IoMode mode) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting tmpfs needs root");
        Path mnt = Files.createDirectories(dir.resolve("mnt"));
        run("mount", "-t", "tmpfs", "-o", "size=384k", "tmpfs", mnt.toString());
        try {
            Path ballast = mnt.resolve("ballast");
            Files.write(ballast, new byte[128 * 1024]);
            CommitLogConfig cfg = TestLogs.small(mnt.resolve("log"), FlushMode.SYNC).ioMode(mode).build();
            long last;
            try (CommitLog log = CommitLog.open(cfg, null)) {
                long index = appendUntilFull(log, 1, 400, () -> { });
                verifyAll(log, index - 1);
                Files.delete(ballast);
                AppendBatch b = new AppendBatch(1).add(1, index, (byte) 1, 0, TestLogs.body(index, 3000));
                log.append(b);
                log.awaitDurable(b.endPosition(), TimeUnit.SECONDS.toNanos(10));
                last = index;
            }
            try (CommitLog log = CommitLog.open(cfg, null)) {
                assertThat(log.lastIndex()).isEqualTo(last);
                verifyAll(log, last);
            }
        } finally {
            run("umount", mnt.toString());
        }
    }

    /** Appends 3000-byte records from {@code index} until DiskFullException (calling {@code fill} first). */
    private static long appendUntilFull(CommitLog log, long index, int max, Runnable fill) {
        for (int i = 0; i < 5; i++) {
            TestLogs.appendOne(log, 1, index, TestLogs.body(index, 3000));
            index++;
        }
        fill.run();
        for (int i = 0; i < max; i++) {
            long before = log.lastIndex();
            long idx = index;
            try {
                TestLogs.appendOne(log, 1, idx, TestLogs.body(idx, 3000));
            } catch (DiskFullException e) {
                assertThat(log.lastIndex()).as("failed append left no trace").isEqualTo(before);
                assertThatThrownBy(() -> TestLogs.appendOne(log, 1, idx, TestLogs.body(idx, 3000)))
                    .isInstanceOf(DiskFullException.class);
                return idx;
            }
            index++;
        }
        throw new AssertionError("disk never ran full after " + max + " appends");
    }

    private static void verifyAll(CommitLog log, long lastIndex) {
        assertThat(log.lastIndex()).isEqualTo(lastIndex);
        ByteBuffer dst = ByteBuffer.allocate(1 << 16);
        long next = 1;
        while (next <= lastIndex) {
            dst.clear();
            int n = log.entries(next, lastIndex + 1, dst);
            assertThat(n).isPositive();
            for (TestLogs.Rec r : TestLogs.decode(dst)) {
                assertThat(r.index()).isEqualTo(next);
                assertThat(r.body()).isEqualTo(TestLogs.body(next, 3000).array());
                next++;
            }
        }
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        try (var r = p.inputReader()) {
            r.lines().forEach(out::add);
        }
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", String.join(" ", cmd), out).isZero();
    }
}
