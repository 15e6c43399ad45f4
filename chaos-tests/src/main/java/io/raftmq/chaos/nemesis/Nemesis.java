package io.raftmq.chaos.nemesis;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/**
 * One kind of fault the chaos suite injects into a real cluster: a kill, a pause, a partition, lost un-fsynced
 * writes, a damaged file... A scenario's generator calls {@link #inject} and, after the fault window,
 * {@link #heal}; each returns a short description that the runner records as a {@code nemesis} INFO event in the
 * history (so checkers and the report can shade fault windows). Every random choice (which member, which link, how
 * long) comes from the {@link Random} handed in, seeded by the run, so a printed seed replays the same faults.
 *
 * <p>A nemesis undoes everything it changed in {@link #heal} (restarts what it killed, resumes what it paused,
 * removes the firewall rules it added) and {@link #heal} is idempotent: the runner calls it again when a run aborts.
 *
 * <p>A nemesis that needs more than a plain cluster (raft links through fault proxies, the fsync shim in every
 * process's environment, root) says so in {@link #prepare}, before the cluster starts; {@link #close} releases what
 * it set up outside the cluster (a firewall chain) after the run.
 */
public interface Nemesis extends AutoCloseable {
    /** Written after a member id in an inject description when that member was the leader. */
    String LEADER_MARK = "(leader)";
    /** How an inject description starts when the nemesis found nothing to act on. */
    String NOTHING = "no ";

    /** The name a scenario and the history use, lower-case with dashes (e.g. {@code kill-leader}). */
    String name();

    /**
     * Injects the fault now.
     *
     * @param cluster the running cluster
     * @param random  the run's seeded source of every choice
     * @return what was done, e.g. {@code "killed n1 (leader) pid 4242"}
     * @throws Exception when the fault could not be injected (the run records it and goes on)
     */
    String inject(ProcessCluster cluster, Random random) throws Exception;

    /**
     * Undoes the fault; a no-op when nothing is injected.
     *
     * @param cluster the running cluster
     * @return what was done, e.g. {@code "restarted n1"}
     * @throws Exception when healing failed (the run fails: the cluster is left in an unknown state)
     */
    String heal(ProcessCluster cluster) throws Exception;

    /**
     * The cluster this nemesis needs, from the options the run would use: default, those options unchanged.
     *
     * @param options the run's cluster options
     * @param workDir a directory of the run for what the nemesis builds (e.g. a compiled shim)
     * @return the options to start the cluster with
     * @throws IOException           something the nemesis builds could not be built (the message says what)
     * @throws IllegalStateException the nemesis cannot run here (not root, a binary missing: the message says so)
     */
    default ClusterOptions prepare(ClusterOptions options, Path workDir) throws IOException {
        return options;
    }

    /** Releases what {@link #prepare} or {@link #inject} set up outside the cluster; idempotent. Default: nothing. */
    @Override
    default void close() {
    }
}
