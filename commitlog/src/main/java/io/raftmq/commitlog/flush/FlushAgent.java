package io.raftmq.commitlog.flush;

import io.raftmq.commitlog.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit log's single flush agent: a duty cycle that forces pending bytes (at once in SYNC mode, every
 * flushIntervalMs in ASYNC mode) and records checkpoints. {@link #doWork(long)} can be driven by hand; the thread
 * started by {@link #start()} just loops over it and parks when idle. Appenders call {@link #wake()} after
 * publishing bytes; a volatile "parked" flag keeps that to one cheap check when the agent is busy.
 */
public final class FlushAgent implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(FlushAgent.class);
    private static final long SYNC_IDLE_NS = TimeUnit.MILLISECONDS.toNanos(10);

    /** What the agent drives; implemented by the commit log. */
    public interface Target {
        /** True if appended bytes are not yet durable, or coalesced appends are queued. */
        boolean hasPending();

        /**
         * Forces everything appended so far and advances the durable position; in SYNC mode first writes the
         * queued coalesced appends, and completes them after the force (one group-commit cycle).
         */
        void forcePending();

        /** Writes a checkpoint if anything changed since the last one. */
        void checkpoint();

        /** Fences the log after an unexpected failure of the agent. */
        void fail(RuntimeException e);
    }

    private final Target target;
    private final Clock clock;
    private final FlushMode mode;
    private final long flushIntervalNs;
    private final long checkpointIntervalNs;
    private volatile boolean running;
    private volatile boolean parked;
    private Thread thread;
    private long lastForceNs;
    private long lastCheckpointNs;

    /** Both intervals start now ({@code clock.nanoTime()}); the thread reads the clock before each duty cycle. */
    public FlushAgent(Target target, FlushMode mode, long flushIntervalMs, long checkpointIntervalMs, Clock clock) {
        this.target = target;
        this.clock = clock;
        long nowNs = clock.nanoTime();
        this.mode = mode;
        this.flushIntervalNs = TimeUnit.MILLISECONDS.toNanos(flushIntervalMs);
        this.checkpointIntervalNs = TimeUnit.MILLISECONDS.toNanos(checkpointIntervalMs);
        this.lastForceNs = nowNs;
        this.lastCheckpointNs = nowNs;
    }

    /** One duty cycle; returns the amount of work done (0 = idle). */
    public int doWork(long nowNs) {
        int work = 0;
        boolean due = mode == FlushMode.SYNC || nowNs - lastForceNs >= flushIntervalNs;
        if (due && target.hasPending()) {
            target.forcePending();
            lastForceNs = nowNs;
            work++;
        } else if (due) {
            lastForceNs = nowNs;
        }
        if (nowNs - lastCheckpointNs >= checkpointIntervalNs) {
            target.checkpoint();
            lastCheckpointNs = nowNs;
            work++;
        }
        return work;
    }

    public void start(String name) {
        running = true;
        thread = new Thread(this, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Signals new pending bytes (SYNC mode). Any thread; cheap when the agent is not parked. */
    public void wake() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void run() {
        try {
            while (running) {
                if (doWork(clock.nanoTime()) == 0) {
                    idle();
                }
            }
        } catch (RuntimeException e) {
            LOG.error("flush agent failed; fencing the commit log", e);
            target.fail(e);
        }
    }

    private void idle() {
        long idleNs = mode == FlushMode.SYNC ? SYNC_IDLE_NS : Math.min(flushIntervalNs, checkpointIntervalNs);
        parked = true;
        if (mode != FlushMode.SYNC || !target.hasPending()) {
            LockSupport.parkNanos(this, idleNs);
        }
        parked = false;
    }

    /** Stops the thread and waits for it (close). */
    public void stop() throws InterruptedException {
        running = false;
        if (thread != null) {
            LockSupport.unpark(thread);
            thread.join();
        }
    }
}
