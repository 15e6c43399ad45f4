package io.raftmq.chaos.check;

/**
 * A hand-made history for checker tests: events at explicit times (ms from time zero 0; each event 1 ms after the
 * previous unless {@link #at} moves the clock), with shorthands for the workload conventions of docs/chaos.md.
 */
final class Hand {
    final History h = History.withTimeZero(0);
    private long ms;

    Hand at(long timeMs) {
        ms = timeMs;
        return this;
    }

    Hand event(String process, History.Type type, String op, String value, String detail) {
        h.append(new History.Event(process, type, op, value, ms * 1_000_000L, detail));
        ms++;
        return this;
    }

    /** An acknowledged send of {@code v} stored at {@code queue@offset}, plus extra detail words. */
    Hand sent(String v, String queue, long offset, String extra) {
        event("p", History.Type.INVOKE, "send", v, "");
        return event("p", History.Type.OK, "send", v, ("queue=" + queue + " offset=" + offset + " " + extra).trim());
    }

    Hand sentUnknown(String v) {
        event("p", History.Type.INVOKE, "send", v, "");
        return event("p", History.Type.INFO, "send", v, "timeout");
    }

    Hand sentFailed(String v) {
        event("p", History.Type.INVOKE, "send", v, "");
        return event("p", History.Type.FAIL, "send", v, "SYSTEM_BUSY");
    }

    Hand consumed(String consumer, String v, String queue, long offset) {
        return event(consumer, History.Type.OK, "consume", v, "queue=" + queue + " offset=" + offset + " group=g");
    }

    Hand session(String consumer) {
        return event(consumer, History.Type.INFO, "session", "g", "start");
    }

    Hand committed(String key, long offset) {
        return event("c", History.Type.OK, "commit-offset", key, "offset=" + offset);
    }

    Hand role(String member, String role, long term) {
        return event("observer", History.Type.INFO, "role", member, role + " term=" + term);
    }

    Hand nemesis(String name, String targets, String detail) {
        return event("nemesis", History.Type.INFO, name, targets, detail);
    }
}
