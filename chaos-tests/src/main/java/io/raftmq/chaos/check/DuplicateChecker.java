package io.raftmq.chaos.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Messages consumed more than once. At-least-once delivery allows a message to be delivered again (a consumer that
 * restarts before committing its offset reads it again), so duplicates are counted and reported, and fail the check
 * only beyond {@link CheckInput#duplicatesMax()} when a bound is given. A message delivered at two different
 * positions ({@code queue@offset} of its consume details) is always a violation: the broker stored it twice (or
 * served one position with two messages, which {@link OffsetChecker} also reports). A producer that retries a send
 * inside the client with the same id can cause exactly that, so the workloads give each attempt its own id.
 */
public final class DuplicateChecker {
    private DuplicateChecker() {
    }

    /**
     * Verdict.
     *
     * @param consumed           consume events in total
     * @param distinct           distinct messages consumed
     * @param duplicates         copies beyond the first of each message
     * @param duplicatedMessages messages consumed more than once
     * @param atTwoPositions     messages consumed at two or more different positions (violations)
     * @param bound              the bound on duplicates, -1 for none
     * @param examples           duplicated messages with their positions, violations first
     */
    public record Result(long consumed, long distinct, long duplicates, long duplicatedMessages, long atTwoPositions,
                         long bound, List<String> examples) implements CheckResult {
        @Override
        public String name() {
            return "duplicates";
        }

        @Override
        public boolean valid() {
            return atTwoPositions == 0 && (bound < 0 || duplicates <= bound);
        }

        @Override
        public Map<String, Object> counts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("consumed", consumed);
            m.put("distinct", distinct);
            m.put("duplicates", duplicates);
            m.put("duplicated_messages", duplicatedMessages);
            m.put("at_two_positions", atTwoPositions);
            m.put("bound", bound);
            return m;
        }
    }

    public static Result check(History h, CheckInput in) {
        Map<String, Integer> copies = new LinkedHashMap<>();
        Map<String, Set<String>> positions = new LinkedHashMap<>();
        List<History.Event> consumes = h.select(History.Type.OK, Conventions.CONSUME);
        for (History.Event e : consumes) {
            copies.merge(e.value(), 1, Integer::sum);
            String p = Conventions.position(e.detail());
            if (p != null) {
                positions.computeIfAbsent(e.value(), v -> new LinkedHashSet<>()).add(p);
            }
        }
        long duplicates = 0;
        long duplicated = 0;
        long twoPositions = 0;
        Examples violations = new Examples(in.examplesMax());
        Examples others = new Examples(in.examplesMax());
        for (Map.Entry<String, Integer> c : copies.entrySet()) {
            if (c.getValue() < 2) {
                continue;
            }
            duplicates += c.getValue() - 1;
            duplicated++;
            Set<String> at = positions.getOrDefault(c.getKey(), Set.of());
            String line = c.getKey() + " consumed " + c.getValue() + " times at " + at;
            if (at.size() > 1) {
                twoPositions++;
                violations.add("at two positions: " + line);
            } else {
                others.add(line);
            }
        }
        List<String> examples = new ArrayList<>(violations.list());
        for (String o : others.list()) {
            if (examples.size() < in.examplesMax()) {
                examples.add(o);
            }
        }
        return new Result(consumes.size(), copies.size(), duplicates, duplicated, twoPositions, in.duplicatesMax(),
            List.copyOf(examples));
    }
}
