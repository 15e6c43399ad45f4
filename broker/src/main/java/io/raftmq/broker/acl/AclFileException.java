package io.raftmq.broker.acl;

/** An ACL file that cannot be read or is not valid; the message names the file and the faulty entry. */
public final class AclFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public AclFileException(String message) {
        super(message);
    }

    public AclFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
