package io.raftmq.chaos.report;

import io.raftmq.chaos.check.Conventions;
import io.raftmq.chaos.check.History;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the report's charts plot, taken from a history (times in seconds from its time zero): client completions per
 * second by type, the latency of each completed client operation, and each member's observed roles as intervals.
 *
 * <p>A completion's latency is measured from the latest {@code INVOKE} of the same process, op and value; a
 * completion with no such invoke (a consume event) has none. A member's role lasts from its {@code role} event to
 * its next one, or to the end of the history.
 */
final class Timeline {
    /** One completed client operation. */
    record Completion(History.Type type, double atS, double latencyMs) {
    }

    /** One stretch of a member's role. */
    record RoleSpan(String member, String role, double fromS, double toS) {
    }

    final double endS;
    final List<Completion> completions = new ArrayList<>();
    /** Per type, completions per whole second (key: second). */
    final Map<History.Type, TreeMap<Long, Integer>> perSecond = new HashMap<>();
    final List<RoleSpan> roles = new ArrayList<>();
    /** Members in order of first observation. */
    final List<String> members = new ArrayList<>();

    private Timeline(double endS) {
        this.endS = endS;
    }

    static Timeline of(History h) {
        List<History.Event> events = h.events();
        double end = events.isEmpty() ? 0 : seconds(h, events.get(events.size() - 1).nanos());
        Timeline t = new Timeline(end);
        Map<String, Long> invoked = new HashMap<>();
        Map<String, History.Event> lastRole = new HashMap<>();
        for (History.Event e : events) {
            if (Conventions.ROLE.equals(e.op()) && Conventions.OBSERVER.equals(e.process())) {
                t.role(h, lastRole, e);
            } else if (Conventions.isClient(e)) {
                t.client(h, invoked, e);
            }
        }
        for (History.Event e : lastRole.values()) {
            t.roles.add(new RoleSpan(e.value(), roleOf(e), seconds(h, e.nanos()), end));
        }
        return t;
    }

    private void client(History h, Map<String, Long> invoked, History.Event e) {
        String key = e.process() + '\u0000' + e.op() + '\u0000' + e.value();
        if (e.type() == History.Type.INVOKE) {
            invoked.put(key, e.nanos());
            return;
        }
        Long start = invoked.remove(key);
        double at = seconds(h, e.nanos());
        completions.add(new Completion(e.type(), at, start == null ? Double.NaN : (e.nanos() - start) / 1e6));
        perSecond.computeIfAbsent(e.type(), k -> new TreeMap<>()).merge((long) Math.floor(at), 1, Integer::sum);
    }

    private void role(History h, Map<String, History.Event> lastRole, History.Event e) {
        if (!members.contains(e.value())) {
            members.add(e.value());
        }
        History.Event prev = lastRole.put(e.value(), e);
        if (prev != null) {
            roles.add(new RoleSpan(prev.value(), roleOf(prev), seconds(h, prev.nanos()), seconds(h, e.nanos())));
        }
    }

    /** The role word of a role event's detail ("leader term=3" -> "leader"), or "unknown". */
    static String roleOf(History.Event e) {
        String d = e.detail().trim();
        int space = d.indexOf(' ');
        String word = space < 0 ? d : d.substring(0, space);
        return word.isEmpty() || word.contains("=") ? "unknown" : word;
    }

    static double seconds(History h, long nanos) {
        return (nanos - h.startNanos()) / 1e9;
    }
}
