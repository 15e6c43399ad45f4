package io.raftmq.naming.route;

import io.raftmq.client.protocol.body.DataVersion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Leases of the live broker processes, keyed by {@link BrokerKey}: a registration grants a lease of its
 * {@code expiryMs}; a heartbeat (or an unchanged QUERY_DATA_VERSION) renews it; {@link #expired()} lists the
 * leases that ran out. Time comes only from the injected {@link Clock}, so expiry is deterministic in tests.
 *
 * <p>Not thread-safe: owned by {@link RouteRegistry}, which calls it under its write lock.
 * Invariant: every lease has {@code expiryMs > 0}; iteration (and so expiry order) follows first registration.
 */
public final class BrokerLiveness {
    /**
     * What the NameServer remembers of one live broker process.
     *
     * @param brokerName   its group
     * @param brokerId     its id at its last registration
     * @param haServerAddr its HA address (answered to followers)
     * @param dataVersion  version of its last registered topic config
     * @param connection   the connection it last registered on (null = none)
     * @param renewedMs    clock time of the last registration or heartbeat
     * @param expiryMs     the lease length
     */
    public record Lease(String brokerName, long brokerId, String haServerAddr, DataVersion dataVersion,
                        Object connection, long renewedMs, long expiryMs) {
        /** Whether the lease ran out at {@code nowMs} (strictly more than expiryMs since the last renewal). */
        public boolean expiredAt(long nowMs) {
            return nowMs - renewedMs > expiryMs;
        }
    }

    private final Clock clock;
    private final Map<BrokerKey, Lease> leases = new LinkedHashMap<>();

    public BrokerLiveness(Clock clock) {
        this.clock = clock;
    }

    /** Grants or replaces the lease of the registering process; returns the previous lease or null. */
    public Lease grant(BrokerRegistration r) {
        Lease lease = new Lease(r.brokerName(), r.brokerId(), r.haServerAddr(), r.dataVersion(), r.connection(),
                clock.nowMs(), r.expiryMs());
        return leases.put(r.key(), lease);
    }

    /** Renews the lease of {@code key} from now; false if there is none. */
    public boolean renew(BrokerKey key) {
        Lease l = leases.get(key);
        if (l == null) {
            return false;
        }
        leases.put(key, new Lease(l.brokerName(), l.brokerId(), l.haServerAddr(), l.dataVersion(), l.connection(),
                clock.nowMs(), l.expiryMs()));
        return true;
    }

    /** The lease of {@code key}, or null. */
    public Lease get(BrokerKey key) {
        return leases.get(key);
    }

    /** Removes and returns the lease of {@code key}, or null. */
    public Lease remove(BrokerKey key) {
        return leases.remove(key);
    }

    /** Keys whose lease ran out at the clock's current time, in first-registration order. */
    public List<BrokerKey> expired() {
        long now = clock.nowMs();
        List<BrokerKey> out = new ArrayList<>();
        for (Map.Entry<BrokerKey, Lease> e : leases.entrySet()) {
            if (e.getValue().expiredAt(now)) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Keys whose last registration came on {@code connection}. */
    public List<BrokerKey> registeredOn(Object connection) {
        List<BrokerKey> out = new ArrayList<>();
        for (Map.Entry<BrokerKey, Lease> e : leases.entrySet()) {
            if (connection != null && connection.equals(e.getValue().connection())) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /** Number of live leases. */
    public int size() {
        return leases.size();
    }
}
