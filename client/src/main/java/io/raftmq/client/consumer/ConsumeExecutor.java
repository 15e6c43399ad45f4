package io.raftmq.client.consumer;

import io.netty.channel.EventLoopGroup;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded executor listeners run on: {@code consumeThreads} threads named {@code raftmq-consume-<group>-N} and a
 * queue of {@code consumeQueueMax} tasks. A task that does not fit is offered again after {@link #RETRY_MS} from an
 * event loop timer (never run on the event loop, never dropped while running); flow control per queue keeps the
 * queue short in practice.
 */
final class ConsumeExecutor {
    static final long RETRY_MS = 100;
    private final ThreadPoolExecutor pool;
    private final EventLoopGroup timers;
    private final AtomicInteger threads = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();
    private volatile boolean stopped;

    ConsumeExecutor(String group, int consumeThreads, int queueMax, EventLoopGroup timers) {
        this.timers = timers;
        this.pool = new ThreadPoolExecutor(consumeThreads, consumeThreads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueMax), r -> {
                    Thread t = new Thread(() -> {
                        live.incrementAndGet();
                        try {
                            r.run();
                        } finally {
                            live.decrementAndGet();
                        }
                    }, "raftmq-consume-" + group + "-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Runs {@code task} on a consume thread (later, when the queue is full); dropped once stopped. */
    void execute(Runnable task) {
        if (stopped) {
            return;
        }
        try {
            pool.execute(task);
        } catch (RejectedExecutionException full) {
            if (!stopped && !timers.isShuttingDown()) {
                timers.schedule(() -> execute(task), RETRY_MS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Runs {@code task} on a consume thread after {@code delayMs}. */
    void executeLater(Runnable task, long delayMs) {
        if (!stopped && !timers.isShuttingDown()) {
            timers.schedule(() -> execute(task), delayMs, TimeUnit.MILLISECONDS);
        }
    }

    boolean stopped() {
        return stopped;
    }

    /** Drops queued tasks, lets running ones end for up to {@code waitMs}, then interrupts them. */
    void shutdown(long waitMs) {
        stopped = true;
        pool.shutdown();
        pool.getQueue().clear();
        try {
            if (!pool.awaitTermination(waitMs, TimeUnit.MILLISECONDS)) {
                pool.shutdownNow();
                pool.awaitTermination(waitMs, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    int liveThreads() {
        return live.get();
    }
}
