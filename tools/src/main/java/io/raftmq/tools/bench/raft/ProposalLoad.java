package io.raftmq.tools.bench.raft;

import io.raftmq.raft.driver.ProposalCallback;
import io.raftmq.raft.driver.ProposalException;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.tools.bench.LatencyRecorder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator: {@code clients} daemon threads ({@code bench-client-<i>}) propose fixed-size entries to the
 * current leader of a {@link BenchCluster}, sharing a window of {@code inflight} proposals (and, with a rate, a
 * {@link RatePacer}). It counts commits and failures and records the latency from propose to the commit callback
 * of proposals made after {@link #measureFrom}. After a failed proposal (an election window) every client backs
 * off for 5 ms.
 */
final class ProposalLoad {
    private static final long FAILURE_BACKOFF_NS = 5_000_000;
    private final BenchCluster cluster;
    private final int clientCount;
    private final int sizeBytes;
    private final Semaphore inflight;
    /** Null without {@code --rate}: proposals as fast as the window allows. */
    private final RatePacer pacer;
    private final LatencyRecorder latency = new LatencyRecorder();
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final List<Thread> clients = new ArrayList<>();
    private volatile long measureFromNs = Long.MAX_VALUE;
    private volatile boolean running = true;
    /** When a proposal last failed. */
    private volatile long lastFailureNs;

    ProposalLoad(BenchCluster cluster, RaftBenchOptions opt) {
        this.cluster = cluster;
        this.clientCount = opt.clients;
        this.sizeBytes = opt.size;
        this.inflight = new Semaphore(opt.inflight);
        this.pacer = opt.rate > 0 ? new RatePacer(opt.rate, System.nanoTime()) : null;
    }

    void start() {
        for (int c = 0; c < clientCount; c++) {
            Thread t = new Thread(this::clientLoop, "bench-client-" + c);
            t.setDaemon(true);
            t.start();
            clients.add(t);
        }
    }

    /** Latency is recorded for proposals made at or after {@code startNs}. */
    void measureFrom(long startNs) {
        measureFromNs = startNs;
    }

    long committed() {
        return committed.get();
    }

    long failed() {
        return failed.get();
    }

    LatencyRecorder.Snapshot latency() {
        return latency.snapshot();
    }

    /** Tells the clients to stop; {@link #join} waits for them. */
    void stop() {
        running = false;
    }

    void join() throws InterruptedException {
        for (Thread t : clients) {
            t.join(5_000);
        }
    }

    private void clientLoop() {
        byte[] payload = new byte[sizeBytes]; // shared: entries never mutate payloads
        while (running) {
            RaftAgent a = cluster.leader();
            if (a == null) {
                LockSupport.parkNanos(1_000_000);
                continue;
            }
            if (System.nanoTime() - lastFailureNs < FAILURE_BACKOFF_NS) {
                LockSupport.parkNanos(1_000_000);
                continue;
            }
            int permits = takePermits(inflight);
            if (permits == 0) {
                continue;
            }
            for (int sent = 0; sent < permits; ) {
                int burst = permits - sent;
                if (pacer != null) {
                    burst = Math.min(burst, pacer.burstMax());
                    Parking.parkUntil(pacer.nextSlotNs(burst));
                }
                for (int i = 0; i < burst; i++) {
                    a.propose(16, payload, new Timed(System.nanoTime()));
                }
                sent += burst;
            }
        }
    }

    /**
     * Blocks (without polling) until a permit is free, then takes every free permit: one wake-up per burst of
     * proposals. Returns 0 after 10 ms without a permit so the caller can re-check the leader and the deadline.
     */
    private static int takePermits(Semaphore inflight) {
        try {
            if (!inflight.tryAcquire(10, TimeUnit.MILLISECONDS)) {
                return 0;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
        return 1 + inflight.drainPermits();
    }

    /** Completion of one proposal: latency on success, the permit back in any case. */
    private final class Timed implements ProposalCallback {
        private final long startNs;

        Timed(long startNs) {
            this.startNs = startNs;
        }

        @Override
        public void onCommitted(long index, long term) {
            committed.incrementAndGet();
            if (startNs >= measureFromNs) {
                latency.recordNanos(System.nanoTime() - startNs);
            }
            inflight.release();
        }

        @Override
        public void onFailure(ProposalException cause) {
            failed.incrementAndGet();
            lastFailureNs = System.nanoTime();
            inflight.release();
        }
    }
}
