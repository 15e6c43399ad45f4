package io.raftmq.raft.driver;

/** When a node's appended entries count as persisted for the Ready contract (step 4 of {@code Ready}). */
public enum DurabilityMode {
    /**
     * Default: entries are fsynced before the messages that acknowledge them are sent, and a leader counts its
     * own entries only after its fsync. An acknowledged entry survives the simultaneous power loss of all nodes.
     * The leader sends its AppendEntries before its own fsync (thesis §10.2.1), so its fsync overlaps the
     * followers' and commit latency is about one network round trip plus one fsync.
     */
    QUORUM_FSYNC,
    /**
     * Entries are acknowledged once written to the OS (page cache), fsynced later by the log's own flushing. An
     * acknowledged entry survives any minority of process crashes, but not a quorum of machines losing power
     * together. Votes and terms are always fsynced, in both modes.
     */
    QUORUM_MEMORY
}
