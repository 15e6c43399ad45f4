package io.raftmq.broker.filter;

/**
 * A SQL92 subscription expression that cannot be compiled (docs/consumer-protocol.md "SQL92 filters"): the message
 * names the problem and the character position it was found at, and is what the client sees as the remark of its
 * refusal.
 */
public final class SqlFilterException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int position;

    /**
     * @param message  what is wrong
     * @param position 0-based character position in the expression where it was found
     */
    public SqlFilterException(String message, int position) {
        super(message + " at position " + position);
        this.position = position;
    }

    /** The 0-based character position in the expression where the problem was found. */
    public int position() {
        return position;
    }
}
