package io.raftmq.chaos.run;

import io.raftmq.chaos.check.History;

import java.time.Duration;
import java.util.List;

/**
 * A client load a chaos run drives against the cluster while the nemesis works, recording every operation in the
 * run's {@link History} with the suite's conventions (docs/chaos.md, "Scenarios"): op {@code send} (value = a
 * unique message id; detail of OK {@code queue=<brokerName>:<queueId> offset=<queueOffset>}) and op
 * {@code consume} (one OK per message received; detail {@code queue=.. offset=.. group=..}). The runner calls
 * {@link #start}, later {@link #stopSending}, then {@link #drain} and finally {@link #close}.
 */
public interface Workload extends AutoCloseable {
    /** Short name, as scenarios name it (e.g. {@code queue}, {@code ordered}). */
    String name();

    /**
     * Starts producers and consumers against the cluster whose NameServer is {@code namesrvAddr}.
     *
     * @param seed the run's seed: every random choice of the workload (bodies, keys, pacing) comes from it
     */
    void start(String namesrvAddr, History history, long seed) throws Exception;

    /**
     * The topics it sends to: a scenario of several broker groups creates them on every group's leader before
     * {@link #start} (auto-creation would put a topic on the one group that takes the first send).
     */
    default List<String> topics() {
        return List.of();
    }

    /** Sends acknowledged so far (progress, for the runner's log). */
    int acked();

    /** Stops the producers after their sends in flight; consumers go on. */
    void stopSending() throws InterruptedException;

    /**
     * Waits until every acknowledged send was consumed at least once, or {@code timeout} passed.
     *
     * @return whether everything acknowledged was consumed in time
     */
    boolean drain(Duration timeout) throws InterruptedException;

    /** Shuts the clients down. Idempotent. */
    @Override
    void close();
}
