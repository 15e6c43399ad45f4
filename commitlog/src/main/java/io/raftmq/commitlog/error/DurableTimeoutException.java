package io.raftmq.commitlog.error;

/**
 * A wait for durability gave up: {@code CommitLog.awaitDurable} (the position did not become durable within the
 * timeout) or {@code CommitLog.appendCoalesced} (the message says whether anything was written).
 */
public final class DurableTimeoutException extends CommitLogException {
    private static final long serialVersionUID = 1L;

    public DurableTimeoutException(long position, long durablePosition) {
        super("position " + position + " not durable in time; durable up to " + durablePosition);
    }

    public DurableTimeoutException(String message) {
        super(message);
    }
}
