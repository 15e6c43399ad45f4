package io.raftmq.raft.sim;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: with the log synced off the driver's cycle and slow syncs, writes and truncations land while a sync is in
 * flight and reports arrive late (so about entries since replaced); the safety invariants, the durability check of
 * every acknowledgement ({@link SafetyChecker#onAcknowledgement}) and liveness still hold. Method: {@code
 * sim.slowSeeds} (default 300) random seeds from a printed base ({@code -Dsim.seedBase=B} replays a block) with log
 * syncs taking up to {@link #SYNC_UNITS_MAX} units (8 ticks) instead of the swarm's 1..12; the test requires that
 * truncations did happen during syncs.
 */
class SlowSyncSimulationTest {
    private static final Logger LOG = LoggerFactory.getLogger(SlowSyncSimulationTest.class);
    static final int SYNC_UNITS_MAX = 80;

    @Test
    void safetyHoldsWhenSyncsAreSlowAndReorderWithTruncations() {
        int count = Integer.getInteger("sim.slowSeeds", 300);
        long base = Long.getLong("sim.seedBase", new SplittableRandom().nextLong(1, Long.MAX_VALUE / 2));
        LOG.info("slow syncs: running {} seeds from base {}", count, base);
        long started = System.nanoTime();
        long truncations = 0;
        for (long seed = base; seed < base + count; seed++) {
            try {
                truncations += new Simulation(seed, true, false, SYNC_UNITS_MAX).run().truncationsDuringSync();
            } catch (AssertionError e) {
                LOG.error("slow syncs: seed {} failed (base {}; replay: -Dtest=SlowSyncSimulationTest -Dsim.seedBase={}"
                    + " -Dsim.slowSeeds=1)", seed, base, seed);
                throw e;
            }
        }
        LOG.info("slow syncs: {} seeds from {} passed in {} ms, {} truncations during a sync", count, base,
            (System.nanoTime() - started) / 1_000_000, truncations);
        assertThat(truncations).as("truncations racing a sync were exercised").isPositive();
    }
}
