package io.raftmq.raft.driver;

/**
 * When a node's appended entries count as persisted for the Ready contract (step 4 of {@code Ready}). The one
 * durability setting of a raft group; configuration files spell it {@link #text()} ({@code quorum-fsync},
 * {@code quorum-memory}), read back with {@link #parse}.
 */
public enum DurabilityMode {
    /**
     * Default: entries are fsynced before the messages that acknowledge them are sent, and a leader counts its
     * own entries only after its fsync. An acknowledged entry survives the simultaneous power loss of all nodes.
     * The leader sends its AppendEntries before its own fsync (thesis §10.2.1), so its fsync overlaps the
     * followers' and commit latency is about one network round trip plus one fsync.
     */
    QUORUM_FSYNC("quorum-fsync"),
    /**
     * Entries are acknowledged once written to the OS (page cache), fsynced later by the log's own flushing. An
     * acknowledged entry survives any minority of process crashes, but not a quorum of machines losing power
     * together. Votes and terms are always fsynced, in both modes.
     */
    QUORUM_MEMORY("quorum-memory");

    private final String text;

    DurabilityMode(String text) {
        this.text = text;
    }

    /** The spelling used in configuration files. */
    public String text() {
        return text;
    }

    /** The mode spelled {@code text} (case-insensitive), or null if none. */
    public static DurabilityMode parse(String text) {
        for (DurabilityMode d : values()) {
            if (d.text.equalsIgnoreCase(text)) {
                return d;
            }
        }
        return null;
    }
}
