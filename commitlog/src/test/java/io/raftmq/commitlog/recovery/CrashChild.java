package io.raftmq.commitlog.recovery;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.TestLogs;
import io.raftmq.commitlog.flush.FlushMode;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child process of {@link CrashTest}: opens the log in SYNC mode and appends forever from several threads, printing
 * {@code D <position> <index>} to stdout only after the record is durable. Argument 3 picks the append path:
 * {@code locked} (a lock picks lastIndex() + 1, then append + awaitDurable) or {@code coalesced} (appendCoalesced,
 * the log assigns the index; see {@link #appendCoalesced}). Killed with SIGKILL by the parent.
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
        boolean coalesced = args.length > 2 && "coalesced".equals(args[2]);
        CommitLog log = CommitLog.open(TestLogs.small(dir, FlushMode.SYNC).build(), null);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        Object appendOrder = new Object();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                AppendBatch b = new AppendBatch(1);
                while (true) {
                    long index;
                    if (coalesced) {
                        index = appendCoalesced(log, b);
                    } else {
                        synchronized (appendOrder) {
                            index = log.lastIndex() + 1;
                            b.clear();
                            b.add(1, index, (byte) 1, 0, body(index));
                            log.append(b);
                        }
                        log.awaitDurable(b.endPosition(), TimeUnit.SECONDS.toNanos(30));
                    }
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

    /**
     * Appends one record through appendCoalesced and returns its index. The parent wants the body to be a function
     * of the index, which the log assigns only during the call: guess lastIndex() + 1 and append again (a new
     * record) when another thread's record took that index. Only records whose guess was right are reported, and
     * the parent checks bodies of reported records only.
     */
    private static long appendCoalesced(CommitLog log, AppendBatch b) {
        while (true) {
            long guess = log.lastIndex() + 1;
            b.clear();
            b.add(1, 0, (byte) 1, 0, body(guess));
            log.appendCoalesced(b, TimeUnit.SECONDS.toNanos(30));
            if (b.index(0) == guess) {
                return guess;
            }
        }
    }
}
