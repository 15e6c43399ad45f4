package io.raftmq.commitlog;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The commit log's two locks and their order. The append lock serializes everything that changes the tail: appends,
 * the flush agent's group writes, truncation, reset and retention. The force lock is held while forcing and
 * checkpointing. When both are needed the append lock is taken first, never the other way; truncation, reset,
 * retention and close hold both.
 *
 * @param append the append lock
 * @param force  the force lock
 */
record LogLocks(ReentrantLock append, ReentrantLock force) {

    static LogLocks create() {
        return new LogLocks(new ReentrantLock(), new ReentrantLock());
    }

    /** Takes the append lock, then the force lock. */
    void lockBoth() {
        append.lock();
        force.lock();
    }

    /** Releases both, in the reverse order. */
    void unlockBoth() {
        force.unlock();
        append.unlock();
    }
}
