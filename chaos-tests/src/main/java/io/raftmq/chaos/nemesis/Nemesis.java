package io.raftmq.chaos.nemesis;

import io.raftmq.chaos.cluster.ProcessCluster;

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
 */
public interface Nemesis {
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
}
