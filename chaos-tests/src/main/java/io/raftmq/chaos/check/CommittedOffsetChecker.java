package io.raftmq.chaos.check;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Committed consumer offsets never move backward. Each {@code OK "commit-offset"} event (value
 * {@code <group>:<brokerName>:<queueId>}, detail {@code offset=N}) is an offset read back from the broker; per value,
 * in history order, N must never be lower than the highest seen before, unless a {@code reset-offset} event of the
 * same value came in between (an explicit reset: its {@code offset=} becomes the new floor, or no floor if absent).
 * A rewind is a violation: a new leader lost committed consumer offsets, and consumers would re-read.
 */
public final class CommittedOffsetChecker {
    private CommittedOffsetChecker() {
    }

    /**
     * Verdict.
     *
     * @param observations committed offsets read
     * @param queues       distinct (group, queue) pairs
     * @param resets       explicit resets
     * @param rewinds      observations lower than the floor
     * @param examples     the rewinds
     */
    public record Result(long observations, long queues, long resets, long rewinds, List<String> examples)
        implements CheckResult {
        @Override
        public String name() {
            return "committed-offsets";
        }

        @Override
        public boolean valid() {
            return rewinds == 0;
        }

        @Override
        public Map<String, Object> counts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("observations", observations);
            m.put("queues", queues);
            m.put("resets", resets);
            m.put("rewinds", rewinds);
            return m;
        }
    }

    public static Result check(History h, CheckInput in) {
        Map<String, Long> floor = new HashMap<>();
        long observations = 0;
        long resets = 0;
        long rewinds = 0;
        Examples ex = new Examples(in.examplesMax());
        for (History.Event e : h.events()) {
            if (Conventions.RESET_OFFSET.equals(e.op()) && e.type() != History.Type.INVOKE
                && e.type() != History.Type.FAIL) {
                resets++;
                floor.put(e.value(), Conventions.number(e.detail(), "offset", -1));
            } else if (Conventions.COMMIT_OFFSET.equals(e.op()) && e.type() == History.Type.OK) {
                long offset = Conventions.number(e.detail(), "offset", -1);
                if (offset < 0) {
                    continue;
                }
                observations++;
                long prev = floor.getOrDefault(e.value(), -1L);
                if (offset < prev) {
                    rewinds++;
                    ex.add(e.value() + ": offset " + offset + " after " + prev + " at "
                        + HistoryJson.millis(e.nanos() - h.startNanos()) + " ms");
                }
                floor.put(e.value(), Math.max(prev, offset));
            }
        }
        return new Result(observations, floor.size(), resets, rewinds, ex.list());
    }
}
