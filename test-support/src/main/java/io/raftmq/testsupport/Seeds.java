package io.raftmq.testsupport;

import java.util.SplittableRandom;

/**
 * Seeds for randomized tests, so every run can be replayed: a test asks for its seed by the name of a system
 * property; if the property is set (e.g. {@code -Dcrash.seed=42}) that value is used, otherwise a fresh one is
 * drawn. Either way the seed is printed with the flag that replays it, so a failing run's output (surefire keeps it
 * in {@code target/surefire-reports/*-output.txt}) says how to rerun it.
 */
public final class Seeds {
    private static final SplittableRandom DRAW = new SplittableRandom();

    private Seeds() {
    }

    /** The seed named by system property {@code property}, or a freshly drawn one; printed either way. */
    public static long seed(String property) {
        String set = System.getProperty(property);
        long seed = set != null ? Long.decode(set.trim()) : draw();
        System.out.println("seed " + property + "=" + seed + " (replay with -D" + property + "=" + seed + ")");
        return seed;
    }

    /**
     * The seed named by system property {@code property}, or {@code fallback} when unset: for tests whose default run
     * is a fixed case (a regression seed) that may be overridden. Printed either way.
     */
    public static long seed(String property, long fallback) {
        long seed = Long.getLong(property, fallback);
        System.out.println("seed " + property + "=" + seed + " (replay with -D" + property + "=" + seed + ")");
        return seed;
    }

    private static synchronized long draw() {
        return DRAW.nextLong();
    }
}
