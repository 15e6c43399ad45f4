package io.raftmq.broker;

import java.io.IOException;

/**
 * A broker member could not bind one of its listening ports (its client port or its Raft port). Thrown by
 * {@link BrokerController#start} before the member opened its store or sent anything to its group: it has taken no
 * part in the group. The message reads {@code cannot bind <host>:<port> (<which port>): <reason>}, e.g.
 * {@code cannot bind 127.0.0.1:10921 (client port): Address already in use}.
 */
public final class BrokerBindException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param host  the configured listen host
     * @param port  the configured port
     * @param which {@code client port}, {@code metrics port} or {@code raft port}
     * @param cause the bind failure
     */
    public BrokerBindException(String host, int port, String which, Throwable cause) {
        super("cannot bind " + host + ":" + port + " (" + which + "): " + reason(cause), cause);
    }

    /** The innermost message of {@code t}'s cause chain (the operating system's, e.g. "Address already in use"). */
    static String reason(Throwable t) {
        String reason = t.toString();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null) {
                reason = c.getMessage();
            }
        }
        return reason;
    }
}
