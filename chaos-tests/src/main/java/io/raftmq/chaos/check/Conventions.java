package io.raftmq.chaos.check;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the workloads, nemeses and observers record and what the checkers read: operation names, processes and the
 * {@code key=value} words of an event's detail (docs/chaos.md, "History"). A detail is words separated by spaces;
 * a word {@code k=v} sets k (later words win), other words are free text the checkers ignore. Values hold no spaces.
 *
 * <ul>
 *   <li>{@code send}: value = the unique message id; OK detail {@code queue=<brokerName>:<queueId>
 *       offset=<queueOffset>}, plus {@code key=K seq=N} in the ordered workload and optionally {@code addr=ip:port}
 *       (the broker that answered).
 *   <li>{@code consume}: one OK per message received, value = message id, detail {@code queue=.. offset=..
 *       group=..} (and {@code key= seq=} if the consumer knows them).
 *   <li>{@code session}: INFO of a consumer process, value = group: a new consumer session of that process starts
 *       (start, restart, rebalance, seek); order per queue is checked within a session.
 *   <li>{@code commit-offset}: OK, value {@code <group>:<brokerName>:<queueId>}, detail {@code offset=N}: a committed
 *       consumer offset read back from the broker. {@code reset-offset} (any type), same value and detail: an
 *       explicit reset, after which the offset may be lower.
 *   <li>process {@code nemesis}: op = nemesis name, INFO with detail {@code inject: ...} / {@code heal: ...}; value =
 *       the member(s) targeted, comma-separated (may be empty).
 *   <li>process {@code observer}, op {@code role}: value = member id, detail {@code <role> term=T} (role = leader,
 *       follower, candidate, down, ...).
 * </ul>
 */
public final class Conventions {
    public static final String SEND = "send";
    public static final String CONSUME = "consume";
    public static final String SESSION = "session";
    /** Consume detail word naming the listener kind; {@link #CONCURRENT} turns off the per-queue order check. */
    public static final String LISTENER = "listener";
    public static final String CONCURRENT = "concurrent";
    public static final String COMMIT_OFFSET = "commit-offset";
    public static final String RESET_OFFSET = "reset-offset";
    public static final String ROLE = "role";
    public static final String NEMESIS = "nemesis";
    public static final String OBSERVER = "observer";
    public static final String INJECT = "inject:";
    public static final String HEAL = "heal:";
    public static final String LEADER = "leader";

    private Conventions() {
    }

    /** The {@code k=v} words of a detail, in order (later words win); free words are skipped. */
    public static Map<String, String> words(String detail) {
        if (detail == null || detail.indexOf('=') < 0) {
            return Collections.emptyMap();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String w : detail.trim().split("\\s+")) {
            int eq = w.indexOf('=');
            if (eq > 0) {
                out.put(w.substring(0, eq), w.substring(eq + 1));
            }
        }
        return out;
    }

    /** The position a send OK or a consume names, {@code queue@offset}, or null when either word is missing. */
    public static String position(String detail) {
        Map<String, String> w = words(detail);
        String queue = w.get("queue");
        String offset = w.get("offset");
        return queue == null || offset == null ? null : queue + "@" + offset;
    }

    /** The {@code name=} word of {@code detail} as a long, or {@code absent} when missing or not a number. */
    public static long number(String detail, String name, long absent) {
        String v = words(detail).get(name);
        if (v == null) {
            return absent;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            return absent;
        }
    }

    /** Whether {@code e} is a nemesis event. */
    public static boolean isNemesis(History.Event e) {
        return NEMESIS.equals(e.process());
    }

    /** Whether {@code e} is a client operation (neither a nemesis nor an observer event). */
    public static boolean isClient(History.Event e) {
        return !NEMESIS.equals(e.process()) && !OBSERVER.equals(e.process());
    }
}
