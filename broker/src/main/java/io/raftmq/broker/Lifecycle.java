package io.raftmq.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The one start/stop list of a broker member: each component is recorded right after it started, with how to stop
 * it, and {@link #stop} stops them in reverse order. A step is either plain (the same action for a graceful stop and
 * for a halt: close a socket, stop a pool) or graceful-only (drain sends, hand leadership over, unregister, final
 * saves), or has a separate abrupt form ({@link #add(String, Action, Action)}). {@link #halt} runs the same list
 * without the graceful-only steps, as if the process died.
 *
 * <p>A failing step is logged and the next one still runs (a stop must release everything it can). Each recorded
 * step runs at most once: the list is emptied by the first stop or halt.
 *
 * <p>Threads: the owner calls it under its own lock ({@link BrokerController}'s start/shutdown/halt).
 */
final class Lifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    /** A stop action; may throw (logged, the stop goes on). */
    @FunctionalInterface
    interface Action {
        void run() throws Exception;
    }

    private record Step(String name, Action graceful, Action abrupt) {
    }

    private final Deque<Step> started = new ArrayDeque<>();

    /** Records a started component stopped by {@code stop} both in {@link #stop} and in {@link #halt}. */
    void add(String name, Action stop) {
        add(name, stop, stop);
    }

    /**
     * Records a started component: {@code graceful} runs in {@link #stop}, {@code abrupt} in {@link #halt} (null:
     * nothing on halt, the step is graceful-only).
     */
    void add(String name, Action graceful, Action abrupt) {
        started.push(new Step(name, graceful, abrupt));
    }

    /** Records a graceful-only step: it runs in {@link #stop}, not in {@link #halt}. */
    void addGraceful(String name, Action graceful) {
        add(name, graceful, null);
    }

    /** Stops every recorded component, last started first. */
    void stop() {
        run(true);
    }

    /** As {@link #stop} without the graceful-only steps (and with each step's abrupt form). */
    void halt() {
        run(false);
    }

    /** The names of the recorded steps, next to stop first (tests, logs). */
    List<String> names() {
        List<String> l = new ArrayList<>();
        for (Step s : started) {
            l.add(s.name());
        }
        return l;
    }

    private void run(boolean graceful) {
        while (!started.isEmpty()) {
            Step s = started.pop();
            Action a = graceful ? s.graceful() : s.abrupt();
            if (a == null) {
                continue;
            }
            try {
                a.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                LOG.warn("interrupted while stopping {}", s.name());
            } catch (Exception e) { // stop boundary: report, keep stopping the rest
                LOG.error("stopping {} failed", s.name(), e);
            }
        }
    }
}
