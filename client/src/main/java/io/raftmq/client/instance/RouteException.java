package io.raftmq.client.instance;

/**
 * A topic's route could not be had: no NameServer answered, the answer was unreadable, or neither the topic nor the
 * auto-create template TBW102 is routed. Unchecked because it travels inside futures; the producer turns it into a
 * failed send.
 */
public final class RouteException extends RuntimeException {
    public RouteException(String message) {
        super(message);
    }

    public RouteException(String message, Throwable cause) {
        super(message, cause);
    }
}
