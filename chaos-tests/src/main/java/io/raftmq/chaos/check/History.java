package io.raftmq.chaos.check;

import java.util.ArrayList;
import java.util.List;

/**
 * The recorded history of a chaos run, Jepsen style: each client operation appears as an {@code INVOKE} followed by
 * its completion, {@code OK} (acknowledged), {@code FAIL} (certainly not done) or {@code INFO} (outcome unknown,
 * e.g. a timeout: it may or may not have taken effect); faults and observations are {@code INFO} events of the
 * {@code nemesis} process. Timestamps are {@link System#nanoTime()} values; {@link #startNanos()} is time zero.
 *
 * <p>Thread-safe (appends are synchronized; the control plane of a test, not a hot path).
 */
public final class History {
    /** Kind of one event. */
    public enum Type { INVOKE, OK, FAIL, INFO }

    /**
     * One event.
     *
     * @param process  who acted: a client thread name or "nemesis"
     * @param type     invoke or completion kind
     * @param op       operation name ("send", "consume", "kill", ...)
     * @param value    the operation's value (message id, member id, ...)
     * @param nanos    {@link System#nanoTime()} when recorded
     * @param detail   free text (error, msgId, ...), may be empty
     */
    public record Event(String process, Type type, String op, String value, long nanos, String detail) {
    }

    private final long startNanos = System.nanoTime();
    private final List<Event> events = new ArrayList<>();

    public long startNanos() {
        return startNanos;
    }

    /** Records the invocation of {@code op} on {@code value}; returns its time. */
    public long invoke(String process, String op, String value) {
        return add(process, Type.INVOKE, op, value, "");
    }

    /** Records that the operation was acknowledged; returns its time. */
    public long ok(String process, String op, String value, String detail) {
        return add(process, Type.OK, op, value, detail);
    }

    /** Records that the operation certainly did not take effect. */
    public long fail(String process, String op, String value, String detail) {
        return add(process, Type.FAIL, op, value, detail);
    }

    /** Records an operation of unknown outcome, or a fault / observation. */
    public long info(String process, String op, String value, String detail) {
        return add(process, Type.INFO, op, value, detail);
    }

    private long add(String process, Type type, String op, String value, String detail) {
        long now = System.nanoTime();
        synchronized (events) {
            events.add(new Event(process, type, op, value, now, detail));
        }
        return now;
    }

    /** A copy of every event so far, in recording order. */
    public List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Events of {@code type} and {@code op}, in order. */
    public List<Event> select(Type type, String op) {
        List<Event> out = new ArrayList<>();
        for (Event e : events()) {
            if (e.type() == type && e.op().equals(op)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The first event of {@code type} and {@code op} recorded at or after {@code nanos}, or null. */
    public Event firstAfter(Type type, String op, long nanos) {
        for (Event e : events()) {
            if (e.type() == type && e.op().equals(op) && e.nanos() - nanos >= 0) {
                return e;
            }
        }
        return null;
    }

    /** Milliseconds from time zero to {@code nanos}. */
    public double millis(long nanos) {
        return (nanos - startNanos) / 1e6;
    }
}
