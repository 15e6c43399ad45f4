package io.raftmq.broker.sim;

import io.raftmq.broker.sim.BrokerSimulation.Knobs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the shrinker ({@link SimShrinker}, docs/simulation.md "Shrinking") reduces a failing seed to the fault kinds
 * the failure needs and prints flags that replay it. Method: a planted failure (test code only: an extra check that
 * fails once the run has had a crash and a partition) on seed 2, whose fault menu has both; the shrinker must switch
 * every other kind off, keep crashes and partitions, and its flags must fail again the same way.
 */
class SimShrinkerTest {
    private static final Logger LOG = LoggerFactory.getLogger(SimShrinkerTest.class);
    private static final long SEED = 2;
    private static final String PLANTED = "planted: a crash and a partition";

    @TempDir
    Path dir;
    private int runs;

    private Throwable run(Knobs knobs) {
        BrokerSimulation sim = new BrokerSimulation(SEED, dir.resolve("run-" + runs++), true, knobs);
        sim.addCheck(() -> {
            if (sim.crashes() > 0 && sim.partitions() > 0) {
                throw new AssertionError(PLANTED);
            }
        });
        try {
            sim.run();
            return null;
        } catch (AssertionError e) {
            return e;
        }
    }

    @Test
    void aPlantedFailureShrinksToTheFaultKindsItNeeds() {
        LOG.info("seed {}", SEED);
        SimShrinker.Result r = SimShrinker.shrink(SEED, Knobs.DEFAULT, this::run);
        assertThat(r).as("seed %d fails with the planted check", SEED).isNotNull();
        assertThat(r.failure()).hasMessageContaining(PLANTED);
        assertThat(r.knobs().off()).containsExactlyInAnyOrder("transfers", "pauses", "disk", "lossy", "transactions",
            "locks", "snapshots", "membership");
        assertThat(r.knobs().safetyMs()).isLessThanOrEqualTo(BrokerSimulation.SAFETY_MS);
        assertThat(r.flags()).startsWith("-Dbsim.seed=2").contains("-Dbsim.off=disk,locks,lossy,membership,"
            + "pauses,snapshots,transactions,transfers");
        assertThat(run(r.knobs())).as("the shrunk configuration replays the failure").hasMessageContaining(PLANTED);
        assertThat(run(r.knobs().withSafetyMs(r.knobs().safetyMs()).without("crashes"))).as("without crashes it"
            + " passes").isNull();
    }
}
