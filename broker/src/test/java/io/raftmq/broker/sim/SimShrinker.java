package io.raftmq.broker.sim;

import io.raftmq.broker.sim.BrokerSimulation.Knobs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.TreeSet;

/**
 * Shrinks a failing seed of the {@link BrokerSimulation} (docs/simulation.md "Shrinking"): runs the seed again with
 * a shorter fault phase (an eighth, a quarter, half, three quarters of it: the shortest that still fails is kept),
 * then with each fault kind of {@link Knobs#KINDS} switched off in turn, keeping it off when the run still fails (any
 * failure counts). Reports the smallest failing configuration and the {@code -Dbsim....} flags that replay it. The
 * runs are new simulations of the same seed; a kind switched off changes the history from where its events were.
 */
final class SimShrinker {
    private static final Logger LOG = LoggerFactory.getLogger(SimShrinker.class);

    /** Runs the seed with {@code knobs}; returns its failure, or null when it passed. */
    interface Runner {
        Throwable run(Knobs knobs);
    }

    /** The smallest failing configuration found, its failure, and how many runs it took. */
    record Result(long seed, Knobs knobs, Throwable failure, int runs) {
        /** The replay command's flags. */
        String flags() {
            return "-Dbsim.seed=" + seed + knobs.flags();
        }

        String describe() {
            String first = String.valueOf(failure.getMessage()).lines().filter(l -> l.startsWith("  "))
                .findFirst().orElse(String.valueOf(failure.getMessage())).trim();
            String off = knobs.off().isEmpty() ? "every fault kind on"
                : "off: " + String.join(",", new TreeSet<>(knobs.off()));
            return "seed " + seed + " still fails with a fault phase of " + knobs.safetyMs() + " ms and " + off + " ("
                + runs + " runs): " + first + "; replay with " + flags();
        }
    }

    private SimShrinker() {
    }

    /** Shrinks {@code seed}, failing with {@code start}; null when it does not fail again with them. */
    static Result shrink(long seed, Knobs start, Runner runner) {
        Throwable failure = runner.run(start);
        int runs = 1;
        if (failure == null) {
            LOG.warn("seed {} passed when run again with {}: not shrunk", seed, start);
            return null;
        }
        Knobs best = start;
        for (long ms : new long[] {start.safetyMs() / 8, start.safetyMs() / 4, start.safetyMs() / 2,
            start.safetyMs() * 3 / 4}) {
            Throwable t = runner.run(best.withSafetyMs(ms));
            runs++;
            if (t != null) {
                best = best.withSafetyMs(ms);
                failure = t;
                break;
            }
        }
        for (String kind : Knobs.KINDS) {
            if (!best.on(kind)) {
                continue;
            }
            Throwable t = runner.run(best.without(kind));
            runs++;
            if (t != null) {
                best = best.without(kind);
                failure = t;
            }
        }
        Result r = new Result(seed, best, failure, runs);
        LOG.info("shrunk: {}", r.describe());
        return r;
    }
}
