package io.raftmq.commitlog;

/** {@link CommitLog#awaitDurable(long, long)} gave up: the position did not become durable within the timeout. */
public final class DurableTimeoutException extends CommitLogException {
    private static final long serialVersionUID = 1L;

    public DurableTimeoutException(long position, long durablePosition) {
        super("position " + position + " not durable in time; durable up to " + durablePosition);
    }
}
