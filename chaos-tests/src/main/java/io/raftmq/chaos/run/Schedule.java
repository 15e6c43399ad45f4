package io.raftmq.chaos.run;

import io.raftmq.client.Verify;

import java.util.Random;

/**
 * When a scenario's nemesis acts: wait a quiet interval drawn in [{@code quietMsMin}, {@code quietMsMax}], inject,
 * hold the fault for a time drawn in [{@code holdMsMin}, {@code holdMsMax}], heal, and again until the run's time
 * is up. Every draw comes from the run's seeded {@link Random}.
 */
public record Schedule(long quietMsMin, long quietMsMax, long holdMsMin, long holdMsMax) {
    /** The default rhythm: 8-15 s quiet, 2-10 s of fault. */
    public static final Schedule DEFAULT = new Schedule(8_000, 15_000, 2_000, 10_000);
    /** A faster one for short smoke runs: 5-8 s quiet, 2-6 s of fault. */
    public static final Schedule SMOKE = new Schedule(5_000, 8_000, 2_000, 6_000);

    public Schedule {
        Verify.argument(quietMsMin > 0 && quietMsMin <= quietMsMax, "need 0 < quietMsMin <= quietMsMax");
        Verify.argument(holdMsMin >= 0 && holdMsMin <= holdMsMax, "need 0 <= holdMsMin <= holdMsMax");
    }

    long quietMs(Random random) {
        return draw(random, quietMsMin, quietMsMax);
    }

    long holdMs(Random random) {
        return draw(random, holdMsMin, holdMsMax);
    }

    private static long draw(Random random, long min, long max) {
        return min + (max == min ? 0 : (long) random.nextInt((int) (max - min + 1)));
    }
}
