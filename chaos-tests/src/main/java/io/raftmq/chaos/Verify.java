package io.raftmq.chaos;

/**
 * Always-on invariant checks for the chaos-tests module: a failed check is a bug in the harness, never an operating
 * error. Overloads instead of varargs so a passing check allocates nothing.
 */
public final class Verify {
    private Verify() {
    }

    /** Throws {@link IllegalStateException} with {@code message} unless {@code condition} holds. */
    public static void state(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    /** As {@link #state(boolean, String)}, naming two offending values (e.g. expected and actual). */
    public static void state(boolean condition, String message, long a, long b) {
        if (!condition) {
            throw new IllegalStateException(message + " [" + a + ", " + b + "]");
        }
    }

    /** Throws {@link IllegalArgumentException} unless {@code condition} holds: for caller errors. */
    public static void argument(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
