package io.raftmq.raft.driver;

import org.slf4j.Logger;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The listeners of {@link RaftAgent#addRoleListener}: told the agent's status after a duty cycle that changed the
 * role, term, leader or failure of the node, or the term of the last applied entry, and not after the cycles that
 * only move the log, commit or applied index (every cycle under load). So watchers of leadership (the broker's
 * route registration, leader readiness) react within one cycle of a change instead of polling the status.
 *
 * <p>Threads: {@link #add} from any thread; {@link #publish} on the agent thread only, which also runs the
 * listeners (they must only hand off). Each change of role, term or leader is logged at INFO: the node's
 * election history in its log, for operators and for timing a start or a failover.
 */
final class RoleListeners {
    private final List<Consumer<RaftStatus>> listeners = new CopyOnWriteArrayList<>();
    /** Agent thread: what the listeners were last told (null: nothing yet). */
    private RaftStatus told;
    private long toldAppliedTerm;
    private long errors;

    void add(Consumer<RaftStatus> listener) {
        listeners.add(listener);
    }

    /**
     * Tells every listener {@code s} if its role, term, leader or failure, or {@code appliedTerm}, differ from what
     * they were last told. A listener that throws is logged and counted; the others still run.
     */
    void publish(RaftStatus s, long appliedTerm, Logger log) {
        RaftStatus t = told;
        if (t != null && t.role() == s.role() && t.term() == s.term() && t.leaderId() == s.leaderId()
            && t.failed() == s.failed() && toldAppliedTerm == appliedTerm) {
            return;
        }
        if (t == null || t.role() != s.role() || t.term() != s.term() || t.leaderId() != s.leaderId()) {
            log.info("raft node {} is {} in term {}, leader {}", s.nodeId(), s.role(), s.term(),
                s.leaderId() == 0 ? "unknown" : s.leaderId());
        }
        told = s;
        toldAppliedTerm = appliedTerm;
        for (Consumer<RaftStatus> l : listeners) {
            try {
                l.accept(s);
            } catch (RuntimeException e) { // boundary: a watcher's bug must not stop the node
                errors++;
                log.error("raft node {}: a role listener failed ({} failures so far)", s.nodeId(), errors, e);
            }
        }
    }

    /** Listener calls that threw, since start. Agent thread (racy elsewhere). */
    long errors() {
        return errors;
    }
}
