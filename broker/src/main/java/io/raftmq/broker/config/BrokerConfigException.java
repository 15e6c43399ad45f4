package io.raftmq.broker.config;

/**
 * A broker configuration that cannot be used: the file is unreadable, a required key is missing, a key is unknown,
 * a value does not parse or is out of range, or two settings contradict each other. The message names the file
 * and the key. Raised once, at load time ({@link BrokerConfig#load}); the broker does not start.
 */
public final class BrokerConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public BrokerConfigException(String message) {
        super(message);
    }

    public BrokerConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
