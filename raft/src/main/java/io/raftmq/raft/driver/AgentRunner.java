package io.raftmq.raft.driver;

import io.raftmq.raft.Verify;

import java.util.concurrent.locks.LockSupport;

/**
 * Runs a {@link Duty} cycle on its own thread until told to stop: call {@link Duty#doWork()} in a loop, and as soon
 * as it reports no work, park until the duty's next deadline. Producers on other threads call {@link #wake()} after
 * handing over input, which unparks the thread only while it sleeps. No spinning or yielding before the park: on a
 * machine with few cores a thread that yields between messages burns the CPU the next hop of the same message needs
 * (docs/raft-driver.md, "Idle and hand-offs").
 *
 * <p>A throw out of the duty cycle ends the loop (the thread boundary hands it to {@link Duty#onFailure}); after
 * the loop, on the same thread, {@link Duty#onExit()} runs. {@link RaftAgent} is the one duty; tests drive its
 * cycle by hand instead of starting a runner.
 */
final class AgentRunner {
    /** The work the runner's thread repeats. */
    interface Duty {
        /** One cycle; returns the amount of work done, 0 when idle. */
        int doWork();

        /** Nanoseconds the idle thread may sleep; 0 or less when input is already waiting. */
        long idleWaitNanos();

        /** The cycle threw {@code t}; the loop has ended. */
        void onFailure(Throwable t);

        /** Last call on the thread, after the loop ended for any reason. */
        void onExit();
    }

    private final Duty duty;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile boolean sleeping;

    AgentRunner(Duty duty) {
        this.duty = duty;
    }

    /** Starts the thread (a daemon named {@code name}). Call once. */
    synchronized void start(String name) {
        Verify.state(thread == null, "runner already started");
        running = true;
        Thread t = new Thread(this::run, name);
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    /** Whether {@link #start} was called. */
    boolean started() {
        return thread != null;
    }

    /** Whether the loop is (still) meant to run. */
    boolean running() {
        return running;
    }

    /** Ends the loop after the current cycle (the duty calls it on its own thread, or {@link #halt} does). */
    void stopRunning() {
        running = false;
    }

    /** Whether the thread is parked (or about to park) for lack of work. Any thread; may be stale at once. */
    boolean sleeping() {
        return sleeping;
    }

    /** Unparks the thread if it sleeps; producers call it after handing over input. Any thread. */
    void wake() {
        Thread t = thread;
        if (sleeping && t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Ends the loop at once and waits for the thread to exit. Requires {@link #started()}. */
    void halt() {
        Thread t = thread;
        running = false;
        LockSupport.unpark(t);
        join();
    }

    /** Waits (uninterruptibly, keeping the interrupt flag) for the thread to exit. Requires {@link #started()}. */
    void join() {
        Thread t = thread;
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        while (running) {
            int work;
            try {
                work = duty.doWork();
            } catch (Throwable t) { // thread boundary: the duty logs, counts and stops
                running = false;
                duty.onFailure(t);
                break;
            }
            if (work == 0) {
                park();
            }
        }
        duty.onExit();
    }

    /** Sleeps until the duty's next deadline unless input is waiting; producers unpark us while sleeping. */
    private void park() {
        sleeping = true;
        if (running) {
            long waitNs = duty.idleWaitNanos();
            if (waitNs > 0) {
                LockSupport.parkNanos(this, waitNs);
            }
        }
        sleeping = false;
    }
}
