package io.raftmq.naming;

/**
 * Always-on invariant checks for the naming module. A failed check is a bug, never an operating error (those are
 * typed exceptions or response codes). Overloads instead of varargs, so a passing check allocates nothing.
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

    /** As {@link #state(boolean, String)}, naming two offending values. */
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
