package io.raftmq.broker;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker's leadership watchers (the role-change registration, the queue locks' ready time): each runs on the
 * owner executor (the broker scheduler) when the raft agent reports a change of role, term, leader or applied term
 * ({@code RaftAgent#addRoleListener}), and on a slow safety-net poll ({@link #SAFETY_POLL_MS}), instead of every
 * raft tick: an idle member no longer wakes its scheduler 200 times a second to find nothing changed.
 *
 * <p>{@link #signal} is what the agent's listener calls: it only queues one run of every watcher on the owner,
 * unless one is queued and not started yet (so a burst of changes costs one run, and a change during a run queues
 * the next one: the flag is cleared before the watchers read the status).
 *
 * <p>Threads: {@link #signal} from any thread (the raft agent's); {@link #add} before the first signal;
 * {@link #runAll} on the owner thread only. A watcher that throws is logged and counted; the others still run.
 */
final class RoleWatchers {
    private static final Logger LOG = LoggerFactory.getLogger(RoleWatchers.class);
    /** The safety-net poll: a signal lost to a bug or a rejected hand-off is made up for within this period. */
    static final long SAFETY_POLL_MS = 1000;

    private final Executor owner;
    private final List<Runnable> watchers = new CopyOnWriteArrayList<>();
    private final AtomicBoolean queued = new AtomicBoolean();
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    RoleWatchers(Executor owner) {
        this.owner = owner;
    }

    /** Adds a watcher; it runs on the owner thread at each {@link #runAll}. */
    void add(Runnable watcher) {
        watchers.add(watcher);
    }

    /** Queues one run of every watcher on the owner unless one is already queued. Any thread; never blocks. */
    void signal() {
        if (!queued.compareAndSet(false, true)) {
            return;
        }
        try {
            owner.execute(this::runAll);
        } catch (RejectedExecutionException e) { // the owner is shut down: nothing is watched any more
            queued.set(false);
        }
    }

    /** Runs every watcher once (the queued run, or the safety-net poll). Owner thread. */
    void runAll() {
        queued.set(false);
        runs.incrementAndGet();
        for (Runnable w : watchers) {
            try {
                w.run();
            } catch (RuntimeException e) { // scheduler boundary: one watcher's failure must not stop the others
                LOG.error("role watcher failed ({} failures so far)", errors.incrementAndGet(), e);
            }
        }
    }

    /** Runs of the watchers so far (queued and polled). Any thread. */
    long runs() {
        return runs.get();
    }

    /** Watcher calls that threw, so far. Any thread. */
    long errors() {
        return errors.get();
    }
}
