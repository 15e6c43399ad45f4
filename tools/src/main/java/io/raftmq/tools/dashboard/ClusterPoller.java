package io.raftmq.tools.dashboard;

import io.raftmq.client.admin.ClusterStatus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the dashboard knows of the cluster: the latest {@link ClusterStatus} a poll returned, a bounded history of
 * each group's commit index and follower lag per member (one sample per poll, for the Raft panel's chart), and each
 * group's leader changes (a new leader or a new term, for the timeline). Fed by {@link #record} or {@link #failed}
 * once per poll, from one thread; {@link #view} is read by the HTTP threads. No I/O and no clock of its own (the
 * caller passes the time): the tests drive it with hand-made statuses.
 *
 * <p>Lag of a member = the group leader's last log index minus the member's (entries it has not yet received);
 * the leader is the member that answers LEADER with the highest term, as in {@link ClusterStatus.Group#leaders()}.
 * Members are sorted by raft id.
 * Invariant: every group's history holds at most {@code samplesMax} samples and its timeline at most
 * {@code changesMax} entries, oldest first.
 */
public final class ClusterPoller {
    /** One leader change: at {@code timeMs} the group was led by {@code selfId} at {@code address} in {@code term}. */
    public record LeaderChange(long timeMs, String selfId, String address, long term) {
    }

    /** One poll's sample of a group: per member id, its commit index and lag (null: it did not answer). */
    public record Sample(long timeMs, Map<String, Long> commit, Map<String, Long> lag) {
    }

    /** A consistent copy for one HTTP answer. */
    public record View(long timeMs, String error, ClusterStatus status, Map<String, List<Sample>> history,
                       Map<String, List<LeaderChange>> changes) {
    }

    /** The error of a member seen before that the NameServer no longer lists. */
    static final String NOT_REGISTERED = "not registered at the NameServer (stopped or unreachable)";

    private final int samplesMax;
    private final int changesMax;
    private final LongSupplier clockMs;
    private final Map<String, Deque<Sample>> history = new LinkedHashMap<>();
    private final Map<String, Deque<LeaderChange>> changes = new LinkedHashMap<>();
    /** Per group, every member seen so far by raft id, in the order first seen. */
    private final Map<String, Map<String, ClusterStatus.Member>> seen = new LinkedHashMap<>();
    private ClusterStatus latest = new ClusterStatus(List.of());
    private String error = "no poll yet";
    private long lastPollMs;

    public ClusterPoller(int samplesMax, int changesMax, LongSupplier clockMs) {
        if (samplesMax < 1 || changesMax < 1) {
            throw new IllegalArgumentException("samplesMax and changesMax must be >= 1, got " + samplesMax + " and "
                + changesMax);
        }
        this.samplesMax = samplesMax;
        this.changesMax = changesMax;
        this.clockMs = clockMs;
    }

    /**
     * One successful poll. A member seen before that the NameServer no longer lists (its connection closed: stopped
     * or killed) is kept in the status as unreachable, "not registered", so the page shows it down rather than gone.
     */
    public synchronized void record(ClusterStatus polled) {
        long now = clockMs.getAsLong();
        ClusterStatus status = withMissingMembers(polled);
        latest = status;
        error = null;
        lastPollMs = now;
        for (ClusterStatus.Group g : status.groups()) {
            ClusterStatus.Member leader = leaderOf(g);
            sample(g, leader, now);
            noteLeader(g.name(), leader, now);
        }
    }

    private ClusterStatus withMissingMembers(ClusterStatus polled) {
        List<ClusterStatus.Group> groups = new ArrayList<>();
        for (ClusterStatus.Group g : polled.groups()) {
            Map<String, ClusterStatus.Member> known = seen.computeIfAbsent(g.name(), k -> new LinkedHashMap<>());
            Map<String, ClusterStatus.Member> now = new LinkedHashMap<>();
            for (ClusterStatus.Member m : g.members()) {
                now.put(idOf(m), m);
                known.put(idOf(m), m);
            }
            List<ClusterStatus.Member> members = new ArrayList<>(g.members());
            known.forEach((id, m) -> {
                if (!now.containsKey(id)) {
                    members.add(new ClusterStatus.Member(m.address(), m.brokerId(), false, null, m.selfId(), -1, -1,
                        -1, -1, "", NOT_REGISTERED));
                }
            });
            members.sort((a, b) -> idOf(a).compareTo(idOf(b)));
            groups.add(new ClusterStatus.Group(g.cluster(), g.name(), g.leader(), members));
        }
        return new ClusterStatus(groups);
    }

    /** A poll that failed as a whole (the NameServer did not answer): the last status stays, marked stale. */
    public synchronized void failed(String why) {
        error = why;
        lastPollMs = clockMs.getAsLong();
    }

    public synchronized View view() {
        Map<String, List<Sample>> h = new LinkedHashMap<>();
        history.forEach((k, v) -> h.put(k, List.copyOf(v)));
        Map<String, List<LeaderChange>> c = new LinkedHashMap<>();
        changes.forEach((k, v) -> c.put(k, List.copyOf(v)));
        return new View(lastPollMs, error, latest, h, c);
    }

    /** The reachable member answering LEADER with the highest term, or null. */
    static ClusterStatus.Member leaderOf(ClusterStatus.Group g) {
        ClusterStatus.Member best = null;
        for (ClusterStatus.Member m : g.leaders()) {
            if (m.reachable() && (best == null || m.term() > best.term())) {
                best = m;
            }
        }
        return best;
    }

    /** Entries {@code m} lacks against {@code leader}'s log; null when either is unknown. */
    static Long lagOf(ClusterStatus.Member leader, ClusterStatus.Member m) {
        if (leader == null || !m.reachable() || m.lastIndex() < 0) {
            return null;
        }
        return Math.max(0, leader.lastIndex() - m.lastIndex());
    }

    private void sample(ClusterStatus.Group g, ClusterStatus.Member leader, long now) {
        Map<String, Long> commit = new LinkedHashMap<>();
        Map<String, Long> lag = new LinkedHashMap<>();
        for (ClusterStatus.Member m : g.members()) {
            String id = idOf(m);
            commit.put(id, m.reachable() ? m.commitIndex() : null);
            lag.put(id, lagOf(leader, m));
        }
        Deque<Sample> d = history.computeIfAbsent(g.name(), k -> new ArrayDeque<>());
        d.addLast(new Sample(now, commit, lag));
        while (d.size() > samplesMax) {
            d.removeFirst();
        }
    }

    private void noteLeader(String group, ClusterStatus.Member leader, long now) {
        if (leader == null) {
            return;
        }
        Deque<LeaderChange> d = changes.computeIfAbsent(group, k -> new ArrayDeque<>());
        LeaderChange last = d.peekLast();
        String id = idOf(leader);
        if (last != null && last.selfId().equals(id) && last.term() == leader.term()) {
            return;
        }
        d.addLast(new LeaderChange(now, id, leader.address(), leader.term()));
        while (d.size() > changesMax) {
            d.removeFirst();
        }
    }

    /** The member's raft id, or its address for a broker that does not report one. */
    static String idOf(ClusterStatus.Member m) {
        return m.selfId() != null && !m.selfId().isEmpty() ? m.selfId() : m.address();
    }

    /** Groups in the latest status, for tests. */
    synchronized List<String> groupNames() {
        List<String> out = new ArrayList<>();
        latest.groups().forEach(g -> out.add(g.name()));
        return out;
    }
}
