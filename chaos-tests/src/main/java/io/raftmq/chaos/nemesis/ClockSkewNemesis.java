package io.raftmq.chaos.nemesis;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A member whose wall clock is off by a seeded skew of {@code +-[minSeconds, maxSeconds]}: a random follower is
 * killed and restarted under libfaketime ({@code LD_PRELOAD} of the Debian package faketime's library with
 * {@code FAKETIME=+Ns} or {@code -Ns}, {@code FAKETIME_DONT_FAKE_MONOTONIC=1}), and once it answers as follower,
 * leadership is handed to it (RAFT_TRANSFER_LEADERSHIP), so the entries it appends carry its skewed clock (a raft
 * entry is stamped with the leader's wall clock: docs/storage.md) and its own time-based work (retention, delayed
 * delivery, client timestamps it compares) runs on it. Heal hands leadership back to another member (when the
 * skewed one leads) and restarts the skewed member with the real clock.
 *
 * <p>What it covers: the wall clock ({@code System.currentTimeMillis}, {@code Instant.now}) of one member jumps by
 * the skew at its restart and stays off; the monotonic clock ({@code System.nanoTime}), on which raft ticks,
 * election and heartbeat timeouts run, is not faked, so elections must not react. What it does not: a clock that
 * drifts or jumps while the process runs (libfaketime can, through a control file, but a restart is simpler to
 * replay), and skewed monotonic time.
 */
public final class ClockSkewNemesis implements Nemesis {
    /** Where Debian and Ubuntu install the library (multiarch directories first). */
    private static final List<String> LIBRARY_GLOBS = List.of("/usr/lib/x86_64-linux-gnu/faketime",
        "/usr/lib/aarch64-linux-gnu/faketime", "/usr/lib/faketime");
    private static final String LIBRARY = "libfaketime.so.1";
    private static final long FOLLOWER_WAIT_MS = 60_000;
    private static final long TRANSFER_TIMEOUT_MS = 10_000;

    private final long minSeconds;
    private final long maxSeconds;
    private Path library;
    private Member skewed;

    /**
     * @param minSeconds smallest skew, either way (>= 1)
     * @param maxSeconds largest skew, either way
     */
    public ClockSkewNemesis(long minSeconds, long maxSeconds) {
        if (minSeconds < 1 || maxSeconds < minSeconds) {
            throw new IllegalArgumentException("skew range must be 1 <= min <= max: " + minSeconds + ", "
                + maxSeconds);
        }
        this.minSeconds = minSeconds;
        this.maxSeconds = maxSeconds;
    }

    @Override
    public String name() {
        return "clock-skew";
    }

    /** libfaketime's path, or an error saying how to install it. */
    public static Path library() {
        for (String dir : LIBRARY_GLOBS) {
            Path p = Path.of(dir, LIBRARY);
            if (Files.isReadable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("clock-skew needs libfaketime (apt-get install -y faketime; .ci/run does"
            + " it as root): not found in " + LIBRARY_GLOBS);
    }

    /** The environment that runs a JVM with its wall clock off by {@code skewSeconds} (monotonic time real). */
    public static Map<String, String> environment(Path library, long skewSeconds) {
        return Map.of("LD_PRELOAD", library.toString(),
            "FAKETIME", (skewSeconds >= 0 ? "+" : "") + skewSeconds + "s",
            "FAKETIME_DONT_FAKE_MONOTONIC", "1");
    }

    /** Checks libfaketime is installed before the cluster starts. */
    @Override
    public synchronized ClusterOptions prepare(ClusterOptions options, Path workDir) {
        library = library();
        return options;
    }

    @Override
    public synchronized String inject(ProcessCluster cluster, Random random) throws Exception {
        if (skewed != null) {
            return "no new skew: " + skewed.id() + " is still skewed";
        }
        if (library == null) {
            library = library();
        }
        Member leader = Targets.leader(cluster);
        List<Member> followers = new ArrayList<>(Targets.running(cluster));
        followers.remove(leader);
        if (leader == null || followers.isEmpty()) {
            return "no leader or no follower to skew";
        }
        Member m = Targets.draw(followers, 1, random).get(0);
        long magnitude = minSeconds + (maxSeconds == minSeconds ? 0 : random.nextInt((int) (maxSeconds - minSeconds
            + 1)));
        long skew = random.nextBoolean() ? magnitude : -magnitude;
        cluster.kill(m);
        cluster.setEnvironment(m, environment(library, skew));
        skewed = m;
        cluster.restart(m);
        String what = "clock of " + m.id() + " " + (skew >= 0 ? "+" : "") + skew + " s; restarted";
        if (!awaitFollower(cluster, m)) {
            return what + "; not a follower within " + FOLLOWER_WAIT_MS + " ms, no transfer";
        }
        Member now = Targets.leader(cluster); // leadership may have moved while m restarted
        if (now == m || now == null) {
            return what + (now == m ? "; it leads already" : "; no leader to transfer from");
        }
        String failed = cluster.queries().transferLeadership(now.brokerAddr(), m.brokerAddr(), TRANSFER_TIMEOUT_MS);
        return what + (failed == null ? "; leadership from " + Targets.label(now, now) + " to " + m.id()
            : "; transfer from " + now.id() + " failed: " + failed);
    }

    private static boolean awaitFollower(ProcessCluster cluster, Member m) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FOLLOWER_WAIT_MS);
        while (System.nanoTime() - deadline < 0) {
            Map<String, String> info = m.isAlive() ? cluster.runtimeInfo(m.brokerAddr()) : null;
            if (info != null && "FOLLOWER".equals(info.get("raftRole"))
                    && "false".equals(info.get("raftRepairing"))) {
                return true;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return false;
    }

    /** The member skewed now, or null. */
    public synchronized Member skewed() {
        return skewed;
    }

    @Override
    public synchronized String heal(ProcessCluster cluster) throws Exception {
        if (skewed == null) {
            return "nothing to heal";
        }
        Member m = skewed;
        String moved = "";
        List<Member> others = new ArrayList<>(Targets.running(cluster));
        others.remove(m);
        if (m.isAlive() && m == Targets.leader(cluster) && !others.isEmpty()) {
            String failed = cluster.queries().transferLeadership(m.brokerAddr(), others.get(0).brokerAddr(),
                TRANSFER_TIMEOUT_MS);
            moved = failed == null ? "leadership to " + others.get(0).id() + ", " : "transfer failed (" + failed
                + "), ";
        }
        if (m.isAlive()) {
            cluster.kill(m);
        }
        cluster.setEnvironment(m, Map.of());
        cluster.restart(m);
        skewed = null;
        return moved + "restarted " + m.id() + " with the real clock";
    }
}
