package io.raftmq.chaos.check;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every member took part in the group to the end: no member silently dropped out. The observer's {@code role} samples
 * (value the member, detail {@code <role> term=T}, recorded on every change) say which term each member last
 * reported. Let L be the newest term in which some member was sampled as leader, at least {@link #GRACE_MS} before
 * the history's last event. A member whose last sample reports a lower term than L (and is not {@code down}) never
 * heard of that leader although it answered: its raft node stopped while the process kept serving, e.g. after a
 * storage check failed (the broker logs "raft node N failed; stopping it" and keeps answering with its last role).
 * A healthy member learns a new term from the first heartbeat (tens of milliseconds); a member down at the end is the
 * runner's business (it heals and waits for every member before it stops), not a violation here.
 */
public final class MemberChecker {
    /** How long before the end a leader must have been sampled for every member to be expected in its term. */
    static final double GRACE_MS = 2000;

    private MemberChecker() {
    }

    /**
     * Verdict.
     *
     * @param members    members sampled
     * @param leaderTerm the newest leader term sampled before the grace period (0: none)
     * @param stale      members whose last sample is in an older term (running but out of the group)
     * @param examples   the stale members
     */
    public record Result(long members, long leaderTerm, long stale, List<String> examples) implements CheckResult {
        @Override
        public String name() {
            return "members";
        }

        @Override
        public boolean valid() {
            return stale == 0;
        }

        @Override
        public Map<String, Object> counts() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("members", members);
            m.put("leader_term", leaderTerm);
            m.put("stale", stale);
            return m;
        }
    }

    public static Result check(History h, CheckInput in) {
        List<History.Event> events = h.events();
        long endNanos = events.isEmpty() ? h.startNanos() : events.get(events.size() - 1).nanos();
        long graceNanos = (long) (GRACE_MS * 1e6);
        Map<String, History.Event> last = new TreeMap<>();
        long leaderTerm = 0;
        String leader = null;
        long leaderNanos = 0;
        for (History.Event e : events) {
            if (!Conventions.OBSERVER.equals(e.process()) || !Conventions.ROLE.equals(e.op())) {
                continue;
            }
            last.put(e.value(), e);
            long term = Conventions.number(e.detail(), "term", -1);
            if (e.detail().startsWith(Conventions.LEADER + " ") && term > leaderTerm
                && endNanos - e.nanos() >= graceNanos) {
                leaderTerm = term;
                leader = e.value();
                leaderNanos = e.nanos();
            }
        }
        Examples ex = new Examples(in.examplesMax());
        long stale = 0;
        for (History.Event e : last.values()) {
            long term = Conventions.number(e.detail(), "term", -1);
            if (e.detail().startsWith("down") || term < 0 || term >= leaderTerm) {
                continue;
            }
            stale++;
            ex.add(e.value() + ": last reported " + e.detail() + " at " + HistoryJson.millis(e.nanos()
                - h.startNanos()) + " ms, but " + leader + " led term " + leaderTerm + " from "
                + HistoryJson.millis(leaderNanos - h.startNanos()) + " ms on");
        }
        return new Result(last.size(), leaderTerm, stale, ex.list());
    }
}
