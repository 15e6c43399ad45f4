package io.raftmq.commitlog.io;

import java.io.IOException;

/** Raised by the storage port when the device has no space left (ENOSPC or quota); maps to DiskFullException. */
public final class NoSpaceException extends IOException {
    private static final long serialVersionUID = 1L;

    public NoSpaceException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Classifies an I/O error raised by the JDK: Linux reports ENOSPC only through the message text
     * ("No space left on device", "Disk quota exceeded").
     */
    public static IOException classify(IOException e, String what) {
        if (e instanceof NoSpaceException) {
            return e;
        }
        String m = e.getMessage();
        if (m != null && (m.contains("No space left") || m.contains("quota exceeded"))) {
            return new NoSpaceException(what + ": " + m, e);
        }
        return e;
    }
}
