package io.raftmq.raft.sim;

import io.raftmq.raft.log.Entry;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Accepted proposals and their fate. A proposal accepted at (index, term) committed if that exact entry was
 * applied; it failed if another entry was applied at its index, or an entry of a higher term was applied at a
 * lower index (terms never decrease along a log, so its slot can never hold it). Otherwise it is unresolved.
 */
final class ProposalTracker {
    /** One accepted proposal. */
    record Accepted(long index, long term, long id, long timeUnits) {
    }

    private final List<Accepted> unresolved = new ArrayList<>();
    private int committedCount;
    private int failedCount;

    static byte[] payload(long id) {
        return ByteBuffer.allocate(8).putLong(id).array();
    }

    void accepted(Accepted a) {
        unresolved.add(a);
    }

    /** Resolves what can be resolved; returns the proposals resolved as committed by this call. */
    List<Accepted> resolve(SafetyChecker checker) {
        List<Accepted> newlyCommitted = new ArrayList<>();
        int applied = checker.committedCount();
        if (applied == 0) {
            return newlyCommitted;
        }
        long lastTerm = checker.committedAt(applied).term();
        for (Iterator<Accepted> it = unresolved.iterator(); it.hasNext(); ) {
            Accepted a = it.next();
            if (a.index() <= applied) {
                Entry e = checker.committedAt(a.index());
                if (e.term() == a.term() && java.util.Arrays.equals(e.payload(), payload(a.id()))) {
                    committedCount++;
                    newlyCommitted.add(a);
                } else {
                    failedCount++;
                }
                it.remove();
            } else if (lastTerm > a.term()) {
                failedCount++;
                it.remove();
            }
        }
        return newlyCommitted;
    }

    boolean isUnresolved(Accepted a) {
        return unresolved.contains(a);
    }

    int unresolvedCount() {
        return unresolved.size();
    }

    int committedCount() {
        return committedCount;
    }

    int failedCount() {
        return failedCount;
    }
}
