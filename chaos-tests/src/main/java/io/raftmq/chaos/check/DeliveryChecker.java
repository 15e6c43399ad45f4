package io.raftmq.chaos.check;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks the delivery guarantee of a {@link History}: every send acknowledged ({@code OK "send" v}) must be consumed
 * afterwards ({@code OK "consume" v}, once per delivered copy). Reports acknowledged sends never consumed (lost: must
 * be 0), extra copies (duplicates: allowed at-least-once, counted), consumed values whose send was not acknowledged
 * (unknown or failed outcome that did take effect: allowed) and consumed values never sent at all (must be 0).
 */
public final class DeliveryChecker {
    private DeliveryChecker() {
    }

    /**
     * Result of one check.
     *
     * @param acknowledged   distinct values whose send was acknowledged
     * @param consumed       consumed copies in total
     * @param lost           acknowledged values never consumed (sorted, for the report)
     * @param duplicates     consumed copies beyond the first of each value
     * @param unackedPresent consumed values whose send was not acknowledged (its outcome was unknown or failed)
     * @param phantoms       consumed values that were never sent
     */
    public record Result(int acknowledged, int consumed, Set<String> lost, int duplicates, int unackedPresent,
                         Set<String> phantoms) {
        public boolean valid() {
            return lost.isEmpty() && phantoms.isEmpty();
        }

        @Override
        public String toString() {
            return "acknowledged=" + acknowledged + " consumed=" + consumed + " lost=" + lost.size()
                + (lost.isEmpty() ? "" : " " + first(lost)) + " duplicates=" + duplicates + " unackedPresent="
                + unackedPresent + " phantoms=" + phantoms.size() + (phantoms.isEmpty() ? "" : " " + first(phantoms));
        }

        private static String first(Set<String> s) {
            return s.stream().limit(10).toList().toString();
        }
    }

    public static Result check(History h) {
        Set<String> invoked = values(h.select(History.Type.INVOKE, "send"));
        Set<String> acked = values(h.select(History.Type.OK, "send"));
        Map<String, Integer> copies = new HashMap<>();
        List<History.Event> consumedEvents = h.select(History.Type.OK, "consume");
        for (History.Event e : consumedEvents) {
            copies.merge(e.value(), 1, Integer::sum);
        }
        Set<String> lost = new TreeSet<>();
        for (String v : acked) {
            if (!copies.containsKey(v)) {
                lost.add(v);
            }
        }
        int duplicates = 0;
        int unackedPresent = 0;
        Set<String> phantoms = new TreeSet<>();
        for (Map.Entry<String, Integer> c : copies.entrySet()) {
            duplicates += c.getValue() - 1;
            if (!invoked.contains(c.getKey())) {
                phantoms.add(c.getKey());
            } else if (!acked.contains(c.getKey())) {
                unackedPresent++;
            }
        }
        return new Result(acked.size(), consumedEvents.size(), lost, duplicates, unackedPresent, phantoms);
    }

    private static Set<String> values(List<History.Event> events) {
        Set<String> out = new HashSet<>();
        for (History.Event e : events) {
            out.add(e.value());
        }
        return out;
    }
}
