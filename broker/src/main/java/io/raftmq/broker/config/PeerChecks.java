package io.raftmq.broker.config;

import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

import static io.raftmq.broker.config.BrokerConfigValidator.fail;

/**
 * The checks of {@link BrokerConfigValidator} on who and where the member is: broker and cluster names, the listen
 * host and the advertised address ({@code brokerIP1}), the raft peers and this member among them, the broker peers,
 * the raft initial state and the metrics port (no two of the member's ports may clash, nor clash with the ones
 * RocketMQ reserves beside the listen port). Failures read {@code "<file>: <key>: <problem>"}.
 */
final class PeerChecks {
    /** RocketMQ's name rule for broker and cluster names. */
    private static final String NAME_PATTERN = "[A-Za-z0-9_-]{1,127}";

    private PeerChecks() {
    }

    /** The metrics endpoint (docs/metrics.md): 0 = off, else a port none of the member's others uses. */
    static void checkMetrics(BrokerConfig c, String source) throws BrokerConfigException {
        int mp = c.metricsPort();
        if (mp < 0 || mp > 65_535) {
            throw fail(source, "metricsPort", "must be in [0, 65535] (0 = no metrics endpoint), got " + mp);
        }
        if (c.metricsHost().isBlank()) {
            throw fail(source, "metricsHost", "must be a local address, e.g. 127.0.0.1 or 0.0.0.0");
        }
        int lp = c.listenPort();
        if (mp != 0 && (mp == lp || mp == lp - 2 || mp == lp + 1 || mp == c.raftSelf().port())) {
            throw fail(source, "metricsPort", mp + " clashes with listenPort " + lp + ", the ports RocketMQ reserves"
                + " next to it (" + (lp - 2) + " VIP, " + (lp + 1) + " HA) or the raft port " + c.raftSelf().port());
        }
    }

    static void checkNames(BrokerConfig c, String source) throws BrokerConfigException {
        if (!c.brokerName().matches(NAME_PATTERN)) {
            throw fail(source, "brokerName", "must match " + NAME_PATTERN + ", got '" + c.brokerName() + "'");
        }
        if (!c.brokerClusterName().matches(NAME_PATTERN)) {
            throw fail(source, "brokerClusterName", "must match " + NAME_PATTERN + ", got '"
                    + c.brokerClusterName() + "'");
        }
        if (c.listenHost().isBlank()) {
            throw fail(source, "listenHost", "must be a local address, e.g. 127.0.0.1 or 0.0.0.0");
        }
    }

    private static boolean isWildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]") || host.equals("*");
    }

    static BrokerConfig fillBrokerIp(BrokerConfig c, String source) throws BrokerConfigException {
        if (!c.brokerIP1().isEmpty()) {
            if (isWildcard(c.brokerIP1())) {
                throw fail(source, "brokerIP1", "must be an address clients can dial, not a wildcard");
            }
            return c;
        }
        if (isWildcard(c.listenHost())) {
            throw fail(source, "brokerIP1", "is required when listenHost is a wildcard address ("
                    + c.listenHost() + ")");
        }
        return c.withBrokerIP1(c.listenHost());
    }

    static void checkPeers(BrokerConfig c, String source) throws BrokerConfigException {
        Set<String> ids = new HashSet<>();
        Set<String> addrs = new HashSet<>();
        for (RaftPeer p : c.raftPeers()) {
            if (!ids.add(p.id())) {
                throw fail(source, "raftPeers", "peer id " + p.id() + " appears twice");
            }
            if (!addrs.add(p.address())) {
                throw fail(source, "raftPeers", "address " + p.address() + " is used by two peers");
            }
        }
        if (!ids.contains(c.raftSelfId())) {
            throw fail(source, "raftSelfId", "'" + c.raftSelfId() + "' does not appear in raftPeers " + ids);
        }
        RaftPeer self = c.raftSelf();
        boolean sameHost = self.host().equals(c.listenHost()) || self.host().equals(c.brokerIP1())
                || isWildcard(c.listenHost());
        int lp = c.listenPort();
        if (sameHost && (self.port() == lp || self.port() == lp - 2 || self.port() == lp + 1)) {
            throw fail(source, "raftPeers", "raft port " + self.port() + " of " + self.id() + " clashes with "
                    + "listenPort " + lp + " or the ports RocketMQ reserves next to it (" + (lp - 2) + " VIP, "
                    + (lp + 1) + " HA)");
        }
        if (c.raftJoinExisting() && c.raftPeers().size() < 2) {
            throw fail(source, "raftJoinExisting", "a member joining an existing group needs the group's members in"
                + " raftPeers besides itself");
        }
    }

    static void checkBrokerPeers(BrokerConfig c, String source) throws BrokerConfigException {
        if (c.brokerPeers().isEmpty()) {
            return;
        }
        Set<String> raftIds = new HashSet<>();
        for (RaftPeer p : c.raftPeers()) {
            raftIds.add(p.id());
        }
        Set<String> ids = new HashSet<>();
        for (RaftPeer p : c.brokerPeers()) {
            if (!ids.add(p.id())) {
                throw fail(source, "brokerPeers", "peer id " + p.id() + " appears twice");
            }
        }
        if (!ids.equals(raftIds)) {
            throw fail(source, "brokerPeers", "must list exactly the ids of raftPeers " + new TreeSet<>(raftIds)
                    + ", got " + new TreeSet<>(ids));
        }
        String self = c.brokerAddrOf(c.raftSelf().nodeId());
        if (!c.brokerAddr().equals(self)) {
            throw fail(source, "brokerPeers", "the entry of " + c.raftSelfId() + " must be this broker's address "
                    + c.brokerAddr() + " (brokerIP1:listenPort), got " + self);
        }
    }

    static void checkRaftInitialState(BrokerConfig c, String source) throws BrokerConfigException {
        String v = c.raftInitialState();
        if (!BrokerConfig.RAFT_INITIAL_STATE_NEW.equals(v) && !BrokerConfig.RAFT_INITIAL_STATE_EXISTING.equals(v)) {
            throw fail(source, "raftInitialState", "must be '" + BrokerConfig.RAFT_INITIAL_STATE_NEW + "' (a member of"
                + " a new group) or '" + BrokerConfig.RAFT_INITIAL_STATE_EXISTING + "' (a member of a running group:"
                + " missing raft state means lost data, the member starts repairing), got '" + v + "'");
        }
    }
}
