package io.raftmq.testsupport;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

import java.time.Duration;

/**
 * Waiting in tests: a condition polled until it holds or a deadline passes, never a sleep. Thin defaults over
 * Awaitility so every test polls the same way: check at once, then every 10 ms, on the calling thread (fixtures such
 * as EmbeddedChannel are not thread-safe), and name the condition so a timeout says what was awaited. Example:
 * {@code Awaits.await("leader elected").atMost(ofSeconds(10)).until(() -> ...)}.
 */
public final class Awaits {
    /** The deadline when a test names none. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Awaits() {
    }

    /**
     * A condition factory named {@code what}, polling on the calling thread every 10 ms from now, with
     * {@link #DEFAULT_TIMEOUT}; chain {@code atMost}, {@code pollInterval} to change either.
     */
    public static ConditionFactory await(String what) {
        return Awaitility.await(what)
                .pollInSameThread()
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10))
                .atMost(DEFAULT_TIMEOUT);
    }
}
