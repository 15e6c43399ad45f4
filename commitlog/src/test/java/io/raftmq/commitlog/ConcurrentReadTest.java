package io.raftmq.commitlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.record.RecordHeader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: a reader on another thread never observes a partially written record while appends run. Method: one thread
 * appends 3000 records of varying size across many 64 KiB segments while another tails the log with read(); every
 * record read passes its crc check inside read() and must carry the next index and its exact body.
 */
class ConcurrentReadTest {
    @TempDir
    Path dir;

    @Test
    void tailingReaderSeesOnlyWholeRecords() throws Exception {
        int n = 3000;
        try (CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.ASYNC).build(), null)) {
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> tail(log, n));
            AppendBatch b = new AppendBatch(1);
            for (long i = 1; i <= n; i++) {
                b.clear();
                b.add(1, i, (byte) 2, i, TestLogs.body(i, (int) (i * 37 % 4000)));
                log.append(b);
            }
            assertThat(reader.get(60, TimeUnit.SECONDS)).isEqualTo(n);
        }
    }

    private static long tail(CommitLog log, int n) {
        ByteBuffer dst = ByteBuffer.allocate(16 * 1024);
        long pos = 0;
        long next = 1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (next <= n && System.nanoTime() < deadline) {
            dst.clear();
            long first = log.read(pos, dst);
            for (int at = 0; at < dst.position(); at += RecordHeader.recordLength(dst, at)) {
                assertThat(RecordHeader.index(dst, at)).isEqualTo(next);
                byte[] body = new byte[RecordHeader.bodyLength(dst, at)];
                dst.get(at + RecordHeader.HEADER_LENGTH, body);
                assertThat(body).isEqualTo(TestLogs.body(next, (int) (next * 37 % 4000)).array());
                next++;
            }
            pos = first + dst.position();
        }
        return next - 1;
    }
}
