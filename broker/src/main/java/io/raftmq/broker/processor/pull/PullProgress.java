package io.raftmq.broker.processor.pull;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The last nextBeginOffset answered to each (group, topic, queueId) by a pull on this node, for GET_CONSUME_STATS'
 * pullOffset (docs/protocol.md §2.11: max(consumerOffset, last pulled)). Volatile by nature (not replicated, lost on
 * restart); bounded: once {@code entriesMax} keys exist new keys are ignored. Thread-safe.
 */
public final class PullProgress {
    private final int entriesMax;
    private final ConcurrentHashMap<String, Long> table = new ConcurrentHashMap<>();

    public PullProgress(int entriesMax) {
        if (entriesMax < 1) {
            throw new IllegalArgumentException("PullProgress: entriesMax must be >= 1, got " + entriesMax);
        }
        this.entriesMax = entriesMax;
    }

    private static String key(String group, String topic, int queueId) {
        return topic + '@' + group + '@' + queueId;
    }

    /** Records that a pull answered {@code nextBeginOffset} (keeps the largest). */
    public void update(String group, String topic, int queueId, long nextBeginOffset) {
        String k = key(group, topic, queueId);
        if (table.size() >= entriesMax && !table.containsKey(k)) {
            return;
        }
        table.merge(k, nextBeginOffset, Math::max);
    }

    /** The last pulled offset, or -1 if none is known. */
    public long pulled(String group, String topic, int queueId) {
        Long v = table.get(key(group, topic, queueId));
        return v == null ? -1 : v;
    }

    public int size() {
        return table.size();
    }
}
