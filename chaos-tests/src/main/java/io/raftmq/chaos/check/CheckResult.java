package io.raftmq.chaos.check;

import java.util.List;
import java.util.Map;

/**
 * One checker's verdict on a history, in the form the report and {@code results.json} show: a name, whether no
 * safety violation was found, named counts (in a fixed order; numbers) and up to
 * {@link CheckInput#examplesMax()} examples of what it flagged (one line each).
 */
public interface CheckResult {
    /** The checker's short name ("lost", "duplicates", ...). */
    String name();

    /** True when the checker found no safety violation (liveness figures never make it false). */
    boolean valid();

    /** Named counts and figures, in a fixed order. */
    Map<String, Object> counts();

    /** Up to the input's bound of flagged cases, one line each. */
    List<String> examples();

    /** One line: name, verdict and counts. */
    default String summary() {
        StringBuilder b = new StringBuilder(name()).append(valid() ? " ok" : " VIOLATION");
        counts().forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
        return b.toString();
    }
}
