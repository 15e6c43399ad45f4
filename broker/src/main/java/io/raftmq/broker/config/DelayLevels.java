package io.raftmq.broker.config;

import java.util.Arrays;

/**
 * The delay of each RocketMQ delay level (setting {@code messageDelayLevel}): level {@code n} (1-based) waits
 * {@link #delayMs}{@code (n)}. Text form as in RocketMQ: durations separated by spaces, each a positive number
 * followed by one unit of {@code s}, {@code m}, {@code h} or {@code d}, e.g. the default
 * {@code 1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h}. A requested level above the last is clamped
 * to the last (RocketMQ's rule); level 0 or below means no delay.
 */
public final class DelayLevels {
    /** RocketMQ's default levels. */
    public static final String DEFAULT_TEXT = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";

    private final long[] delaysMs;
    private final String text;

    private DelayLevels(long[] delaysMs, String text) {
        this.delaysMs = delaysMs;
        this.text = text;
    }

    /**
     * Parses the text form.
     *
     * @throws IllegalArgumentException naming the bad token (empty list, unknown unit, not a positive number)
     */
    public static DelayLevels parse(String text) {
        String[] tokens = text.trim().split("\\s+");
        if (tokens.length == 0 || tokens[0].isEmpty()) {
            throw new IllegalArgumentException("at least one delay level is required, e.g. '" + DEFAULT_TEXT + "'");
        }
        long[] ms = new long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            ms[i] = parseDuration(tokens[i]);
        }
        return new DelayLevels(ms, String.join(" ", tokens));
    }

    private static long parseDuration(String token) {
        char unit = token.charAt(token.length() - 1);
        long factor = switch (unit) {
            case 's' -> 1000L;
            case 'm' -> 60_000L;
            case 'h' -> 3_600_000L;
            case 'd' -> 86_400_000L;
            default -> throw new IllegalArgumentException("delay level '" + token
                + "' must end in s, m, h or d");
        };
        long n;
        try {
            n = Long.parseLong(token.substring(0, token.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("delay level '" + token + "' must be a number followed by a unit", e);
        }
        if (n <= 0 || n > 365L * 86_400_000L / factor) {
            throw new IllegalArgumentException("delay level '" + token + "' must be positive and at most 365d");
        }
        return n * factor;
    }

    /** Number of levels (the highest level). */
    public int count() {
        return delaysMs.length;
    }

    /** The level a request for {@code level} gets: clamped to [1, count()] (callers treat level <= 0 as none). */
    public int clamp(int level) {
        return Math.max(1, Math.min(level, delaysMs.length));
    }

    /** The delay of {@code level} (1-based, after {@link #clamp}). */
    public long delayMs(int level) {
        return delaysMs[clamp(level) - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DelayLevels d && Arrays.equals(delaysMs, d.delaysMs);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(delaysMs);
    }

    /** The text form (as in the configuration file). */
    @Override
    public String toString() {
        return text;
    }
}
