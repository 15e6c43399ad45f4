package io.raftmq.broker.filter;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The broker's SQL92 subscriptions (docs/consumer-protocol.md "SQL92 filters"): whether they are accepted at all
 * ({@code enablePropertyFilter}) and the compiled form of each expression, compiled once and shared by every pull
 * that names it (a refused expression is remembered too, so a misconfigured consumer's pulls do not re-parse it).
 * The cache is bounded: past {@link #CACHED_MAX} distinct expressions it starts over.
 *
 * <p>Thread-safe.
 */
public final class SqlFilters {
    /** Distinct expressions kept compiled. */
    static final int CACHED_MAX = 10_000;

    private final boolean enabled;
    private final Map<String, Object> compiled = new ConcurrentHashMap<>();

    /** @param enabled whether SQL92 subscriptions are accepted ({@code enablePropertyFilter}) */
    public SqlFilters(boolean enabled) {
        this.enabled = enabled;
    }

    /** Whether SQL92 subscriptions are accepted. */
    public boolean enabled() {
        return enabled;
    }

    /** The compiled filter of {@code expression} (from the cache when seen before). */
    public SqlFilter compile(String expression) throws SqlFilterException {
        String key = expression == null ? "" : expression;
        Object c = compiled.get(key);
        if (c == null) {
            if (compiled.size() >= CACHED_MAX) {
                compiled.clear();
            }
            try {
                c = SqlFilter.compile(key);
            } catch (SqlFilterException e) {
                c = e;
            }
            compiled.put(key, c);
        }
        if (c instanceof SqlFilterException e) {
            throw e; // the remembered refusal (its stack is the first compile's; only its message is used)
        }
        return (SqlFilter) c;
    }
}
