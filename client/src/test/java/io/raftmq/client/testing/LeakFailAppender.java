package io.raftmq.client.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import java.util.ArrayList;
import java.util.List;

/**
 * Logback appender that records every Netty resource-leak report ("LEAK: ..." logged by
 * {@code io.netty.util.ResourceLeakDetector}) so {@link NettyLeakExtension} can fail the test run. Attach it to the
 * {@code io.netty.util.ResourceLeakDetector} logger in logback-test.xml (see client/README.md for reuse from other
 * modules through the client test-jar).
 */
public final class LeakFailAppender extends AppenderBase<ILoggingEvent> {
    private static final List<String> LEAKS = new ArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String msg = event.getFormattedMessage();
        if (msg != null && msg.contains("LEAK:")) {
            synchronized (LEAKS) {
                LEAKS.add(msg);
            }
        }
    }

    /** Returns and clears the leak reports seen so far. */
    public static List<String> drain() {
        synchronized (LEAKS) {
            List<String> copy = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return copy;
        }
    }

    /** Whether the appender is attached (it records nothing otherwise, which would hide leaks). */
    static volatile boolean attached;

    @Override
    public void start() {
        attached = true;
        super.start();
    }
}
