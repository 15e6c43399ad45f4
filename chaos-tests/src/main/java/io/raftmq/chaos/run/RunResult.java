package io.raftmq.chaos.run;

import io.raftmq.chaos.check.CheckReport;
import io.raftmq.chaos.check.DeliveryChecker;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What one chaos run found.
 *
 * @param scenario      its name
 * @param seed          the seed that replays its choices
 * @param delivery      the delivery check (acknowledged, lost, duplicates, unexpected)
 * @param checks        every checker's result (docs/chaos.md "Checkers")
 * @param drained       whether the consumers received every acknowledged send before the drain deadline
 * @param faults        faults injected (inject calls that did something)
 * @param failoverMs    client-side failover per leader fault (ms)
 * @param errors        what went wrong in the harness (a heal that failed, a cluster that did not come back)
 * @param reportDir     the run's report directory
 */
public record RunResult(String scenario, long seed, DeliveryChecker.Result delivery, CheckReport checks,
                        boolean drained, int faults,
                        List<Double> failoverMs, List<String> errors, Path reportDir) {
    /** Every checker passed and the harness had no error. */
    public boolean valid() {
        return delivery.valid() && checks.valid() && errors.isEmpty();
    }

    /** Client-side failover p50 (ms), -1 without a leader fault. */
    public double failoverP50Ms() {
        return new Failover(failoverMs).p50();
    }

    /** Client-side failover max (ms), -1 without a leader fault. */
    public double failoverMaxMs() {
        return new Failover(failoverMs).max();
    }

    /** The one-line summary {@code bin/raftmq-chaos} prints last. */
    public String resultLine() {
        return String.format(Locale.ROOT, "RESULT scenario=%s acked=%d lost=%d duplicates=%d failover_p50_ms=%.0f"
                + " failover_max_ms=%.0f seed=%d valid=%s unexpected=%d drained=%s faults=%d leader_faults=%d"
                + " violations=%s report=%s", scenario, delivery.acknowledged(), delivery.lost().size(),
            delivery.duplicates(),
            failoverP50Ms(), failoverMaxMs(), seed, valid(), delivery.phantoms().size(), drained, faults,
            failoverMs.size(), checks.violations().isEmpty() ? "none" : String.join(",", checks.violations()),
            reportDir);
    }
}
