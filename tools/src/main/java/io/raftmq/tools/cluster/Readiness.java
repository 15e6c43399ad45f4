package io.raftmq.tools.cluster;

import io.raftmq.tools.cluster.ClusterProbe.MemberState;
import io.raftmq.tools.cluster.ClusterProbe.Route;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Whether a local cluster is in working order, from one round of {@link ClusterProbe} answers; the verdict is
 * null (ready) or a one-line reason naming what is wrong. {@link #up} is what {@code status} requires: the
 * NameServer answers, every member answers, exactly one member leads. {@link #settled} is what {@code start} and
 * {@code restart} wait for: that, and every member follows that leader in its term, and the NameServer routes
 * it as the group's brokerId 0.
 */
final class Readiness {
    private Readiness() {
    }

    /** Null when the NameServer and every member are up with exactly one leader, else the reason. */
    static String up(String namesrv, Route route, List<MemberState> members) {
        List<String> problems = new ArrayList<>();
        if (!route.up()) {
            problems.add("NameServer " + namesrv + " unreachable: " + route.error());
        }
        for (MemberState m : members) {
            if (!m.up()) {
                problems.add(m.name() + " (" + m.addr() + ") unreachable: " + m.error());
            }
        }
        if (!problems.isEmpty()) {
            return String.join("; ", problems);
        }
        List<MemberState> leaders = members.stream().filter(MemberState::leader).toList();
        if (leaders.isEmpty()) {
            return "no leader (" + members.stream().map(m -> m.name() + " " + m.role() + " term " + m.term())
                .collect(Collectors.joining(", ")) + ")";
        }
        if (leaders.size() > 1) {
            return leaders.size() + " leaders: " + leaders.stream().map(m -> m.name() + " (term " + m.term() + ")")
                .collect(Collectors.joining(", "));
        }
        return null;
    }

    /** {@link #up}, and every member follows the one leader in its term, and the NameServer routes that leader. */
    static String settled(String namesrv, String group, Route route, List<MemberState> members) {
        String reason = up(namesrv, route, members);
        if (reason != null) {
            return reason;
        }
        MemberState leader = leader(members);
        for (MemberState m : members) {
            if (m.term() != leader.term() || !leader.addr().equals(m.leaderAddr())) {
                return m.name() + " has not joined " + leader.name() + "'s term " + leader.term() + " yet (term "
                    + m.term() + ", leader " + (m.leaderAddr().isEmpty() ? "unknown" : m.leaderAddr()) + ")";
            }
        }
        if (!leader.addr().equals(route.leaderAddr())) {
            return "the NameServer routes " + (route.leaderAddr() == null ? "no leader" : route.leaderAddr())
                + " for " + group + ", not yet " + leader.name() + " (" + leader.addr() + ")";
        }
        return null;
    }

    /** Null when every member applied at least {@code index}, else who lags. */
    static String caughtUp(List<MemberState> members, long index) {
        List<String> behind = new ArrayList<>();
        for (MemberState m : members) {
            if (m.appliedIndex() < index) {
                behind.add(m.name() + " applied " + m.appliedIndex());
            }
        }
        return behind.isEmpty() ? null : "not caught up to index " + index + ": " + String.join(", ", behind);
    }

    /** The member that leads (callers checked there is exactly one). */
    static MemberState leader(List<MemberState> members) {
        return members.stream().filter(MemberState::leader).findFirst()
            .orElseThrow(() -> new IllegalStateException("no leader"));
    }
}
