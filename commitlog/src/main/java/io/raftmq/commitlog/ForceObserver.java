package io.raftmq.commitlog;

/**
 * Told of every group-commit force of a {@link CommitLog} ({@link CommitLog#setForceObserver}): how many records the
 * fdatasync made durable and how long it took. The broker's metrics feed their force histograms from it
 * (docs/metrics.md "Storage"). It runs on the forcing thread (the flush agent, or the caller of
 * {@link CommitLog#flush()}) under the log's force lock: it must be cheap and must not block or call into the log.
 */
@FunctionalInterface
public interface ForceObserver {
    /**
     * One force done.
     *
     * @param records records it made durable (0 when the force only covered bytes of records already counted,
     *                e.g. after a truncation moved the forced point back)
     * @param nanos   time spent forcing
     */
    void forced(long records, long nanos);
}
