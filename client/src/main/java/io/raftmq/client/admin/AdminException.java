package io.raftmq.client.admin;

/**
 * An admin call that failed: the broker's or NameServer's response code and remark (docs/protocol.md §1.6), or
 * {@link #CLIENT_SIDE} when no answer came (unreachable, timed out, unreadable answer), and the address asked.
 */
public final class AdminException extends Exception {
    /** The code of a failure without an answer from the server. */
    public static final int CLIENT_SIDE = -1;
    private static final long serialVersionUID = 1L;

    private final int code;
    private final String remark;
    private final String address;

    public AdminException(int code, String remark, String address, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.remark = remark;
        this.address = address;
    }

    /** The server's response code, or {@link #CLIENT_SIDE}. */
    public int code() {
        return code;
    }

    /** The server's remark (null when it gave none, or for a client-side failure). */
    public String remark() {
        return remark;
    }

    /** The address that answered (or failed to), null when none was asked. */
    public String address() {
        return address;
    }
}
