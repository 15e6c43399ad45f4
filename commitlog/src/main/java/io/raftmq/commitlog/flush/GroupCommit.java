package io.raftmq.commitlog.flush;

import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.DurableTimeoutException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.time.Clock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The durability side of group commit: the published durable position and a bounded table of parties waiting for
 * it, either parked threads ({@link #awaitDurable}) or callbacks ({@link #whenDurable}). The flush agent forces
 * once for many appends and then calls {@link #advance} once, which wakes every waiter the force covered: one
 * unpark per waiting thread and no hand-off per message.
 *
 * <p>Invariant: durablePosition never decreases, except through {@link #reset} (truncation below it).
 * Thread-safety: wait/register from any thread; {@link #advance}, {@link #fail} and {@link #reset} are called by
 * one thread at a time (the owner holds its force lock), which lets them reuse the wake-up scratch arrays.
 */
public final class GroupCommit {
    private static final long POLL_NS = 100_000;
    private final ReentrantLock lock = new ReentrantLock();
    private final Clock clock;
    private final long[] waitPositions;
    private final Object[] waiters;
    private final Object[] wakeScratch;
    private int count;
    private volatile long durablePosition;
    private volatile CommitLogException failure;

    /** @param clock times {@link #awaitDurable}'s timeout */
    public GroupCommit(int waitersMax, long durablePosition, Clock clock) {
        this.clock = clock;
        waitPositions = new long[waitersMax];
        waiters = new Object[waitersMax];
        wakeScratch = new Object[waitersMax];
        this.durablePosition = durablePosition;
    }

    /** Everything before this absolute position is durable. Any thread, lock-free. */
    public long durablePosition() {
        return durablePosition;
    }

    /** The failure that fenced the log, or null. */
    public CommitLogException failure() {
        return failure;
    }

    /**
     * Blocks until {@code position} is durable.
     *
     * @throws DurableTimeoutException when {@code timeoutNs} elapses first
     * @throws CommitLogException      the fencing failure, if the log failed
     */
    public void awaitDurable(long position, long timeoutNs) {
        if (durablePosition >= position) {
            return;
        }
        long deadline = clock.nanoTime() + timeoutNs;
        Thread me = Thread.currentThread();
        boolean registered = register(position, me);
        while (durablePosition < position) {
            CommitLogException f = failure;
            if (f != null) {
                throw f;
            }
            long left = deadline - clock.nanoTime();
            if (left <= 0) {
                if (registered) {
                    unregister(position, me);
                }
                throw new DurableTimeoutException(position, durablePosition);
            }
            LockSupport.parkNanos(this, registered ? left : Math.min(left, POLL_NS));
        }
    }

    /**
     * Calls {@code listener} once {@code position} is durable: at once on this thread if it already is, else later
     * on the thread that advances the durable position.
     *
     * @throws IllegalStateException if more than durableWaitersMax parties are waiting (callers bound in-flight
     *                               appends below that)
     */
    public void whenDurable(long position, DurableListener listener) {
        if (durablePosition >= position) {
            listener.onDurable(durablePosition);
            return;
        }
        CommitLogException f = failure;
        if (f != null) {
            listener.onFailure(f);
            return;
        }
        Verify.state(register(position, listener), "durable waiters full", waiters.length);
        // Raced with advance()/fail(): if they missed our entry, complete it here (else they already did).
        if ((failure != null || durablePosition >= position) && unregister(position, listener)) {
            CommitLogException late = failure;
            if (late != null) {
                listener.onFailure(late);
            } else {
                listener.onDurable(durablePosition);
            }
        }
    }

    private boolean register(long position, Object who) {
        lock.lock();
        try {
            if (count == waiters.length) {
                return false;
            }
            waitPositions[count] = position;
            waiters[count] = who;
            count++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean unregister(long position, Object who) {
        lock.lock();
        try {
            for (int i = 0; i < count; i++) {
                if (waiters[i] == who && waitPositions[i] == position) {
                    removeAt(i);
                    return true;
                }
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    private void removeAt(int i) {
        count--;
        waitPositions[i] = waitPositions[count];
        waiters[i] = waiters[count];
        waiters[count] = null;
    }

    /** Publishes {@code position} as durable and wakes every waiter it covers. Caller holds the force lock. */
    public void advance(long position) {
        Verify.state(position >= durablePosition, "durable position went backwards", position, durablePosition);
        durablePosition = position;
        wakeUpTo(position, false);
    }

    /** Lowers the durable position after a truncation below it. Caller holds the force lock. */
    public void reset(long position) {
        if (position < durablePosition) {
            durablePosition = position;
        }
    }

    /** Fences: every present and future waiter fails with {@code cause}. */
    public void fail(CommitLogException cause) {
        if (failure == null) {
            failure = cause;
        }
        wakeUpTo(Long.MAX_VALUE, true);
    }

    private void wakeUpTo(long position, boolean failing) {
        int n = 0;
        lock.lock();
        try {
            for (int i = 0; i < count; ) {
                if (waitPositions[i] <= position) {
                    wakeScratch[n++] = waiters[i];
                    removeAt(i);
                } else {
                    i++;
                }
            }
        } finally {
            lock.unlock();
        }
        CommitLogException f = failure;
        long durable = durablePosition;
        for (int i = 0; i < n; i++) {
            Object w = wakeScratch[i];
            wakeScratch[i] = null;
            if (w instanceof Thread t) {
                LockSupport.unpark(t);
            } else if (failing) {
                ((DurableListener) w).onFailure(f);
            } else {
                ((DurableListener) w).onDurable(durable);
            }
        }
    }

    /** Number of parties waiting (tests, metrics). */
    public int waiting() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }
}
