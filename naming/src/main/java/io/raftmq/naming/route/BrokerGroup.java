package io.raftmq.naming.route;

import io.raftmq.client.protocol.body.BrokerData;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One broker group (a Raft group) in a {@link RouteTable}: its cluster, name, and the member addresses by broker
 * id. Immutable. Invariants: at least one member; every address appears under exactly one id (a member that
 * changes id moves); id 0 is the current leader when present.
 */
public record BrokerGroup(String cluster, String brokerName, SortedMap<Long, String> addrs) {
    public BrokerGroup {
        SortedMap<Long, String> copy = new TreeMap<>(addrs);
        if (copy.isEmpty()) {
            throw new IllegalArgumentException("a broker group needs at least one member: " + brokerName);
        }
        if (copy.values().stream().distinct().count() != copy.size()) {
            throw new IllegalStateException("an address is registered under two ids in " + brokerName + ": " + copy);
        }
        addrs = Collections.unmodifiableSortedMap(copy);
    }

    /** The leader's address (id 0), or null when the group has no leader registered. */
    public String leaderAddr() {
        return addrs.get(BrokerData.MASTER_ID);
    }

    /**
     * This group with {@code addr} registered under {@code brokerId}: the address leaves any other id it had, and
     * replaces whatever address held {@code brokerId} before (e.g. a stale leader at id 0).
     */
    public BrokerGroup withMember(String newCluster, long brokerId, String addr) {
        SortedMap<Long, String> next = new TreeMap<>(addrs);
        next.values().removeIf(addr::equals);
        next.put(brokerId, addr);
        return new BrokerGroup(newCluster, brokerName, next);
    }

    /** This group without {@code addr} under any id, or null when no member would remain. */
    public BrokerGroup withoutAddr(String addr) {
        SortedMap<Long, String> next = new TreeMap<>(addrs);
        next.values().removeIf(addr::equals);
        return next.isEmpty() ? null : new BrokerGroup(cluster, brokerName, next);
    }

    /** Whether some member has {@code addr}. */
    public boolean hasAddr(String addr) {
        return addrs.containsValue(addr);
    }

    /** The wire form (docs/protocol.md §4.2). */
    public BrokerData toBrokerData() {
        return new BrokerData(cluster, brokerName, addrs, null, false);
    }
}
