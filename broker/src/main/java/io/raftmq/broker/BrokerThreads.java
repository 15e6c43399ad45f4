package io.raftmq.broker;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The broker's own threads, all daemons: {@code broker-scheduler} (registrar, offsets, client expiry, role watchers,
 * retention), {@code broker-ctl-N} (control-plane processors) and {@code broker-pull-N} (pulls). The two pools have
 * bounded queues: a full queue makes the remoting server answer SYSTEM_BUSY. Each is recorded in the member's
 * {@link Lifecycle} so it is shut down with it.
 */
record BrokerThreads(ScheduledExecutorService scheduler, ThreadPoolExecutor control, ThreadPoolExecutor pull) {
    private static final int CONTROL_THREADS = 2;
    private static final int CONTROL_QUEUE_MAX = 4096;
    private static final int PULL_THREADS = 2;

    /** Creates the scheduler and both pools, in this order, each stopped by {@code lifecycle}. */
    static BrokerThreads start(Lifecycle lifecycle) {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> daemon(r, "broker-scheduler"));
        lifecycle.add("scheduler", scheduler::shutdownNow);
        ThreadPoolExecutor control = pool("broker-ctl", CONTROL_THREADS, CONTROL_QUEUE_MAX);
        lifecycle.add("control executor", control::shutdownNow);
        ThreadPoolExecutor pull = pool("broker-pull", PULL_THREADS, CONTROL_QUEUE_MAX);
        lifecycle.add("pull executor", pull::shutdownNow);
        return new BrokerThreads(scheduler, control, pull);
    }

    /** A fixed pool with a bounded queue (a full queue makes the server answer SYSTEM_BUSY). */
    private static ThreadPoolExecutor pool(String name, int threads, int queueMax) {
        int[] n = {0};
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(queueMax), r -> daemon(r, name + "-" + n[0]++));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
