package io.raftmq.tools.bench.raft;

import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.driver.DurabilityMode;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftAgentConfig;
import io.raftmq.raft.driver.RaftStatus;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The benchmark's Raft group: {@code n} {@link BenchNode}s with ids 1..n, node {@code i} on 127.0.0.{@code i} with
 * its files in {@code root/node<i>}, all voters. It answers who leads now, waits for a leader, restarts a killed
 * node into the group and stops them all.
 */
final class BenchCluster {
    /** Indexed by node id; slot 0 is unused (null). */
    private final BenchNode[] nodes;
    private final DurabilityMode durability;
    private final int tailCacheEntries;
    private final long segmentBytes;

    BenchCluster(int nodeCount, DurabilityMode durability, int tailCacheEntries, long segmentBytes) {
        this.segmentBytes = segmentBytes;
        this.nodes = new BenchNode[nodeCount + 1];
        this.durability = durability;
        this.tailCacheEntries = tailCacheEntries;
    }

    /** Opens every node, then connects each to all others and starts the agents. */
    void start(Path root) throws IOException {
        int n = nodes.length - 1;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i + 1;
        }
        MajorityConfig voters = MajorityConfig.of(ids);
        for (int id = 1; id <= n; id++) {
            RaftAgentConfig cfg = RaftAgentConfig.defaults(id).withDurability(durability);
            InetSocketAddress addr = new InetSocketAddress(InetAddress.getByName("127.0.0." + id), 0);
            nodes[id] = new BenchNode(id, root.resolve("node" + id), addr, cfg, voters, 1000L * id, tailCacheEntries,
                segmentBytes);
            nodes[id].start();
        }
        for (int id = 1; id <= n; id++) {
            nodes[id].addPeers(nodes);
            nodes[id].agent.start();
        }
    }

    /** Reopens a killed node from its files and starts it as a member again. */
    void restart(BenchNode node) {
        node.start();
        node.addPeers(nodes);
        node.agent.start();
    }

    /** The current leader's agent (the highest term among those that think they lead), or null. */
    RaftAgent leader() {
        RaftAgent best = null;
        long bestTerm = -1;
        for (int id = 1; id < nodes.length; id++) {
            RaftAgent a = nodes[id].agent;
            if (a != null) {
                RaftStatus s = a.status();
                if (s.isLeader() && s.term() > bestTerm) {
                    best = a;
                    bestTerm = s.term();
                }
            }
        }
        return best;
    }

    /** Waits for a leader in a term above {@code termAbove}; throws after {@code timeoutMs}. */
    RaftAgent awaitLeader(long termAbove, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            RaftAgent a = leader();
            if (a != null && a.status().term() > termAbove) {
                return a;
            }
            LockSupport.parkNanos(200_000);
        }
        throw new IllegalStateException("no leader within " + timeoutMs + " ms");
    }

    /** The node running agent {@code a}. */
    BenchNode nodeOf(RaftAgent a) {
        for (int id = 1; id < nodes.length; id++) {
            if (nodes[id].agent == a) {
                return nodes[id];
            }
        }
        throw new IllegalStateException("leader agent not found");
    }

    /** A running node other than the one running {@code leader} (the lowest id). */
    BenchNode followerOf(RaftAgent leader) {
        for (int id = 1; id < nodes.length; id++) {
            if (nodes[id].agent != null && nodes[id].agent != leader) {
                return nodes[id];
            }
        }
        throw new IllegalStateException("no running follower");
    }

    /** Entries all nodes' current incarnations read back from their commit logs (tail cache misses). */
    long entriesReadFromLogs() {
        long misses = 0;
        for (int id = 1; id < nodes.length; id++) {
            misses += nodes[id].entriesReadFromLog();
        }
        return misses;
    }

    /** Graceful stop of every node that was started. */
    void stop() {
        for (BenchNode n : nodes) {
            if (n != null) {
                n.stop();
            }
        }
    }
}
