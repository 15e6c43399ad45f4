package io.raftmq.broker.processor.send;

import io.raftmq.commitlog.error.Verify;

import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Sends that arrived while leadership moves, parked until a leader is known again instead of being refused
 * (docs/raft-driver.md, "Sends while leadership moves"). A send is held when this member leads but is handing
 * leadership over (its proposal is refused with TRANSFERRING_LEADERSHIP or NOT_LEADER, so it never entered the
 * log), when it has just lost leadership and does not know the new leader yet, or when it follows and the group
 * is electing. Each {@link #poll} that finds a leader known (this member or another) resumes every held send
 * ({@link Waiter#resume}: the send path runs again and forwards or stores it); a send still held
 * {@code holdMsMax} after it was first held is given up ({@link Waiter#expire}: answered 14, which the client
 * retries).
 *
 * <p>Bounded by count ({@code holdMax}), bytes ({@code holdBytesMax}) and time ({@code holdMsMax}): a send that
 * does not fit is refused at once by its caller. Polls run on the injected {@link Timer} only while something is
 * held, every {@code pollMs}.
 *
 * <p>{@link #close} (the broker stops) expires whatever is held and refuses new holds.
 *
 * <p>Threads: {@link #hold} from any thread (I/O threads, the raft agent thread); polls on the timer's thread;
 * {@link Waiter} methods run outside the lock.
 */
public final class SendHold {
    private final LeaderLocator leader;
    private final LongSupplier clockMs;
    private final Timer timer;
    private final int holdMax;
    private final long holdBytesMax;
    private final long holdMsMax;
    private final long pollMs;

    // Guarded by this. Invariant: held.size() <= holdMax, heldBytes <= holdBytesMax; armed = a poll is scheduled.
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long heldBytes;
    private boolean armed;
    private boolean closed;

    private final LongAdder holds = new LongAdder();
    private final LongAdder resumed = new LongAdder();
    private final LongAdder expired = new LongAdder();
    private final LongAdder refused = new LongAdder();

    /** A held send: how it continues once a leader is known, or how it ends when the hold times out. */
    public interface Waiter {
        /** A leader is known: run the send path again (it may hold the send again, with its first hold time). */
        void resume();

        /** No leader appeared within the bound: answer the retryable code and release what the send holds. */
        void expire();
    }

    /** Runs a task later on some thread (production: the broker's scheduler; tests: by hand). */
    public interface Timer {
        void schedule(Runnable task, long delayMs);
    }

    /**
     * Counters since start (racy reads).
     *
     * @param holds   sends held (a send held again after a resume counts again)
     * @param resumed held sends resumed because a leader became known
     * @param expired held sends answered 14 because no leader appeared in time
     * @param refused sends not held because the hold was full (answered 14 by the caller)
     */
    public record Stats(long holds, long resumed, long expired, long refused) {
    }

    private record Held(long sinceMs, int bytes, Waiter waiter) {
    }

    /**
     * @param holdMax      sends held at once
     * @param holdBytesMax request bytes held at once
     * @param holdMsMax    longest a send is held, from its first hold
     * @param pollMs       how often a held send looks for a leader
     */
    public SendHold(LeaderLocator leader, LongSupplier clockMs, Timer timer, int holdMax, long holdBytesMax,
                    long holdMsMax, long pollMs) {
        Verify.argument(holdMax > 0 && holdBytesMax > 0, "hold limits must be positive");
        Verify.argument(holdMsMax > 0 && pollMs > 0, "hold times must be positive");
        this.leader = leader;
        this.clockMs = clockMs;
        this.timer = timer;
        this.holdMax = holdMax;
        this.holdBytesMax = holdBytesMax;
        this.holdMsMax = holdMsMax;
        this.pollMs = pollMs;
    }

    /** The current time on the hold's clock: the {@code sinceMs} of a send held for the first time. */
    public long nowMs() {
        return clockMs.getAsLong();
    }

    /**
     * Holds a send first held at {@code sinceMs} ({@link #nowMs} for a new one) whose request has {@code bytes}
     * bytes. Returns false, holding nothing, when the hold is full or the send's time is up: the caller answers.
     */
    public boolean hold(long sinceMs, int bytes, Waiter waiter) {
        Verify.argument(bytes >= 0, "bytes must be >= 0");
        boolean arm;
        synchronized (this) {
            if (closed || held.size() >= holdMax || heldBytes + bytes > holdBytesMax
                || clockMs.getAsLong() - sinceMs >= holdMsMax) {
                refused.increment();
                return false;
            }
            held.addLast(new Held(sinceMs, bytes, waiter));
            heldBytes += bytes;
            arm = !armed;
            armed = true;
        }
        holds.increment();
        if (arm) {
            timer.schedule(this::pollAndRearm, pollMs);
        }
        return true;
    }

    /**
     * One look at the leader: when one is known, every held send resumes; otherwise those held for
     * {@code holdMsMax} expire. Returns how many sends left the hold.
     */
    public int poll() {
        boolean known = leader.isLeader() || leader.leaderBrokerAddr() != null;
        long now = clockMs.getAsLong();
        Held[] out;
        synchronized (this) {
            if (known) {
                out = held.toArray(new Held[0]);
                held.clear();
                heldBytes = 0;
            } else {
                out = takeExpired(now);
            }
        }
        for (Held h : out) {
            if (known) {
                resumed.increment();
                h.waiter.resume();
            } else {
                expired.increment();
                h.waiter.expire();
            }
        }
        return out.length;
    }

    /** The held sends whose time is up at {@code now}, in hold order (caller holds the lock). */
    private Held[] takeExpired(long now) {
        int n = 0;
        for (Held h : held) {
            if (now - h.sinceMs >= holdMsMax) {
                n++;
            }
        }
        Held[] out = new Held[n];
        int i = 0;
        for (var it = held.iterator(); it.hasNext();) {
            Held h = it.next();
            if (now - h.sinceMs >= holdMsMax) {
                out[i++] = h;
                heldBytes -= h.bytes;
                it.remove();
            }
        }
        Verify.state(heldBytes >= 0, "held bytes went negative", heldBytes);
        return out;
    }

    private void pollAndRearm() {
        try {
            poll();
        } finally {
            boolean again;
            synchronized (this) {
                again = !held.isEmpty();
                armed = again;
            }
            if (again) {
                timer.schedule(this::pollAndRearm, pollMs);
            }
        }
    }

    /** Holds nothing more and expires every held send (the broker stops). */
    public void close() {
        Held[] out;
        synchronized (this) {
            closed = true;
            out = held.toArray(new Held[0]);
            held.clear();
            heldBytes = 0;
        }
        for (Held h : out) {
            expired.increment();
            h.waiter.expire();
        }
    }

    /** Longest a send is held, from its first hold. */
    public long holdMsMax() {
        return holdMsMax;
    }

    /** Sends held now. */
    public synchronized int size() {
        return held.size();
    }

    /** Counters since start. */
    public Stats stats() {
        return new Stats(holds.sum(), resumed.sum(), expired.sum(), refused.sum());
    }
}
