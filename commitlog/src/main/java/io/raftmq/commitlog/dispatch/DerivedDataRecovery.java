package io.raftmq.commitlog.dispatch;

import io.raftmq.commitlog.indexfile.IndexFileStore;
import io.raftmq.commitlog.io.StorageProvider;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.queue.ConsumeQueueStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The checks {@link Dispatcher}'s recovery makes of the derived data (is the checkpoint inside the log, do the
 * ConsumeQueues and the key index agree with it once cut back to it) and the deletion of the derived data before a
 * rebuild from the log start (docs/storage.md). Each check returns why the derived data cannot be used, or null.
 * Stateless; recovery (dispatcher thread, at open) only.
 */
final class DerivedDataRecovery {
    private DerivedDataRecovery() {
    }

    /** Why {@code cp} cannot be used: missing or invalid (null), or outside the log; null if usable. */
    static String checkpointProblem(DispatchCheckpoint cp, RecordSource source) {
        if (cp == null) {
            return "checkpoint missing or invalid";
        }
        if (cp.dispatchedPosition() < source.startPosition() || cp.dispatchedPosition() > source.endPosition()) {
            return "checkpoint position " + cp.dispatchedPosition() + " outside the log ["
                    + source.startPosition() + ", " + source.endPosition() + ")";
        }
        return null;
    }

    /**
     * Cuts derived data back to the checkpoint and drops what lies below the log start {@code logStart}; returns
     * why it disagrees with the checkpoint, or null if consistent.
     */
    static String reconcile(DispatchCheckpoint cp, ConsumeQueueStore queues, IndexFileStore index, long logStart)
            throws IOException {
        queues.truncateFromPhysical(cp.dispatchedPosition());
        index.truncateFromPhysical(cp.dispatchedPosition());
        Map<String, Long> expected = new HashMap<>();
        for (DispatchCheckpoint.QueueMax q : cp.queues()) {
            expected.put(q.topic() + '\u0000' + q.queueId(), q.maxOffset());
        }
        for (ConsumeQueue q : queues.queues()) {
            Long max = expected.remove(q.topic() + '\u0000' + q.queueId());
            if (max != null && q.minOffset() == q.maxOffset() && q.maxOffset() < max) {
                q.resetTo(max); // an empty queue restarted by resetTo: only the checkpoint knows its offset
            }
            if (q.maxOffset() != (max == null ? 0 : max)) {
                return "queue " + q.topic() + "/" + q.queueId() + " has max offset " + q.maxOffset()
                        + ", checkpoint says " + max;
            }
        }
        for (Map.Entry<String, Long> missing : expected.entrySet()) {
            if (missing.getValue() != 0) {
                return "queue " + missing.getKey().replace('\u0000', '/') + " is missing";
            }
        }
        queues.deleteBelowPhysical(logStart);
        index.deleteBelowPhysical(logStart);
        return null;
    }

    /** Deletes {@code dir} and everything below it through the storage port (missing is fine). */
    static void deleteRecursively(StorageProvider storage, Path dir) throws IOException {
        for (String sub : storage.listDirectories(dir)) {
            deleteRecursively(storage, dir.resolve(sub));
        }
        for (String file : storage.list(dir)) {
            storage.delete(dir.resolve(file));
        }
        storage.delete(dir);
    }
}
