package io.raftmq.client;

/**
 * Always-on invariant checks for the client module. A failed check means a bug or corrupted state, never an
 * operating error (those are typed exceptions documented on the API that raises them). Overloads instead of
 * varargs so a passing check allocates nothing; the message is formatted only when the check fails.
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

    /** As {@link #state(boolean, String)}, naming one offending value. */
    public static void state(boolean condition, String message, long a) {
        if (!condition) {
            throw new IllegalStateException(message + " [" + a + "]");
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
