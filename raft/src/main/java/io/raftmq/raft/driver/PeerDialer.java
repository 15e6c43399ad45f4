package io.raftmq.raft.driver;

import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.transport.Transport;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.TreeSet;

/**
 * Keeps a {@link RaftAgent}'s transport in step with the configuration in effect (docs/raft-driver.md,
 * "Membership"): every member is dialled as soon as a configuration naming it is appended (a new learner must get
 * the log), and peers that are not members are dropped once that configuration is committed (an uncommitted
 * removal may still be truncated and the peer needed again). Agent thread only.
 */
final class PeerDialer {
    private final long nodeId;
    private final Transport transport;
    private final Logger log;
    /** Peers the transport was told about. */
    private final TreeSet<Long> dialled = new TreeSet<>();
    private long syncedIndex = -1;
    private boolean syncedCommitted;

    /** {@code initial}'s members are the transport's peers already (its owner added them). */
    PeerDialer(long nodeId, Membership initial, Transport transport, Logger log) {
        this.nodeId = nodeId;
        this.transport = transport;
        this.log = log;
        for (Member m : initial.members()) {
            if (m.id() != nodeId) {
                dialled.add(m.id());
            }
        }
    }

    /** Dials new members and drops removed ones of {@code node}'s configuration, when it changed since last time. */
    void sync(RaftNode node) {
        long index = node.membershipIndex();
        boolean committed = node.commitIndex() >= index;
        if (index == syncedIndex && committed == syncedCommitted) {
            return;
        }
        syncedIndex = index;
        syncedCommitted = committed;
        Membership m = node.membership();
        for (Member member : m.members()) {
            if (member.id() != nodeId && !dialled.contains(member.id()) && !member.address().isEmpty()) {
                transport.addPeer(member.id(), member.address());
                dialled.add(member.id());
                log.info("raft node {}: dialling new member {} at {}", nodeId, member.id(), member.address());
            }
        }
        if (committed) {
            for (Long id : new ArrayList<>(dialled)) {
                if (!m.contains(id)) {
                    transport.removePeer(id);
                    dialled.remove(id);
                    log.info("raft node {}: member {} removed; connection dropped", nodeId, id);
                }
            }
        }
    }
}
