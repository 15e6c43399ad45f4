package io.raftmq.commitlog.recovery;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.FlushMode;
import io.raftmq.commitlog.TestLogs;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child process of {@link CrashTest}: opens the log in SYNC mode and appends forever from several threads, printing
 * {@code D <position> <index>} to stdout only after the record is durable. Killed with SIGKILL by the parent.
 * Bodies are a function of the index ({@link #body(long)}) so the parent can check content after recovery.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static int size(long index) {
        return 100 + (int) ((index * 7919) % 1900);
    }

    public static ByteBuffer body(long index) {
        return TestLogs.body(index, size(index));
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.SYNC).build(), null);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        Object appendOrder = new Object();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                AppendBatch b = new AppendBatch(1);
                while (true) {
                    long index;
                    synchronized (appendOrder) {
                        index = log.lastIndex() + 1;
                        b.clear();
                        b.add(1, index, (byte) 1, 0, body(index));
                        log.append(b);
                    }
                    log.awaitDurable(b.endPosition(), TimeUnit.SECONDS.toNanos(30));
                    synchronized (out) {
                        out.println("D " + b.position(0) + " " + index);
                        out.flush();
                    }
                }
            }, "appender-" + t);
            th.setDaemon(true);
            th.start();
        }
        synchronized (out) {
            out.println("READY");
            out.flush();
        }
        Thread.currentThread().join();
    }
}
