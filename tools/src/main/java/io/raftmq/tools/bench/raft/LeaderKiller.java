package io.raftmq.tools.bench.raft;

import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftStatus;

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
 * go to stderr as one {@code info: kill <k>: ...} line; the elections, restarts and catch-ups are kept as
 * {@link Failover}s.
 */
final class LeaderKiller {
    /** No kill starts later than this before the end of the run (election, restart and catch-up fit in it). */
    private static final long KILL_TAIL_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long LEADER_TIMEOUT_MS = 10_000;
    private static final long CATCH_UP_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    /** {@code --kill-follower}: how long the follower stays down, about a broker process's restart. */
    private static final long FOLLOWER_DOWN_NS = TimeUnit.SECONDS.toNanos(1);
    private final BenchCluster cluster;
    private final long killEveryNs;
    private final long endNs;
    private final boolean killFollower;
    private final List<Failover> failovers = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * One failover.
     *
     * @param electionNs from the leader's death to a new leader committing what it held when first seen as leader
     * @param terms      new term minus old term
     * @param restartNs  reopening the killed member from its files (commit log recovery included), until it runs
     * @param catchupNs  from the restart (its agent running) until its log matches the leader's through the
     *                   leader's commit index at that moment (-1: not within the catch-up timeout)
     */
    record Failover(long electionNs, long terms, long restartNs, long catchupNs) {
    }

    private LeaderKiller(BenchCluster cluster, long killEveryNs, long endNs, boolean killFollower) {
        this.cluster = cluster;
        this.killFollower = killFollower;
        this.killEveryNs = killEveryNs;
        this.endNs = endNs;
        this.thread = new Thread(this::killLoop, "bench-killer");
        thread.setDaemon(true);
    }

    /**
     * Starts killing, the first kill {@code killEveryNs} from now; the run ends at {@code endNs}. With
     * {@code killFollower} each kill takes a follower instead, restarted {@link #FOLLOWER_DOWN_NS} later (no
     * election: election_ms is 0).
     */
    static LeaderKiller start(BenchCluster cluster, long killEveryNs, long endNs, boolean killFollower) {
        LeaderKiller k = new LeaderKiller(cluster, killEveryNs, endNs, killFollower);
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
        BenchNode victim = killFollower ? cluster.followerOf(old) : cluster.nodeOf(old);
        long deathNs = System.nanoTime();
        victim.kill();
        RaftAgent next;
        if (killFollower) {
            Parking.parkUntil(deathNs + FOLLOWER_DOWN_NS);
            next = old; // no election: the leader stays (a lost lease would show as terms > 0)
        } else {
            next = awaitNewLeaderCommitting(oldTerm);
        }
        long electedNs = System.nanoTime();
        long terms = next.status().term() - oldTerm;
        cluster.restart(victim);
        long restartedNs = System.nanoTime();
        long commitAtRestart = next.status().commitIndex();
        long behind = commitAtRestart - victim.agent.status().lastIndex();
        CatchUp c = awaitMatch(victim, commitAtRestart, restartedNs);
        boolean caughtUp = c.matchNs >= 0 && awaitCaughtUp(victim, commitAtRestart);
        long doneNs = System.nanoTime();
        int kill;
        synchronized (failovers) {
            failovers.add(new Failover(killFollower ? 0 : electedNs - deathNs, terms, restartedNs - electedNs,
                c.matchNs));
            kill = failovers.size();
        }
        System.err.printf(Locale.ROOT, "info: kill %d: node %d, %s=%.1f terms=%d restart_ms=%.1f "
                + "(commit log open %.1f) catchup_ms=%.1f (leader heard after %.1f, first append after %.1f; "
                + "%d entries behind) catch_up_ms=%.1f%s%n", kill, victim.id, killFollower ? "down_ms" : "election_ms",
            (electedNs - deathNs) / 1e6, terms, (restartedNs - electedNs) / 1e6, victim.openLogNs / 1e6,
            c.matchNs / 1e6, c.leaderNs / 1e6, c.firstAppendNs / 1e6, behind, (doneNs - restartedNs) / 1e6,
            caughtUp ? "" : ", NOT caught up");
    }

    /**
     * The phases of one restarted member's catch-up, each from its restart: it hears from a leader, its log grows
     * for the first time, its commit index reaches the target (-1: not within the timeout).
     */
    private record CatchUp(long leaderNs, long firstAppendNs, long matchNs) {
    }

    /**
     * Waits (at most 20 s) until {@code n}'s commit index reaches {@code commit}. A follower's commit index is at most
     * the last index its log matches the leader's through (it takes the leader's commit only up to the end of an
     * append it accepted), so this is the moment the leader's match for it reached {@code commit} as the follower
     * sees it. Polls every 0.2 ms.
     */
    private static CatchUp awaitMatch(BenchNode n, long commit, long restartedNs) {
        long deadline = restartedNs + CATCH_UP_TIMEOUT_NS;
        long lastAtStart = n.agent.status().lastIndex();
        long leaderNs = -1;
        long firstAppendNs = -1;
        while (true) {
            RaftStatus s = n.agent.status();
            long now = System.nanoTime();
            if (leaderNs < 0 && s.leaderId() != 0) {
                leaderNs = now - restartedNs;
            }
            if (firstAppendNs < 0 && s.lastIndex() > lastAtStart) {
                firstAppendNs = now - restartedNs;
            }
            if (s.commitIndex() >= commit) {
                return new CatchUp(leaderNs, firstAppendNs, now - restartedNs);
            }
            if (now - deadline >= 0) {
                return new CatchUp(leaderNs, firstAppendNs, -1);
            }
            LockSupport.parkNanos(200_000);
        }
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
