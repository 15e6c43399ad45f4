package io.raftmq.naming.route;

import io.raftmq.client.Verify;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The NameServer's state: the current {@link RouteTable} snapshot plus the {@link BrokerLiveness} leases. Readers
 * call {@link #snapshot()} and take no lock; writers (registrations, expiry, admin changes) serialize on this
 * object, build the next snapshot and publish it with one volatile write. Nothing is persisted: after a restart
 * the table is rebuilt from the brokers' periodic registrations.
 *
 * <p>Thread-safe. Invariant: a broker address is a member of some group only while it holds a lease (a
 * registration grants both; unregistration, expiry and connection close remove both).
 */
public final class RouteRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(RouteRegistry.class);

    /**
     * The answer to a registration.
     *
     * @param masterAddr         the group's leader address after this registration, or null if none
     * @param masterHaServerAddr the leader's HA address, or null
     * @param firstRegistration  whether the process had no lease before
     */
    public record RegisterResult(String masterAddr, String masterHaServerAddr, boolean firstRegistration) {
    }

    /**
     * The answer to QUERY_DATA_VERSION.
     *
     * @param changed    whether the reported version differs from the registered one (or none is registered)
     * @param registered the registered version, or null
     */
    public record VersionCheck(boolean changed, DataVersion registered) {
    }

    private final boolean replaceTopicsOnRegistration;
    private final BrokerLiveness liveness;
    private volatile RouteTable table = RouteTable.empty();

    /**
     * @param clock                       time source of broker leases
     * @param replaceTopicsOnRegistration a leader's registration lists all of its group's topics (topics it
     *                                    omits lose the group's layout); false = merge, as RocketMQ does
     */
    public RouteRegistry(Clock clock, boolean replaceTopicsOnRegistration) {
        this.liveness = new BrokerLiveness(clock);
        this.replaceTopicsOnRegistration = replaceTopicsOnRegistration;
    }

    /** The current snapshot (lock-free). */
    public RouteTable snapshot() {
        return table;
    }

    /**
     * Applies a registration: grants the lease, places the address under its id (moving it from another id or
     * group, replacing a stale holder of the id) and, for the leader (id 0), sets the group's topic layouts.
     */
    public synchronized RegisterResult register(BrokerRegistration r) {
        BrokerLiveness.Lease prev = liveness.grant(r);
        RouteTable before = table;
        RouteTable t = before;
        if (prev != null && !prev.brokerName().equals(r.brokerName())) {
            t = t.withoutAddr(r.clusterName(), prev.brokerName(), r.brokerAddr());
        }
        t = t.withMember(r.clusterName(), r.brokerName(), r.brokerId(), r.brokerAddr());
        if (r.brokerId() == BrokerData.MASTER_ID) {
            List<TopicConfig> configs = r.topicConfigs();
            boolean replace = replaceTopicsOnRegistration;
            if (sameTopicConfigs(prev, r)) {
                configs = t.topicsWithout(r.brokerName(), configs); // deleted here meanwhile: back, as in RocketMQ
                replace = false;
            }
            if (!configs.isEmpty() || replace) {
                t = t.withTopicConfigs(r.brokerName(), configs, replace);
            }
        }
        table = t;
        BrokerGroup g = t.group(r.brokerName());
        Verify.state(g != null && g.hasAddr(r.brokerAddr()), "registered address missing from its group");
        logRegistration(r, prev, before.group(r.brokerName()), g);
        String master = g.leaderAddr();
        BrokerLiveness.Lease masterLease = master == null ? null
                : liveness.get(new BrokerKey(r.clusterName(), master));
        return new RegisterResult(master, masterLease == null ? null : masterLease.haServerAddr(), prev == null);
    }

    /**
     * Whether {@code r} re-registers the topic table its leader registered last time: the same address was already
     * the leader (id 0) of the same group under a live lease and reports the same data version, which every member
     * raises with each topic change (docs/scaling.md). Then only topics the table lost meanwhile (deleted on the
     * NameServer alone) are put back: the periodic re-registration of an unchanged leader renews its lease, as in
     * RocketMQ, instead of rebuilding the topic map (which costs time in proportion to every group's topics).
     */
    private static boolean sameTopicConfigs(BrokerLiveness.Lease prev, BrokerRegistration r) {
        return prev != null && prev.brokerId() == BrokerData.MASTER_ID && prev.brokerName().equals(r.brokerName())
                && r.dataVersion() != null && r.dataVersion().equals(prev.dataVersion());
    }

    /** Removes the broker {@code addr} of group {@code brokerName}; false if it was not registered. */
    public synchronized boolean unregister(String clusterName, String brokerName, String addr) {
        BrokerLiveness.Lease lease = liveness.remove(new BrokerKey(clusterName, addr));
        RouteTable before = table;
        table = before.withoutAddr(clusterName, brokerName, addr);
        if (lease != null || table != before) {
            LOG.info("broker {} ({}/{}) unregistered", addr, clusterName, brokerName);
            return true;
        }
        return false;
    }

    /** Renews the lease of a registered broker (BROKER_HEARTBEAT); false if it is not registered. */
    public synchronized boolean heartbeat(String clusterName, String addr) {
        return liveness.renew(new BrokerKey(clusterName, addr));
    }

    /** Compares {@code reported} with the registered version; an unchanged version renews the lease. */
    public synchronized VersionCheck checkDataVersion(String clusterName, String addr, DataVersion reported) {
        BrokerKey key = new BrokerKey(clusterName, addr);
        BrokerLiveness.Lease lease = liveness.get(key);
        if (lease == null) {
            return new VersionCheck(true, null);
        }
        boolean changed = !lease.dataVersion().equals(reported);
        if (!changed) {
            liveness.renew(key);
        }
        return new VersionCheck(changed, lease.dataVersion());
    }

    /** Drops every broker whose lease ran out (at the clock's time); returns the dropped keys. */
    public synchronized List<BrokerKey> expire() {
        List<BrokerKey> expired = liveness.expired();
        for (BrokerKey key : expired) {
            drop(key, "lease expired");
        }
        return expired;
    }

    /** Drops every broker whose last registration came on {@code connection}, at once; returns their keys. */
    public synchronized List<BrokerKey> connectionClosed(Object connection) {
        List<BrokerKey> gone = liveness.registeredOn(connection);
        for (BrokerKey key : gone) {
            drop(key, "connection closed");
        }
        return gone;
    }

    /** Removes {@code topic} (only from groups of {@code clusterName} when not null). */
    public synchronized void deleteTopic(String topic, String clusterName) {
        table = table.withoutTopic(topic, clusterName);
    }

    /** Sets a KV config entry. */
    public synchronized void putKv(String namespace, String key, String value) {
        table = table.withKv(namespace, key, value);
    }

    /** Removes a KV config entry. */
    public synchronized void deleteKv(String namespace, String key) {
        table = table.withoutKv(namespace, key);
    }

    /** Number of brokers holding a lease. */
    public synchronized int liveBrokerCount() {
        return liveness.size();
    }

    private void drop(BrokerKey key, String why) {
        BrokerLiveness.Lease lease = liveness.remove(key);
        Verify.state(lease != null, "dropping a broker without a lease");
        table = table.withoutAddr(key.clusterName(), lease.brokerName(), key.brokerAddr());
        LOG.info("broker {} ({}/{} id {}) dropped: {}", key.brokerAddr(), key.clusterName(), lease.brokerName(),
                lease.brokerId(), why);
    }

    private static void logRegistration(BrokerRegistration r, BrokerLiveness.Lease prev, BrokerGroup before,
                                        BrokerGroup after) {
        if (prev == null) {
            LOG.info("broker {} registered: {}/{} id {}, {} topics", r.brokerAddr(), r.clusterName(),
                    r.brokerName(), r.brokerId(), r.topicConfigs().size());
        } else if (prev.brokerId() != r.brokerId()) {
            LOG.info("broker {} of {}/{} re-registered as id {} (was {})", r.brokerAddr(), r.clusterName(),
                    r.brokerName(), r.brokerId(), prev.brokerId());
        }
        String oldLeader = before == null ? null : before.leaderAddr();
        if (oldLeader != null && !oldLeader.equals(after.leaderAddr())) {
            LOG.info("leader of {} changed: {} -> {}", r.brokerName(), oldLeader, after.leaderAddr());
        }
    }
}
