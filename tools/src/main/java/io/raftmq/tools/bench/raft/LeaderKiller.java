package io.raftmq.tools.bench.raft;

import io.raftmq.raft.driver.RaftAgent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The failover driver of {@code --kill-leader-every S}: a daemon thread ({@code bench-killer}) kills the leader of a
 * {@link BenchCluster} abruptly at a fixed rate, kill k being due {@code k * S} after the start, or at once when the
 * previous failover (election, restart of the victim from its files, its catch-up) overran its slot. No kill starts
 * less than {@link #KILL_TAIL_NS} before the end, so every failover completes inside the run. Each kill's phases
 * go to stderr as one {@code info: kill <k>: ...} line; the elections are kept as {@link Failover}s.
 */
final class LeaderKiller {
    /** No kill starts later than this before the end of the run (election, restart and catch-up fit in it). */
    private static final long KILL_TAIL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long LEADER_TIMEOUT_MS = 10_000;
    private static final long CATCH_UP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private final BenchCluster cluster;
    private final long killEveryNs;
    private final long endNs;
    private final List<Failover> failovers = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * One failover.
     *
     * @param electionNs from the leader's death to a new leader committing what it held when first seen as leader
     * @param terms      new term minus old term
     * @param restartNs  reopening the killed member from its files (commit log recovery included), until it runs
     */
    record Failover(long electionNs, long terms, long restartNs) {
    }

    private LeaderKiller(BenchCluster cluster, long killEveryNs, long endNs) {
        this.cluster = cluster;
        this.killEveryNs = killEveryNs;
        this.endNs = endNs;
        this.thread = new Thread(this::killLoop, "bench-killer");
        thread.setDaemon(true);
    }

    /** Starts killing, the first kill {@code killEveryNs} from now; the run ends at {@code endNs}. */
    static LeaderKiller start(BenchCluster cluster, long killEveryNs, long endNs) {
        LeaderKiller k = new LeaderKiller(cluster, killEveryNs, endNs);
        k.thread.start();
        return k;
    }

    /** No further kill starts; {@link #join} waits for the one under way. */
    void stop() {
        running = false;
    }

    void join() throws InterruptedException {
        thread.join(30_000);
    }

    /** The failovers so far, in kill order. */
    List<Failover> failovers() {
        synchronized (failovers) {
            return new ArrayList<>(failovers);
        }
    }

    private void killLoop() {
        try {
            long due = System.nanoTime() + killEveryNs;
            while (running && due + KILL_TAIL_NS < endNs) {
                Parking.parkUntil(due);
                killLeaderOnce();
                due = Math.max(due + killEveryNs, System.nanoTime());
            }
        } catch (RuntimeException e) { // tool boundary: report and stop killing
            System.err.println("kill loop stopped: " + e);
        }
    }

    private void killLeaderOnce() {
        RaftAgent old = cluster.awaitLeader(Long.MIN_VALUE, LEADER_TIMEOUT_MS);
        long oldTerm = old.status().term();
        BenchNode victim = cluster.nodeOf(old);
        long deathNs = System.nanoTime();
        victim.kill();
        RaftAgent next = awaitNewLeaderCommitting(oldTerm);
        long electedNs = System.nanoTime();
        long terms = next.status().term() - oldTerm;
        cluster.restart(victim);
        long restartedNs = System.nanoTime();
        int kill;
        synchronized (failovers) {
            failovers.add(new Failover(electedNs - deathNs, terms, restartedNs - electedNs));
            kill = failovers.size();
        }
        long behind = next.status().commitIndex() - victim.agent.status().appliedIndex();
        boolean caughtUp = awaitCaughtUp(victim, next.status().commitIndex());
        long doneNs = System.nanoTime();
        System.err.printf(Locale.ROOT, "info: kill %d: node %d, election_ms=%.1f terms=%d restart_ms=%.1f "
                + "(commit log open %.1f) catch_up_ms=%.1f (%d entries behind%s)%n", kill, victim.id,
            (electedNs - deathNs) / 1e6, terms, (restartedNs - electedNs) / 1e6, victim.openLogNs / 1e6,
            (doneNs - restartedNs) / 1e6, behind,
            caughtUp ? "" : ", NOT caught up");
    }

    /**
     * Waits for a leader in a term above {@code oldTerm} whose commit index covers what it held when first seen as
     * leader (its term's no-op and whatever came with it); starts over with the next one if it loses leadership.
     */
    private RaftAgent awaitNewLeaderCommitting(long oldTerm) {
        RaftAgent next = cluster.awaitLeader(oldTerm, LEADER_TIMEOUT_MS);
        long firstSeenLast = next.status().lastIndex();
        while (next.status().commitIndex() < firstSeenLast) {
            if (!next.status().isLeader()) {
                next = cluster.awaitLeader(oldTerm, LEADER_TIMEOUT_MS);
                firstSeenLast = next.status().lastIndex();
            }
            LockSupport.parkNanos(100_000);
        }
        return next;
    }

    /** Waits (at most 20 s) until {@code n} applied {@code commit}; returns whether it did. */
    private static boolean awaitCaughtUp(BenchNode n, long commit) {
        long deadline = System.nanoTime() + CATCH_UP_TIMEOUT_NS;
        while (n.agent.status().appliedIndex() < commit) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            LockSupport.parkNanos(1_000_000);
        }
        return true;
    }
}
