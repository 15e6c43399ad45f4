package io.raftmq.commitlog.recovery;

import java.io.IOException;
import java.util.Objects;

/**
 * How a commit log's recovery treats what it reads at open (docs/storage.md, "CommitLog recovery").
 *
 * <p>Damage inside the log (a record failing its check with valid records behind it) is never a reason to refuse
 * to start: the log is cut back to the last valid record before it, and {@code onLoss} is told first, before a
 * single byte changes, so its owner can durably record that this log lost data (a Raft member must then stop
 * voting until it has caught up again). A failure of {@code onLoss} aborts the open with nothing changed.
 *
 * @param verifyWholeLog scan and check every record from the log start (or from {@code verifyFrom}) instead of
 *                       from the last checkpoint. The checkpoint scan finds only damage written since the last force;
 *                       a member that reads its log at start anyway (the broker replays it into its state machine)
 *                       finds damage anywhere in what it reads this way, before it acts on it, at the cost of one
 *                       more sequential read
 * @param onLoss         told about damage before the log is cut back
 * @param verifyFrom     with {@code verifyWholeLog}: a record boundary the caller does not need verified below
 *                       (the broker: where its newest snapshot's entry ends), so the scan starts there instead of
 *                       at the log start; null for the log start. Used only if it checks out (see {@link VerifyStart});
 *                       else the whole log is verified
 */
public record RecoveryPolicy(boolean verifyWholeLog, LossListener onLoss, VerifyStart verifyFrom) {
    /** Scan from the checkpoint; damage is logged and cut back with nobody else told. */
    public static final RecoveryPolicy DEFAULT = new RecoveryPolicy(false, loss -> { });

    public RecoveryPolicy {
        Objects.requireNonNull(onLoss, "onLoss");
        if (verifyFrom != null && !verifyWholeLog) {
            throw new IllegalArgumentException("verifyFrom needs verifyWholeLog");
        }
    }

    /** Without a verification start: {@code verifyWholeLog} scans from the log start. */
    public RecoveryPolicy(boolean verifyWholeLog, LossListener onLoss) {
        this(verifyWholeLog, onLoss, null);
    }

    /** Verifies from {@code start} (or from the log start when it does not check out); {@code onLoss} as above. */
    public static RecoveryPolicy verifyFrom(VerifyStart start, LossListener onLoss) {
        return new RecoveryPolicy(true, onLoss, start);
    }

    /**
     * A record boundary from which a verifying scan may start: the record (or filler) at {@code position} carries
     * {@code index} and, when {@code linkKnown}, links to {@code prevCrc}. Recovery uses it only if it lies between
     * the log start and the checkpoint and the record there is valid with that index (and link) (a snapshot of an
     * older log, a reset, a wrong position: the whole log is verified instead, never less); above the checkpoint the
     * scan starts at the checkpoint as usual.
     *
     * @param position  absolute log position of the record
     * @param index     the index that record carries
     * @param prevCrc   the chain link it carries (the crc of the record before it), if {@code linkKnown}
     * @param linkKnown whether {@code prevCrc} is known (a position from the dispatcher's checkpoint has no crc)
     */
    public record VerifyStart(long position, long index, int prevCrc, boolean linkKnown) {
        public VerifyStart {
            if (position < 0 || index < 1) {
                throw new IllegalArgumentException("verify start needs position >= 0 and index >= 1, got "
                    + position + ", " + index);
            }
        }

        /** A start whose chain link is known. */
        public VerifyStart(long position, long index, int prevCrc) {
            this(position, index, prevCrc, true);
        }
    }

    /** Told about damage inside the log before recovery cuts the log back. */
    @FunctionalInterface
    public interface LossListener {
        /**
         * Records the loss durably (or refuses by throwing, which aborts the open with the log unchanged).
         *
         * @throws IOException the loss could not be recorded
         */
        void beforeTruncate(RecoveryLoss loss) throws IOException;
    }
}
