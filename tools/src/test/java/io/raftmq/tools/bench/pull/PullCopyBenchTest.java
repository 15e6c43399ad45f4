package io.raftmq.tools.bench.pull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pull-copy bench sends the same bytes whatever the strategy: every strategy, with interleaved and contiguous
 * records, passes the drain's record-by-record check, with the system calls per pull each strategy implies; a frame
 * holding a wrong record is caught by the drain.
 */
class PullCopyBenchTest {
    @TempDir
    Path dir;

    @Test
    void everyStrategySendsTheRecordsAPullAsksFor() throws Exception {
        PullCopyBench.Options o = options();
        try (FileChannel ch = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
            int records = RecordFile.fill(ch, o.size, o.fileMib);
            assertEquals((1 << 20) / 256, records);
            for (int queues : new int[] {1, 4}) {
                o.queues = queues;
                for (PullCopyBench.Strategy s : PullCopyBench.Strategy.values()) {
                    PullCopyBench.Result r = PullCopyBench.measure(o, s, ch, records);
                    assertTrue(r.pulls() > 0, s + " sent no pull");
                    double perPull = (double) r.syscalls() / r.pulls();
                    assertTrue(perPull >= minSyscalls(s, queues, o.batch), s + "/" + queues + ": " + perPull);
                }
            }
        }
    }

    @Test
    void pullsWalkTheFileOnEveryQueue() {
        PullSender s = new PullSender(null, null, 256, 8, 4, 4096);
        assertEquals(0, s.firstRecord(0));
        assertEquals(32, s.firstRecord(1));
        assertEquals(1, s.firstRecord(4096 / 32));
    }

    @Test
    void aWrongRecordIsCaught() throws Exception {
        try (Drain d = Drain.start(16, 2, 1)) {
            var out = d.connect();
            ByteBuffer frame = ByteBuffer.allocate(8 + 32);
            frame.putLong(5);
            RecordFile.put(frame, 5, 16);
            RecordFile.put(frame, 7, 16); // should be 6
            out.write(frame.flip());
            out.shutdownOutput();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.awaitAll(1));
            assertTrue(e.getMessage().contains("record 1 is 7, not 6"), e.getMessage());
        }
    }

    private PullCopyBench.Options options() {
        PullCopyBench.Options o = new PullCopyBench.Options();
        o.size = 256;
        o.batch = 8;
        o.seconds = 0.05;
        o.fileMib = 1;
        o.dir = dir;
        return o.validated();
    }

    /** At least: copy one read per record, coalesce one per run, sendfile one per run plus the header; one write. */
    private static int minSyscalls(PullCopyBench.Strategy s, int queues, int batch) {
        int runs = queues == 1 ? 1 : batch;
        return switch (s) {
            case COPY -> batch + 1;
            case COALESCE, SENDFILE -> runs + 1;
        };
    }
}
