package io.raftmq.chaos;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline (polled every 5 ms), instead of sleeping a guessed time. */
public final class Await {
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private Await() {
    }

    /**
     * Returns once {@code condition} holds.
     *
     * @throws IllegalStateException naming {@code what} if it does not hold within {@code timeoutMs}
     */
    public static void until(BooleanSupplier condition, long timeoutMs, String what) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            LockSupport.parkNanos(POLL_NS);
        }
    }
}
