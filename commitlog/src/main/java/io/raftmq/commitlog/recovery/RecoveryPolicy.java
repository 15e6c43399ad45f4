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
 * @param verifyWholeLog scan and check every record from the log start instead of from the last checkpoint. The
 *                       checkpoint scan finds only damage written since the last force; a member that reads its
 *                       whole log at start anyway (the broker replays it into its state machine) finds damage
 *                       anywhere this way, before it acts on it, at the cost of one more sequential read
 * @param onLoss         told about damage before the log is cut back
 */
public record RecoveryPolicy(boolean verifyWholeLog, LossListener onLoss) {
    /** Scan from the checkpoint; damage is logged and cut back with nobody else told. */
    public static final RecoveryPolicy DEFAULT = new RecoveryPolicy(false, loss -> { });

    public RecoveryPolicy {
        Objects.requireNonNull(onLoss, "onLoss");
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
