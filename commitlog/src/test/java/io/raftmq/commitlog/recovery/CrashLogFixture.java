package io.raftmq.commitlog.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.TestLogs;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.io.StorageProvider;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The log the crash tests of this package stop in the middle of an operation ({@link TruncationCrashTest},
 * {@link ResetCrashTest}): 60 records of 3,000 bytes over three 64 KiB segments, forced, then 4 more written only
 * (the roll into a fourth segment forces the third); each record's body is {@code TestLogs.body(index, SIZE)}.
 */
final class CrashLogFixture {
    static final int FORCED = 60;
    static final int UNFORCED = 4;
    static final int SIZE = 3000;

    private CrashLogFixture() {
    }

    static CommitLogConfig cfg(Path dir) {
        return TestLogs.small(dir, FlushMode.MANUAL).build();
    }

    /** The test log in {@code dir}, open: durable up to record 60, records 61-64 written only. */
    static CommitLog build(StorageProvider storage, Path dir) {
        CommitLog log = CommitLog.open(cfg(dir), null, storage);
        for (long i = 1; i <= FORCED; i++) {
            TestLogs.appendOne(log, 1, i, TestLogs.body(i, SIZE));
        }
        log.flush();
        for (long i = FORCED + 1; i <= FORCED + UNFORCED; i++) {
            TestLogs.appendOne(log, 1, i, TestLogs.body(i, SIZE));
        }
        return log;
    }

    /** Records 1..last are the ones {@link #build} appended, with their bodies, and read back valid. */
    static void assertRecords(CommitLog log, long last, String where) {
        ByteBuffer dst = ByteBuffer.allocate(1 << 20);
        long next = 1;
        while (next <= last) {
            dst.clear();
            int n = log.entries(next, last + 1, dst);
            List<TestLogs.Rec> recs = TestLogs.decode(dst);
            assertThat(recs).as(where).hasSize(n);
            for (TestLogs.Rec r : recs) {
                assertThat(r.index()).as(where).isEqualTo(next);
                assertThat(r.body()).as("record %d: %s", next, where).isEqualTo(TestLogs.body(next, SIZE).array());
                next++;
            }
        }
    }
}
