package io.raftmq.chaos.run;

import io.raftmq.chaos.check.History;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Client-side failover times of a run: for each fault that hit the leader, from the last acknowledged send before
 * the fault took effect to the first acknowledged send after it (ms). A fault with no acknowledged send after it
 * (the run ended first) counts up to the end of the history.
 *
 * @param millis one figure per leader fault, in history order
 */
record Failover(List<Double> millis) {
    /**
     * @param faultNanos the times the leader faults took effect (after their inject returned), in order
     */
    static Failover of(History h, List<Long> faultNanos) {
        List<History.Event> oks = h.select(History.Type.OK, "send");
        long end = System.nanoTime();
        List<Double> out = new ArrayList<>();
        for (long f : faultNanos) {
            Long before = null;
            Long after = null;
            for (History.Event e : oks) {
                if (e.nanos() - f < 0) {
                    before = e.nanos();
                } else {
                    after = e.nanos();
                    break;
                }
            }
            if (before != null) {
                out.add(((after == null ? end : after) - before) / 1e6);
            }
        }
        return new Failover(List.copyOf(out));
    }

    /** The median in ms (the lower middle), or -1 without leader faults. */
    double p50() {
        if (millis.isEmpty()) {
            return -1;
        }
        List<Double> s = new ArrayList<>(millis);
        Collections.sort(s);
        return s.get((s.size() - 1) / 2);
    }

    /** The largest in ms, or -1 without leader faults. */
    double max() {
        return millis.stream().mapToDouble(Double::doubleValue).max().orElse(-1);
    }
}
