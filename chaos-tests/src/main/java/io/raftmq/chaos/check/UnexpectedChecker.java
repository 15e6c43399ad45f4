package io.raftmq.chaos.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Messages consumed that the run cannot explain: never sent at all (no {@code INVOKE "send"} of that id), or sent
 * and answered {@code FAIL} only (a FAIL means the send certainly did not take effect; a workload that cannot be
 * sure records INFO). Both are violations: the broker served data nobody wrote, or wrote data it said it did not.
 */
public final class UnexpectedChecker {
    private UnexpectedChecker() {
    }

    /**
     * Verdict.
     *
     * @param consumedDistinct  distinct messages consumed
     * @param neverSent         consumed, never invoked
     * @param failedButConsumed consumed though every send of it was answered FAIL
     * @param examples          the messages, never-sent first
     */
    public record Result(long consumedDistinct, long neverSent, long failedButConsumed, List<String> examples)
        implements CheckResult {
        @Override
        public String name() {
            return "unexpected";
        }

        @Override
        public boolean valid() {
            return neverSent == 0 && failedButConsumed == 0;
        }

        @Override
        public Map<String, Object> counts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("consumed_distinct", consumedDistinct);
            m.put("never_sent", neverSent);
            m.put("failed_but_consumed", failedButConsumed);
            return m;
        }
    }

    public static Result check(History h, CheckInput in) {
        Set<String> invoked = new HashSet<>();
        Set<String> notFailed = new HashSet<>();
        Set<String> consumed = new LinkedHashSet<>();
        for (History.Event e : h.events()) {
            if (Conventions.SEND.equals(e.op())) {
                if (e.type() == History.Type.INVOKE) {
                    invoked.add(e.value());
                } else if (e.type() != History.Type.FAIL) {
                    notFailed.add(e.value());
                }
            } else if (Conventions.CONSUME.equals(e.op()) && e.type() == History.Type.OK) {
                consumed.add(e.value());
            }
        }
        Examples never = new Examples(in.examplesMax());
        Examples failed = new Examples(in.examplesMax());
        for (String v : consumed) {
            if (!invoked.contains(v)) {
                never.add("never sent: " + v);
            } else if (!notFailed.contains(v)) {
                failed.add("send failed, yet consumed: " + v);
            }
        }
        List<String> examples = new ArrayList<>(never.list());
        examples.addAll(failed.list());
        return new Result(consumed.size(), never.total(), failed.total(),
            List.copyOf(examples.subList(0, Math.min(examples.size(), in.examplesMax()))));
    }
}
