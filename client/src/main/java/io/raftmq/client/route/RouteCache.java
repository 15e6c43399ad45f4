package io.raftmq.client.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The routes a client instance knows, per topic, and what it learned about each broker group across topics: every
 * member address it has seen (bounded by {@link #MEMBERS_MAX}), the leader the NameServer names, and a leader hint
 * learned by asking the members themselves ({@code GET_BROKER_RUNTIME_INFO}: docs/sdk.md "Failover").
 *
 * <p>{@link #leaderFor} picks where a send to a group goes: the routed leader when it has not failed since its last
 * success, else the hint when it is not faulty (a routed leader that failed may still be listed by a NameServer that
 * has not noticed its death), else the routed leader when its faulty window is over, else any member that is not
 * faulty (a RaftMQ follower forwards the send to the leader, or holds it while an election runs), else the routed
 * leader anyway. Thread-safe: routes and group views are replaced
 * whole, and group views are small.
 */
public final class RouteCache {
    /** Member addresses remembered per group; the oldest are forgotten first. */
    public static final int MEMBERS_MAX = 16;

    private final ConcurrentHashMap<String, Entry> topics = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Group> groups = new ConcurrentHashMap<>();

    /** A cached route and when it was fetched (client clock, ns). */
    public record Entry(TopicRoute route, long fetchedNs) {
    }

    /** What is known of one group: members seen (oldest first), routed leader, leader hint. */
    private record Group(List<String> members, String routedLeader, String hint) {
    }

    /** The cached route of {@code topic}, or null. */
    public TopicRoute route(String topic) {
        Entry e = topics.get(topic);
        return e == null ? null : e.route();
    }

    /** Every cached route with its fetch time (for the refresh timer). */
    public List<Entry> entries() {
        return new ArrayList<>(topics.values());
    }

    /** Forgets {@code topic}'s route. */
    public void remove(String topic) {
        topics.remove(topic);
    }

    /** Caches {@code route} (fetched at {@code nowNs}) and updates the views of its groups. */
    public void update(TopicRoute route, long nowNs) {
        topics.put(route.topic(), new Entry(route, nowNs));
        for (Map.Entry<String, List<String>> m : route.members().entrySet()) {
            String name = m.getKey();
            String leader = route.leaders().get(name);
            groups.compute(name, (k, g) -> {
                List<String> members = g == null ? new ArrayList<>() : new ArrayList<>(g.members);
                for (String a : m.getValue()) {
                    if (!members.contains(a)) {
                        members.add(a);
                    }
                }
                while (members.size() > MEMBERS_MAX) {
                    members.remove(0);
                }
                String hint = g == null ? null : g.hint;
                return new Group(List.copyOf(members), leader, hint);
            });
        }
    }

    /** Records that a member of {@code group} said {@code leaderAddr} leads (null: no leader known). */
    public void hint(String group, String leaderAddr) {
        groups.compute(group, (k, g) -> {
            List<String> members = g == null ? new ArrayList<>() : new ArrayList<>(g.members);
            if (leaderAddr != null && !members.contains(leaderAddr)) {
                members.add(leaderAddr);
                while (members.size() > MEMBERS_MAX) {
                    members.remove(0);
                }
            }
            return new Group(List.copyOf(members), g == null ? null : g.routedLeader, leaderAddr);
        });
    }

    /** Every member address seen for {@code group}, oldest first (empty if unknown). */
    public List<String> members(String group) {
        Group g = groups.get(group);
        return g == null ? List.of() : g.members;
    }

    /** The leader hint of {@code group}, or null. */
    public String hint(String group) {
        Group g = groups.get(group);
        return g == null ? null : g.hint;
    }

    /** Where a send to {@code group} goes now (see the class comment); null if the group is unknown. */
    public String leaderFor(String group, FaultTracker faults) {
        Group g = groups.get(group);
        if (g == null) {
            return null;
        }
        String routed = g.routedLeader;
        if (routed != null && faults.failures(routed) == 0) {
            return routed;
        }
        if (g.hint != null && faults.isAvailable(g.hint)) {
            return g.hint;
        }
        if (routed != null && faults.isAvailable(routed)) {
            return routed;
        }
        for (String m : g.members) {
            if (faults.isAvailable(m)) {
                return m;
            }
        }
        if (routed != null) {
            return routed;
        }
        if (g.hint != null) {
            return g.hint;
        }
        return g.members.isEmpty() ? null : g.members.get(g.members.size() - 1);
    }

    /** Whether a send to {@code group} would go to an address that is not faulty. */
    public boolean hasAvailableTarget(String group, FaultTracker faults) {
        String a = leaderFor(group, faults);
        return a != null && faults.isAvailable(a);
    }
}
