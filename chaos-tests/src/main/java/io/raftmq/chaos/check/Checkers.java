package io.raftmq.chaos.check;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every checker on one history: {@code CheckReport report = Checkers.checkAll(history, input)}. The order of
 * the results is fixed: lost, duplicates, unexpected, offsets, order, committed-offsets, divergence, failover,
 * members.
 */
public final class Checkers {
    private Checkers() {
    }

    /**
     * Every checker's verdict. The divergence checker reads the replicas' files; if that fails (a directory missing
     * or unreadable), its result is a violation naming the error, since divergence could not be ruled out.
     */
    public static CheckReport checkAll(History h, CheckInput in) {
        return new CheckReport(List.of(
            LostChecker.check(h, in),
            DuplicateChecker.check(h, in),
            UnexpectedChecker.check(h, in),
            OffsetChecker.check(h, in),
            OrderChecker.check(h, in),
            CommittedOffsetChecker.check(h, in),
            divergence(in),
            FailoverChecker.check(h, in),
            MemberChecker.check(h, in)));
    }

    /** The divergence checker alone (e.g. over the replicas of a further broker group); an error is a violation. */
    public static CheckResult divergence(CheckInput in) {
        try {
            return DivergenceChecker.check(in);
        } catch (IOException | RuntimeException e) {
            return new Failed("divergence", e.toString());
        }
    }

    /**
     * A checker that could not run: a violation, with the error as its one example.
     *
     * @param name  the checker
     * @param error what went wrong
     */
    public record Failed(String name, String error) implements CheckResult {
        @Override
        public boolean valid() {
            return false;
        }

        @Override
        public Map<String, Object> counts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("error", 1L);
            return m;
        }

        @Override
        public List<String> examples() {
            return List.of("checker failed: " + error);
        }
    }
}
