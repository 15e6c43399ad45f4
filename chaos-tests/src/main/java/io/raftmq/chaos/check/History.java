package io.raftmq.chaos.check;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorded history of a chaos run, Jepsen style: each client operation appears as an {@code INVOKE} followed by
 * its completion, {@code OK} (acknowledged), {@code FAIL} (certainly not done) or {@code INFO} (outcome unknown,
 * e.g. a timeout: it may or may not have taken effect); faults and observations are {@code INFO} events of the
 * {@code nemesis} process. Timestamps are {@link System#nanoTime()} values; {@link #startNanos()} is time zero.
 *
 * <p>On disk ({@link #recordingTo}, {@link #writeTo}, {@link #read}) a history is JSON lines, one event a line in
 * recording order ({@link HistoryJson} draws the shape); a history read back has time zero 0 and each event's
 * {@code nanos} is its {@code time_ms} x 10^6, so every checker runs on a saved history as on a live one.
 *
 * <p>Thread-safe (appends are synchronized; the control plane of a test, not a hot path). With a file sink, each
 * event is written and flushed under the same lock, so the file's order is the recording order and a JVM that dies
 * leaves every event recorded before it died. A failed write closes the sink and is kept: {@link #close} throws it
 * (recording goes on in memory, so the run itself is not disturbed).
 */
public final class History implements AutoCloseable {
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

    private final long startNanos;
    private final List<Event> events = new ArrayList<>();
    /** Guarded by {@code events}; null without a sink or after it failed or closed. */
    private Writer sink;
    /** Guarded by {@code events}: the sink's first failure, thrown by {@link #close}. */
    private IOException sinkError;

    /** An empty history in memory; time zero is now. */
    public History() {
        this(System.nanoTime(), null);
    }

    private History(long startNanos, Writer sink) {
        this.startNanos = startNanos;
        this.sink = sink;
    }

    /**
     * An empty history in memory whose time zero is {@code startNanos}, for events {@link #append appended} with
     * their own times (hand-made histories in tests, replays).
     */
    public static History withTimeZero(long startNanos) {
        return new History(startNanos, null);
    }

    /**
     * An empty history that also writes each event, as it is recorded, to {@code file} as one JSON line (the file
     * is created or truncated). Close it to flush and close the file.
     */
    public static History recordingTo(Path file) throws IOException {
        return new History(System.nanoTime(), Files.newBufferedWriter(file, StandardCharsets.UTF_8));
    }

    /**
     * Reads a history saved as JSON lines (blank lines skipped); time zero is 0.
     *
     * @throws IOException naming the file and line of the first line that is not an event
     */
    public static History read(Path file) throws IOException {
        History h = new History(0, null);
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int n = 0;
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    h.append(HistoryJson.parse(line));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + " line " + n + ": " + e.getMessage(), e);
                }
            }
        }
        return h;
    }

    /** Writes every event so far to {@code file} as JSON lines (created or replaced). */
    public void writeTo(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            for (Event e : events()) {
                w.write(HistoryJson.line(e, startNanos));
                w.write('\n');
            }
        }
    }

    /** Flushes and closes the file sink, if any; throws the sink's first write failure, if one happened. */
    @Override
    public void close() throws IOException {
        synchronized (events) {
            if (sink != null) {
                try {
                    sink.close();
                } catch (IOException e) {
                    keep(e);
                }
                sink = null;
            }
            if (sinkError != null) {
                throw new IOException("history sink failed; the file misses events from the first failure on",
                    sinkError);
            }
        }
    }

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
        append(new Event(process, type, op, value, now, detail));
        return now;
    }

    /**
     * Records {@code e} as it is, with its own time: a replayed or hand-made event (tests plant events at exact
     * times this way). Events are kept in the order they are recorded, whatever their times.
     */
    public void append(Event e) {
        synchronized (events) {
            events.add(e);
            if (sink != null) {
                try {
                    sink.write(HistoryJson.line(e, startNanos));
                    sink.write('\n');
                    sink.flush();
                } catch (IOException x) {
                    keep(x);
                    closeAfterFailure();
                }
            }
        }
    }

    private void keep(IOException e) {
        if (sinkError == null) {
            sinkError = e;
        } else {
            sinkError.addSuppressed(e);
        }
    }

    private void closeAfterFailure() {
        try {
            sink.close();
        } catch (IOException e) {
            keep(e);
        }
        sink = null;
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
