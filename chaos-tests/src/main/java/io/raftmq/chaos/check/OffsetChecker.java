package io.raftmq.chaos.check;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Inconsistent offsets: one position ({@code queue@offset}) holding two different messages, or one message at two
 * positions, from every position the history names: the {@code queue= offset=} words of each send OK (where the
 * broker said it stored the message) and of each consume (where a consumer read it). Positions of different
 * brokers never clash (the queue names its broker). Either case is a violation: replicas or leaders disagreed on
 * what a committed position holds, or a message was stored twice.
 */
public final class OffsetChecker {
    private OffsetChecker() {
    }

    /**
     * Verdict.
     *
     * @param positions          distinct positions named
     * @param positionsTwoValues positions naming two or more messages
     * @param valuesTwoPositions messages named at two or more positions
     * @param examples           the clashes, with the events that named them
     */
    public record Result(long positions, long positionsTwoValues, long valuesTwoPositions, List<String> examples)
        implements CheckResult {
        @Override
        public String name() {
            return "offsets";
        }

        @Override
        public boolean valid() {
            return positionsTwoValues == 0 && valuesTwoPositions == 0;
        }

        @Override
        public Map<String, Object> counts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("positions", positions);
            m.put("positions_with_two_messages", positionsTwoValues);
            m.put("messages_at_two_positions", valuesTwoPositions);
            return m;
        }
    }

    public static Result check(History h, CheckInput in) {
        Map<String, Set<String>> byPosition = new LinkedHashMap<>();
        Map<String, Set<String>> byValue = new LinkedHashMap<>();
        for (History.Event e : h.events()) {
            boolean named = e.type() == History.Type.OK
                && (Conventions.SEND.equals(e.op()) || Conventions.CONSUME.equals(e.op()));
            String p = named ? Conventions.position(e.detail()) : null;
            if (p != null) {
                byPosition.computeIfAbsent(p, k -> new LinkedHashSet<>()).add(e.value());
                byValue.computeIfAbsent(e.value(), k -> new LinkedHashSet<>()).add(p);
            }
        }
        Examples ex = new Examples(in.examplesMax());
        long twoValues = 0;
        for (Map.Entry<String, Set<String>> p : byPosition.entrySet()) {
            if (p.getValue().size() > 1) {
                twoValues++;
                ex.add("position " + p.getKey() + " holds " + p.getValue());
            }
        }
        long twoPositions = 0;
        for (Map.Entry<String, Set<String>> v : byValue.entrySet()) {
            if (v.getValue().size() > 1) {
                twoPositions++;
                ex.add("message " + v.getKey() + " at " + v.getValue());
            }
        }
        return new Result(byPosition.size(), twoValues, twoPositions, ex.list());
    }
}
