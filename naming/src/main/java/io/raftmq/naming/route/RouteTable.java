package io.raftmq.naming.route;

import io.raftmq.client.Verify;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.ClusterInfo;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicRouteData;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable snapshot of everything the NameServer knows: clusters, broker groups with their members by id,
 * each topic's queue layout per broker group, and the KV config. Every change returns a new snapshot that
 * shares the unchanged parts ({@code this} when nothing changes), so {@link RouteRegistry} swaps one reference
 * and readers never take a lock. RocketMQ's RouteInfoManager instead keeps six maps under one ReadWriteLock.
 *
 * <p>All maps are sorted by name, so answers are deterministic. Pure: no clock, no I/O, no threads.
 *
 * <p>Invariants (checked by {@link #verifyInvariants()}): every broker name of a cluster is a group of that
 * cluster and vice versa; no cluster, topic or namespace maps to an empty collection; every broker name in a
 * topic's layout is a live group (a group that loses its last member takes its queue layouts with it).
 */
public final class RouteTable {
    /**
     * KV namespace of ordered-topic settings ({@code broker-a:4;broker-b:4}), copied into routes
     * (docs/protocol.md §2.1).
     */
    public static final String ORDER_TOPIC_CONFIG = "ORDER_TOPIC_CONFIG";

    private static final RouteTable EMPTY = new RouteTable(Map.of(), Map.of(), Map.of(), Map.of());

    private final Map<String, SortedSet<String>> clusters;
    private final Map<String, BrokerGroup> brokers;
    private final Map<String, Map<String, QueueData>> topics;
    private final Map<String, Map<String, String>> kv;

    private RouteTable(Map<String, SortedSet<String>> clusters, Map<String, BrokerGroup> brokers,
                       Map<String, Map<String, QueueData>> topics, Map<String, Map<String, String>> kv) {
        this.clusters = Collections.unmodifiableMap(clusters);
        this.brokers = Collections.unmodifiableMap(brokers);
        this.topics = Collections.unmodifiableMap(topics);
        this.kv = Collections.unmodifiableMap(kv);
        Verify.state(this.brokers.size() >= this.clusters.size(), "more clusters than broker groups",
                this.clusters.size(), this.brokers.size());
    }

    /** The table with no brokers, topics or KV entries. */
    public static RouteTable empty() {
        return EMPTY;
    }

    // ------------------------------------------------------------------------------------------------ changes

    /**
     * Registers {@code addr} as member {@code brokerId} of group {@code brokerName} in {@code cluster}. The
     * address leaves any other id it held in the group, and replaces the address that held {@code brokerId}
     * (a leader change: the new leader takes id 0, the old one re-registers under its follower id). A group
     * registered under another cluster moves to {@code cluster}.
     */
    public RouteTable withMember(String cluster, String brokerName, long brokerId, String addr) {
        BrokerGroup old = brokers.get(brokerName);
        BrokerGroup next = old == null
                ? new BrokerGroup(cluster, brokerName, new TreeMap<>(Map.of(brokerId, addr)))
                : old.withMember(cluster, brokerId, addr);
        if (next.equals(old)) {
            return this;
        }
        Map<String, BrokerGroup> b = new TreeMap<>(brokers);
        b.put(brokerName, next);
        Map<String, SortedSet<String>> c = clusters;
        if (old == null || !old.cluster().equals(cluster)) {
            c = new TreeMap<>(clusters);
            if (old != null) {
                removeName(c, old.cluster(), brokerName);
            }
            addName(c, cluster, brokerName);
        }
        return new RouteTable(c, b, topics, kv);
    }

    /** The configs of {@code configs} whose topic the table does not route to {@code brokerName}. */
    public List<TopicConfig> topicsWithout(String brokerName, List<TopicConfig> configs) {
        List<TopicConfig> out = new ArrayList<>();
        for (TopicConfig tc : configs) {
            Map<String, QueueData> cur = topics.get(tc.topicName());
            if (cur == null || !cur.containsKey(brokerName)) {
                out.add(tc);
            }
        }
        return out;
    }

    /**
     * Sets the queue layout of group {@code brokerName} for each topic in {@code configs} (read/write queue
     * numbers, perm and sysFlag from the topic config). With {@code replaceAll}, topics missing from
     * {@code configs} lose this group's layout too; otherwise they keep it (RocketMQ's default).
     *
     * @throws IllegalArgumentException if the group is not registered or a config has no topic name
     */
    public RouteTable withTopicConfigs(String brokerName, List<TopicConfig> configs, boolean replaceAll) {
        Verify.argument(brokers.containsKey(brokerName), "unknown broker group: " + brokerName);
        Map<String, Map<String, QueueData>> t = new TreeMap<>(topics);
        boolean changed = false;
        Set<String> named = new TreeSet<>();
        for (TopicConfig tc : configs) {
            Verify.argument(tc.topicName() != null && !tc.topicName().isEmpty(), "topic config without a name");
            named.add(tc.topicName());
            QueueData qd = new QueueData(brokerName, tc.readQueueNums(), tc.writeQueueNums(), tc.perm(),
                    tc.topicSysFlag());
            Map<String, QueueData> cur = t.getOrDefault(tc.topicName(), Map.of());
            if (!qd.equals(cur.get(brokerName))) {
                Map<String, QueueData> n = new TreeMap<>(cur);
                n.put(brokerName, qd);
                t.put(tc.topicName(), Collections.unmodifiableMap(n));
                changed = true;
            }
        }
        if (replaceAll) {
            changed |= removeGroupFromTopics(t, Set.of(brokerName), named);
        }
        return changed ? new RouteTable(clusters, brokers, t, kv) : this;
    }

    /**
     * Removes {@code addr} from the groups of {@code cluster} (only from {@code brokerName} when it is not null).
     * A group left without members disappears, with its queue layouts; a cluster left without groups too.
     */
    public RouteTable withoutAddr(String cluster, String brokerName, String addr) {
        SortedSet<String> names = clusters.get(cluster);
        if (names == null) {
            return this;
        }
        List<String> affected = new ArrayList<>();
        for (String name : names) {
            if ((brokerName == null || brokerName.equals(name)) && brokers.get(name).hasAddr(addr)) {
                affected.add(name);
            }
        }
        if (affected.isEmpty()) {
            return this;
        }
        Map<String, BrokerGroup> b = new TreeMap<>(brokers);
        Map<String, SortedSet<String>> c = new TreeMap<>(clusters);
        Set<String> emptied = new TreeSet<>();
        for (String name : affected) {
            BrokerGroup next = b.get(name).withoutAddr(addr);
            if (next == null) {
                b.remove(name);
                removeName(c, cluster, name);
                emptied.add(name);
            } else {
                b.put(name, next);
            }
        }
        Map<String, Map<String, QueueData>> t = topics;
        if (!emptied.isEmpty()) {
            t = new TreeMap<>(topics);
            removeGroupFromTopics(t, emptied, Set.of());
        }
        return new RouteTable(c, b, t, kv);
    }

    /** Removes {@code topic}: entirely, or only its layouts on groups of {@code clusterName} when not null. */
    public RouteTable withoutTopic(String topic, String clusterName) {
        Map<String, QueueData> cur = topics.get(topic);
        if (cur == null) {
            return this;
        }
        Map<String, QueueData> n = new TreeMap<>(cur);
        if (clusterName == null) {
            n.clear();
        } else {
            n.keySet().removeAll(groupsOfCluster(clusterName));
        }
        if (n.size() == cur.size()) {
            return this;
        }
        Map<String, Map<String, QueueData>> t = new TreeMap<>(topics);
        if (n.isEmpty()) {
            t.remove(topic);
        } else {
            t.put(topic, Collections.unmodifiableMap(n));
        }
        return new RouteTable(clusters, brokers, t, kv);
    }

    /** Sets KV config {@code namespace/key} to {@code value}. */
    public RouteTable withKv(String namespace, String key, String value) {
        Verify.argument(namespace != null && key != null && value != null, "namespace, key and value are required");
        Map<String, String> cur = kv.getOrDefault(namespace, Map.of());
        if (value.equals(cur.get(key))) {
            return this;
        }
        Map<String, String> n = new TreeMap<>(cur);
        n.put(key, value);
        Map<String, Map<String, String>> k = new TreeMap<>(kv);
        k.put(namespace, Collections.unmodifiableMap(n));
        return new RouteTable(clusters, brokers, topics, k);
    }

    /** Removes KV config {@code namespace/key} (and the namespace when it becomes empty). */
    public RouteTable withoutKv(String namespace, String key) {
        Map<String, String> cur = kv.get(namespace);
        if (cur == null || !cur.containsKey(key)) {
            return this;
        }
        Map<String, String> n = new TreeMap<>(cur);
        n.remove(key);
        Map<String, Map<String, String>> k = new TreeMap<>(kv);
        if (n.isEmpty()) {
            k.remove(namespace);
        } else {
            k.put(namespace, Collections.unmodifiableMap(n));
        }
        return new RouteTable(clusters, brokers, topics, k);
    }

    // ------------------------------------------------------------------------------------------------ queries

    /**
     * The route of {@code topic} (docs/protocol.md §4.2): its queue layouts, the groups serving it, and the
     * ordered-topic config from KV namespace {@link #ORDER_TOPIC_CONFIG}; null when no live group serves the topic.
     */
    public TopicRouteData topicRoute(String topic) {
        Map<String, QueueData> layouts = topics.get(topic);
        if (layouts == null) {
            return null;
        }
        List<QueueData> queueDatas = new ArrayList<>(layouts.size());
        List<BrokerData> brokerDatas = new ArrayList<>(layouts.size());
        for (Map.Entry<String, QueueData> e : layouts.entrySet()) {
            BrokerGroup g = brokers.get(e.getKey());
            Verify.state(g != null, "topic layout on an unknown group: " + e.getKey());
            queueDatas.add(e.getValue());
            brokerDatas.add(g.toBrokerData());
        }
        return new TopicRouteData(kv(ORDER_TOPIC_CONFIG, topic), queueDatas, brokerDatas, Map.of());
    }

    /** All groups and the group names of each cluster (docs/protocol.md §4.3). */
    public ClusterInfo clusterInfo() {
        Map<String, BrokerData> b = new TreeMap<>();
        for (BrokerGroup g : brokers.values()) {
            b.put(g.brokerName(), g.toBrokerData());
        }
        Map<String, List<String>> c = new TreeMap<>();
        for (Map.Entry<String, SortedSet<String>> e : clusters.entrySet()) {
            c.put(e.getKey(), List.copyOf(e.getValue()));
        }
        return new ClusterInfo(b, c);
    }

    /** Names of all topics with at least one queue layout, sorted. */
    public List<String> topicNames() {
        return List.copyOf(topics.keySet());
    }

    /** Names of the topics served by at least one group of {@code cluster}, sorted. */
    public List<String> topicNamesOfCluster(String cluster) {
        Set<String> names = clusters.getOrDefault(cluster, Collections.emptySortedSet());
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Map<String, QueueData>> e : topics.entrySet()) {
            if (!Collections.disjoint(e.getValue().keySet(), names)) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** The group named {@code brokerName}, or null. */
    public BrokerGroup group(String brokerName) {
        return brokers.get(brokerName);
    }

    /** Group names of {@code cluster} (empty if unknown). */
    public SortedSet<String> groupsOfCluster(String cluster) {
        return clusters.getOrDefault(cluster, Collections.emptySortedSet());
    }

    /** The KV config value, or null. */
    public String kv(String namespace, String key) {
        return kv.getOrDefault(namespace, Map.of()).get(key);
    }

    /** All KV entries of {@code namespace} (empty if none), sorted by key. */
    public Map<String, String> kvNamespace(String namespace) {
        return kv.getOrDefault(namespace, Map.of());
    }

    /** Checks the class invariants (linear in the table size; for tests and debugging). */
    public void verifyInvariants() {
        for (Map.Entry<String, SortedSet<String>> e : clusters.entrySet()) {
            Verify.state(!e.getValue().isEmpty(), "empty cluster " + e.getKey());
            for (String name : e.getValue()) {
                BrokerGroup g = brokers.get(name);
                Verify.state(g != null && g.cluster().equals(e.getKey()), "cluster lists a foreign group " + name);
            }
        }
        for (BrokerGroup g : brokers.values()) {
            Verify.state(groupsOfCluster(g.cluster()).contains(g.brokerName()), "group missing from its cluster "
                    + g.brokerName());
        }
        for (Map.Entry<String, Map<String, QueueData>> e : topics.entrySet()) {
            Verify.state(!e.getValue().isEmpty(), "topic without layouts " + e.getKey());
            Verify.state(brokers.keySet().containsAll(e.getValue().keySet()), "layout on an unknown group in "
                    + e.getKey());
        }
        for (Map.Entry<String, Map<String, String>> e : kv.entrySet()) {
            Verify.state(!e.getValue().isEmpty(), "empty KV namespace " + e.getKey());
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void addName(Map<String, SortedSet<String>> c, String cluster, String name) {
        SortedSet<String> s = new TreeSet<>(c.getOrDefault(cluster, Collections.emptySortedSet()));
        s.add(name);
        c.put(cluster, Collections.unmodifiableSortedSet(s));
    }

    private static void removeName(Map<String, SortedSet<String>> c, String cluster, String name) {
        SortedSet<String> s = new TreeSet<>(c.getOrDefault(cluster, Collections.emptySortedSet()));
        s.remove(name);
        if (s.isEmpty()) {
            c.remove(cluster);
        } else {
            c.put(cluster, Collections.unmodifiableSortedSet(s));
        }
    }

    /**
     * Removes the layouts of {@code groups} from every topic of {@code t} except those in {@code keep}; drops
     * topics left empty. Returns whether anything changed.
     */
    private static boolean removeGroupFromTopics(Map<String, Map<String, QueueData>> t, Set<String> groups,
                                                 Set<String> keep) {
        boolean changed = false;
        // Iterate over a copy of the keys: TreeMap may move entries around on removal.
        for (String topic : List.copyOf(t.keySet())) {
            Map<String, QueueData> cur = t.get(topic);
            if (keep.contains(topic) || Collections.disjoint(cur.keySet(), groups)) {
                continue;
            }
            Map<String, QueueData> n = new TreeMap<>(cur);
            n.keySet().removeAll(groups);
            if (n.isEmpty()) {
                t.remove(topic);
            } else {
                t.put(topic, Collections.unmodifiableMap(n));
            }
            changed = true;
        }
        return changed;
    }
}
