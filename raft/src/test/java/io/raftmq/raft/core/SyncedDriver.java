package io.raftmq.raft.core;

import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.message.RaftMessage;

import java.util.ArrayList;
import java.util.List;

/**
 * The simplest driver of a {@link RaftNode} for core tests: it processes every pending {@link Ready} as the agent
 * does in order (early messages, snapshot, write, sync, late messages, advance) and, having synced inside the Ready,
 * reports the written entries durable at once ({@link RaftNode#persisted}). Returns the messages to deliver.
 */
final class SyncedDriver {
    private SyncedDriver() {
    }

    /** Processes Readys until none is pending; returns every message they carried, in order. */
    static List<RaftMessage> persist(RaftNode n, RaftLog log) {
        List<RaftMessage> out = new ArrayList<>();
        while (n.hasReady()) {
            Ready r = n.ready();
            out.addAll(r.earlyMessages());
            if (r.snapshot() != null) {
                log.resetToSnapshot(r.snapshot().index(), r.snapshot().term());
            }
            log.write(r.entries());
            log.sync();
            out.addAll(r.messages());
            n.advance(r);
            if (!r.entries().isEmpty()) {
                Entry last = r.entries().get(r.entries().size() - 1);
                n.persisted(last.index(), last.term());
            }
        }
        return out;
    }
}
