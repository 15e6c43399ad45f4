package io.raftmq.broker.replication;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.RaftPeer;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The client-facing broker address of each member of the group, for forwarding sends to the leader, naming the
 * leader in NOT_LEADER answers and choosing a leadership transfer target (docs/raft-driver.md, "Membership"). Two
 * sources: the {@code brokerPeers} setting (the members known when this broker was configured) and the raft
 * configuration in effect, whose members added by {@code add-member} carry their broker address as the member's
 * client address (replicated with the CONFIG entry, in snapshots and in the membership file). The configuration in
 * effect decides who is a member: a member it does not list has no address here, even if {@code brokerPeers} names
 * it; a member it lists gets its replicated address, else its configured one. Before the agent runs (no
 * configuration known yet) {@code brokerPeers} alone answers.
 *
 * <p>Threads: any (reads the agent's published status; no state of its own).
 */
public final class MemberAddresses {
    private final BrokerConfig config;
    private final Supplier<Membership> membership;

    /** @param agent this member's raft agent, read at each call (null while not started) */
    public MemberAddresses(BrokerConfig config, Supplier<RaftAgent> agent) {
        this(() -> membershipOf(agent.get()), config);
    }

    private MemberAddresses(Supplier<Membership> membership, BrokerConfig config) {
        this.config = config;
        this.membership = membership;
    }

    /** Over a given configuration source (tests): {@code membership} is read at each call, null for unknown. */
    static MemberAddresses over(BrokerConfig config, Supplier<Membership> membership) {
        return new MemberAddresses(membership, config);
    }

    /** The broker address ({@code host:port}) of raft node {@code nodeId}, or null when it is unknown or no member. */
    public String brokerAddrOf(long nodeId) {
        Membership m = membership();
        if (m == null) {
            return config.brokerAddrOf(nodeId);
        }
        Member member = m.member(nodeId);
        if (member == null) {
            return null;
        }
        return member.clientAddress().isEmpty() ? config.brokerAddrOf(nodeId) : member.clientAddress();
    }

    /**
     * The members with a known broker address, as {@link RaftPeer}s ({@code nX-host:port} with the broker address):
     * voters first, then learners, each ascending by id; {@code brokerPeers} while no configuration is known.
     */
    public List<RaftPeer> members() {
        Membership m = membership();
        if (m == null) {
            return config.brokerPeers();
        }
        return peers(m.members());
    }

    /** The voters with a known broker address (the members that may lead), ascending by id. */
    public List<RaftPeer> voters() {
        Membership m = membership();
        if (m == null) {
            return config.brokerPeers();
        }
        return peers(m.voters());
    }

    private List<RaftPeer> peers(List<Member> members) {
        List<RaftPeer> out = new ArrayList<>(members.size());
        for (Member member : members) {
            String addr = brokerAddrOf(member.id());
            if (addr != null) {
                out.add(peer(member.id(), addr));
            }
        }
        return out;
    }

    private Membership membership() {
        return membership.get();
    }

    private static Membership membershipOf(RaftAgent a) {
        RaftStatus s = a == null ? null : a.status();
        return s == null ? null : s.membership();
    }

    /** {@code n<id-1>-host:port}: the broker address of raft node {@code nodeId} as a peer entry. */
    static RaftPeer peer(long nodeId, String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("broker address of node " + nodeId + " is not host:port: " + hostPort);
        }
        return new RaftPeer("n" + (nodeId - 1), hostPort.substring(0, colon),
            Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
