package io.raftmq.chaos.run;

import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Samples every member's raft role during a run and records each change as an INFO event of process
 * {@code observer}, op {@code role}, value the member id, detail {@code <role> term=<T>} ({@code leader term=7},
 * {@code follower term=7}) or {@code down} when the member does not answer (killed, paused, starting). One daemon
 * thread per member (a paused member's query blocks for its timeout and must not delay the others), one cheap
 * GET_BROKER_RUNTIME_INFO query every {@value #PERIOD_MS} ms each.
 */
final class RoleSampler implements AutoCloseable {
    static final long PERIOD_MS = 150;

    private final ProcessCluster cluster;
    private final History history;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stop;

    RoleSampler(ProcessCluster cluster, History history) {
        this.cluster = cluster;
        this.history = history;
    }

    RoleSampler start() {
        for (Member m : cluster.members()) {
            Thread t = new Thread(() -> sample(m), "role-sampler-" + m.id());
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void sample(Member m) {
        String last = null;
        while (!stop) {
            Map<String, String> info = cluster.queries().runtimeInfo(m.brokerAddr());
            String now = info == null ? "down" : info.getOrDefault("raftRole", "unknown").toLowerCase(Locale.ROOT)
                + " term=" + info.getOrDefault("raftTerm", "?");
            if (!now.equals(last) && !stop) {
                history.info("observer", "role", m.id(), now);
                last = now;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(PERIOD_MS));
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        for (Thread t : threads) {
            t.join(5_000);
        }
    }
}
