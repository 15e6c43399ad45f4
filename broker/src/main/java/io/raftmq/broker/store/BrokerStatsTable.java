package io.raftmq.broker.store;

import io.raftmq.commitlog.error.Verify;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link BrokerStatsWindows} of a bounded set of keys (topics, or {@code topic@group}). At most
 * {@code keysMax} keys are tracked: a new key at the limit first drops every key idle for a whole day (its windows
 * are all zero by then), and if none is, the least recently updated key. Traffic recorded into a key while it is
 * being dropped is lost with it; a dropped key reads as unknown until it sees traffic again.
 *
 * <p>Threading: any thread; lookups are lock-free, a new key synchronizes on the table.
 */
final class BrokerStatsTable {
    private static final long DAY_NS = 86_400L * 1_000_000_000L;

    private final int keysMax;
    private final ConcurrentHashMap<String, BrokerStatsWindows> keys = new ConcurrentHashMap<>();

    /** @param keysMax the most keys tracked at once */
    BrokerStatsTable(int keysMax) {
        Verify.argument(keysMax >= 1, "keysMax must be positive");
        this.keysMax = keysMax;
    }

    /** Counts one call of {@code key} that carried {@code messages} messages of {@code bytes} bytes. */
    void record(String key, long messages, long bytes, long nowNs) {
        BrokerStatsWindows w = keys.get(key);
        if (w == null) {
            w = insert(key, nowNs);
        }
        w.add(messages, bytes, nowNs);
    }

    /** The windows of {@code key}, or null if it is not tracked. */
    BrokerStatsWindows get(String key) {
        return keys.get(key);
    }

    /** Keys tracked now. */
    int size() {
        return keys.size();
    }

    private synchronized BrokerStatsWindows insert(String key, long nowNs) {
        BrokerStatsWindows w = keys.get(key);
        if (w != null) {
            return w; // another thread inserted it
        }
        if (keys.size() >= keysMax) {
            evict(nowNs);
        }
        w = new BrokerStatsWindows(nowNs);
        keys.put(key, w);
        Verify.state(keys.size() <= keysMax, "stats keys over the limit", keys.size(), keysMax);
        return w;
    }

    /** Drops the keys idle for a day, or else the least recently updated one. */
    private void evict(long nowNs) {
        String oldest = null;
        long oldestNs = Long.MAX_VALUE;
        Iterator<Map.Entry<String, BrokerStatsWindows>> it = keys.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<String, BrokerStatsWindows> e = it.next();
            long last = e.getValue().lastUpdateNs();
            if (nowNs - last >= DAY_NS) {
                it.remove();
            } else if (last < oldestNs || last == oldestNs && e.getKey().compareTo(oldest) < 0) {
                oldest = e.getKey();
                oldestNs = last;
            }
        }
        if (keys.size() >= keysMax && oldest != null) {
            keys.remove(oldest);
        }
    }
}
