package io.raftmq.broker.config;

/**
 * When a Raft entry counts as persisted on a member (config key {@code durability}).
 * <ul>
 *   <li>{@link #QUORUM_FSYNC} ({@code quorum-fsync}, default): a member acknowledges an append only after fsync,
 *       so a committed entry survives the simultaneous power loss of every member.</li>
 *   <li>{@link #QUORUM_MEMORY} ({@code quorum-memory}): a member acknowledges once the entry is in its page cache;
 *       a committed entry survives any minority of process crashes, not a majority of power losses.</li>
 * </ul>
 */
public enum Durability {
    QUORUM_FSYNC("quorum-fsync"),
    QUORUM_MEMORY("quorum-memory");

    private final String text;

    Durability(String text) {
        this.text = text;
    }

    /** The spelling used in properties files. */
    public String text() {
        return text;
    }

    /** The value spelled {@code text} (case-insensitive), or null if none. */
    public static Durability parse(String text) {
        for (Durability d : values()) {
            if (d.text.equalsIgnoreCase(text)) {
                return d;
            }
        }
        return null;
    }
}
