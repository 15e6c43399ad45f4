package io.raftmq.tools.bench.raft;

import io.raftmq.broker.replication.CommitLogRaftLog;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.RecordStamper;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.driver.NanoClock;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftAgentConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.state.FileHardStateStore;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.StateMachine;
import io.raftmq.raft.transport.netty.NettyTransport;
import io.raftmq.raft.transport.netty.NettyTransportConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One member of the benchmark cluster: a commit log in its own directory behind {@link CommitLogRaftLog}, a hard
 * state file, a Netty transport on its own loopback address and a {@link RaftAgent} whose state machine only counts.
 * {@link #kill()} is an abrupt stop (agent halted, transport closed, no leadership transfer); {@link #start}
 * reopens everything from the files, as a restarted process would.
 */
final class BenchNode {
    final long id;
    private final Path dir;
    private final RaftAgentConfig config;
    private final MajorityConfig voters;
    private final SplittableRandom random;
    InetSocketAddress address;
    volatile RaftAgent agent;
    NettyTransport transport;
    /** Recent entries kept by reference: a bit more than the clients' in-flight window, small for the GC. */
    private final int tailCacheEntries;
    private final long segmentBytes;
    private CommitLog commitLog;
    private volatile CommitLogRaftLog raftLog;
    final AtomicLong applied = new AtomicLong();
    /** Time the latest {@link #start} spent opening (recovering) the commit log. */
    volatile long openLogNs;

    BenchNode(long id, Path dir, InetSocketAddress address, RaftAgentConfig config, MajorityConfig voters,
              long seed, int tailCacheEntries, long segmentBytes) {
        this.segmentBytes = segmentBytes;
        this.tailCacheEntries = tailCacheEntries;
        this.id = id;
        this.dir = dir;
        this.address = address;
        this.config = config;
        this.voters = voters;
        this.random = new SplittableRandom(seed);
    }

    /** Opens the files and starts transport and agent; peers are added by the caller. */
    void start() {
        CommitLogConfig cfg = CommitLogConfig.builder(dir.resolve("commitlog")).segmentBytes(segmentBytes)
            .flushMode(FlushMode.ASYNC).flushIntervalMs(200).build();
        long t0 = System.nanoTime();
        commitLog = CommitLog.open(cfg, RecordStamper.NONE);
        openLogNs = System.nanoTime() - t0;
        CommitLogRaftLog log = new CommitLogRaftLog(commitLog, dir.resolve("raft-boundary"),
            System::currentTimeMillis, tailCacheEntries);
        raftLog = log;
        transport = new NettyTransport(NettyTransportConfig.defaults(id, address));
        FileHardStateStore store = new FileHardStateStore(dir.resolve("raft"));
        // The counting state machine needs no replay: treat the saved commit index as applied.
        long applied = Math.min(store.load().commitIndex(), log.lastIndex());
        RaftAgent a = new RaftAgent(config, voters, log, store, new CountingStateMachine(), applied, transport,
            NanoClock.SYSTEM, random.split()::nextInt);
        transport.start(a);
        address = transport.boundAddress();
        agent = a;
    }

    /** Tail-cache misses of the current incarnation (read racily from another thread: a metric). */
    long entriesReadFromLog() {
        CommitLogRaftLog l = raftLog;
        return l == null ? 0 : l.entriesReadFromLog();
    }

    void addPeers(BenchNode[] nodes) {
        for (BenchNode n : nodes) {
            if (n != null && n.id != id) {
                transport.addPeer(n.id, n.address);
            }
        }
    }

    /**
     * Abrupt stop, as kill -9 leaves the files: no leadership transfer, no final hard state save, and the commit log
     * neither forced nor checkpointed, so the restart recovers its tail.
     */
    void kill() {
        RaftAgent a = agent;
        if (a == null) {
            return;
        }
        a.halt();
        transport.close();
        commitLog.closeAbruptly();
        agent = null;
    }

    /** Graceful stop: hand leadership over first. */
    void stop() {
        RaftAgent a = agent;
        if (a == null) {
            return;
        }
        a.close();
        transport.close();
        commitLog.close();
        agent = null;
    }

    /** Counts applied entries; the benchmark measures replication, not an application. */
    private final class CountingStateMachine implements StateMachine {
        @Override
        public void apply(Entry entry) {
            applied.incrementAndGet();
        }

        @Override
        public Snapshot takeSnapshot() {
            throw new UnsupportedOperationException("the benchmark never compacts its log");
        }

        @Override
        public void restore(Snapshot snapshot) {
            throw new UnsupportedOperationException("the benchmark never compacts its log");
        }
    }
}
