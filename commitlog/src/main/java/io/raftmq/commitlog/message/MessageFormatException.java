package io.raftmq.commitlog.message;

/**
 * Raised when bytes that should hold a stored message, a batch body, a properties string or a msgId do not
 * decode: wrong magic, lengths that overrun the record or the buffer, sizes that disagree. It is an operating
 * error (the bytes came from a client, a peer or a disk), never a bug of this module.
 */
public final class MessageFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the field and the offending value. */
    public MessageFormatException(String message) {
        super(message);
    }
}
