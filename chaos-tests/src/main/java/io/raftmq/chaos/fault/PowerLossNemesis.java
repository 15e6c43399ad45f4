package io.raftmq.chaos.fault;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.nemesis.Nemesis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Power loss of every member at once: SIGKILL to all broker processes (signals sent back to back, then each exit
 * awaited), every file of every member's data directory cut back by {@link PowerLoss#cut} to a seeded point between
 * what its fsyncs covered and what was written, then every member restarted on what is left. The cluster must run
 * with the shim ({@code ClusterOptions.withEnvironment(powerLoss.environment())}). Heal restarts any member still
 * down. Invariant to check after it: nothing acknowledged is lost (an acknowledgement waits for a quorum's fsync).
 * Made without a {@link PowerLoss} (the chaos menu), {@link #prepare} builds the shim (gcc) into the run's work
 * directory and puts it into every process's environment.
 */
public final class PowerLossNemesis implements Nemesis {
    private static final Logger LOG = LoggerFactory.getLogger(PowerLossNemesis.class);
    private static final long EXIT_WAIT_MS = 10_000;

    private PowerLoss powerLoss;
    private final List<PowerLoss.Cut> lastCuts = new ArrayList<>();

    /** Over a cluster already running with {@code powerLoss}'s environment. */
    public PowerLossNemesis(PowerLoss powerLoss) {
        this.powerLoss = powerLoss;
    }

    /** Builds its shim in {@link #prepare}. */
    public PowerLossNemesis() {
        this(null);
    }

    /**
     * Builds the shim under {@code workDir} (when not given one) and adds its environment to the options.
     *
     * @throws IOException gcc is missing or failed (the message has its output)
     */
    @Override
    public synchronized ClusterOptions prepare(ClusterOptions options, Path workDir) throws IOException {
        if (powerLoss == null) {
            powerLoss = PowerLoss.build(workDir.resolve("fsync-shim"));
        }
        return options.withEnvironment(powerLoss.environment());
    }

    @Override
    public String name() {
        return "power-loss";
    }

    /** The files the last injection cut (for a report). */
    public synchronized List<PowerLoss.Cut> lastCuts() {
        return List.copyOf(lastCuts);
    }

    @Override
    public synchronized String inject(ProcessCluster cluster, Random random) throws IOException {
        if (powerLoss == null) {
            throw new IllegalStateException("no fsync shim: prepare the cluster options first");
        }
        killAll(cluster);
        lastCuts.clear();
        long lost = 0;
        StringBuilder what = new StringBuilder("power loss:");
        for (ProcessCluster.Member m : cluster.members()) {
            List<PowerLoss.Cut> cuts = powerLoss.cut(m.dataDir(), random);
            long bytes = cuts.stream().mapToLong(PowerLoss.Cut::lostBytes).sum();
            lost += bytes;
            lastCuts.addAll(cuts);
            what.append(' ').append(m.id()).append(" lost ").append(bytes).append(" B in ").append(cuts.size())
                .append(" files;");
            cuts.forEach(c -> LOG.info("power loss {}: {}", m.id(), c));
        }
        for (ProcessCluster.Member m : cluster.members()) {
            cluster.restart(m);
        }
        return what.append(" total ").append(lost).append(" B; all restarted").toString();
    }

    /** SIGKILL to every running member first, then waits for each to be gone. */
    static void killAll(ProcessCluster cluster) throws IOException {
        List<CompletableFuture<ProcessHandle>> exits = new ArrayList<>();
        for (ProcessCluster.Member m : cluster.members()) {
            long pid = m.pid();
            if (pid > 0) {
                ProcessHandle.of(pid).ifPresent(h -> {
                    h.destroyForcibly();
                    exits.add(h.onExit());
                });
            }
        }
        try {
            CompletableFuture.allOf(exits.toArray(new CompletableFuture<?>[0])).get(EXIT_WAIT_MS,
                TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("members did not exit within " + EXIT_WAIT_MS + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while killing", e);
        }
        for (ProcessCluster.Member m : cluster.members()) {
            awaitNotAlive(m);
        }
    }

    private static void awaitNotAlive(ProcessCluster.Member m) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MS);
        while (m.isAlive()) {
            if (System.nanoTime() - deadline > 0) {
                throw new IOException(m.id() + " still alive after SIGKILL");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public synchronized String heal(ProcessCluster cluster) throws IOException {
        List<String> restarted = new ArrayList<>();
        for (ProcessCluster.Member m : cluster.members()) {
            if (!m.isAlive()) {
                cluster.restart(m);
                restarted.add(m.id());
            }
        }
        return restarted.isEmpty() ? "every member running" : "restarted " + restarted;
    }
}
