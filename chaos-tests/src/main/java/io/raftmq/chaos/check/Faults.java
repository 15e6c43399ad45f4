package io.raftmq.chaos.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fault windows of a history: each nemesis {@code inject:} event opens a window named by its op, closed by the
 * next {@code heal:} event of the same op (or by the history's last event when it was never healed).
 */
public final class Faults {
    private Faults() {
    }

    /**
     * One fault.
     *
     * @param nemesis    the nemesis (the events' op)
     * @param targets    the members targeted (the inject event's value, comma-separated), may be empty
     * @param startNanos the inject event's time
     * @param endNanos   the heal event's time, or the last event's time if not healed
     * @param healed     whether a heal event closed it
     * @param detail     the inject event's detail
     */
    public record Window(String nemesis, List<String> targets, long startNanos, long endNanos, boolean healed,
                         String detail) {
    }

    /** The windows in the order their faults were injected. */
    public static List<Window> of(History h) {
        List<History.Event> events = h.events();
        long last = events.isEmpty() ? h.startNanos() : events.get(events.size() - 1).nanos();
        List<Window> out = new ArrayList<>();
        Map<String, List<Integer>> open = new HashMap<>();
        for (History.Event e : events) {
            if (!Conventions.isNemesis(e)) {
                continue;
            }
            if (e.detail().startsWith(Conventions.INJECT)) {
                open.computeIfAbsent(e.op(), k -> new ArrayList<>()).add(out.size());
                out.add(new Window(e.op(), targets(e.value()), e.nanos(), last, false, e.detail()));
            } else if (e.detail().startsWith(Conventions.HEAL)) {
                List<Integer> o = open.getOrDefault(e.op(), List.of());
                for (int i : o) {
                    Window w = out.get(i);
                    out.set(i, new Window(w.nemesis(), w.targets(), w.startNanos(), e.nanos(), true, w.detail()));
                }
                open.remove(e.op());
            }
        }
        return out;
    }

    /** The members named by a comma-separated value, blanks dropped. */
    static List<String> targets(String value) {
        List<String> out = new ArrayList<>();
        for (String t : value.split(",")) {
            if (!t.isBlank()) {
                out.add(t.trim());
            }
        }
        return out;
    }
}
