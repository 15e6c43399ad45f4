package io.raftmq.broker;

import io.raftmq.broker.replication.LogPosition;
import io.raftmq.broker.replication.LogPositionPart;
import io.raftmq.broker.snapshot.SnapshotFile;
import io.raftmq.broker.snapshot.SnapshotImage;
import io.raftmq.commitlog.dispatch.DispatchCheckpoint;
import io.raftmq.commitlog.recovery.RecoveryPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Where a broker's commit-log open starts verifying (docs/storage.md, "CommitLog recovery"): the record after the
 * entry of the newest snapshot on disk, read from that snapshot's log-position part ({@link LogPosition}: the
 * position where the entry's record ends and its crc, the chain link of the next record). A start restores that
 * snapshot and replays only the log after it (docs/snapshots.md "Restore at start"), so the records below it need
 * not be read at open; the commit log checks the start against its own records and verifies the whole log when it
 * does not match. The dispatcher's checkpoint lowers the start when it lies below (the store's open and the replay
 * read the log from there).
 *
 * <p>Runs before the store and the snapshot store are opened, on the starting thread; reads the snapshot directory
 * only (a damaged or foreign file is skipped for the next older one, as the snapshot store does).
 */
final class SnapshotVerifyStart {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotVerifyStart.class);
    private static final String SUFFIX = ".snap";

    private SnapshotVerifyStart() {
    }

    /**
     * Where to start verifying: the end of the newest readable snapshot in {@code snapshotDir} that carries a log
     * position, or the dispatcher's checkpoint {@code dispatchCheckpoint} when that is lower (the store's open and
     * the replay read the log from there: the stamper's counters and the derived data resume at it). Null (verify
     * the whole log) without such a snapshot, or without a usable dispatcher checkpoint (the derived data is then
     * rebuilt from the log start).
     */
    static RecoveryPolicy.VerifyStart find(Path snapshotDir, Path dispatchCheckpoint) {
        RecoveryPolicy.VerifyStart start = find(snapshotDir);
        if (start == null) {
            return null;
        }
        DispatchCheckpoint cp;
        try {
            cp = DispatchCheckpoint.decode(Files.readAllBytes(dispatchCheckpoint));
        } catch (IOException e) {
            cp = null;
        }
        if (cp == null || cp.dispatchedIndex() < 0) {
            LOG.info("no usable dispatch checkpoint {}: the derived data is rebuilt from the log start",
                dispatchCheckpoint);
            return null;
        }
        if (cp.dispatchedPosition() < start.position()) {
            return new RecoveryPolicy.VerifyStart(cp.dispatchedPosition(), cp.dispatchedIndex() + 1, 0, false);
        }
        return start;
    }

    /**
     * The verification start named by the newest readable snapshot in {@code dir} that carries a log position, or
     * null (no snapshot directory, no such snapshot).
     */
    static RecoveryPolicy.VerifyStart find(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            listing.forEach(files::add);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("snapshot directory {} cannot be listed: verifying the whole commit log ({})", dir, e.toString());
            return null;
        }
        files.sort(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()); // 20-digit index names
        for (Path f : files) {
            RecoveryPolicy.VerifyStart start = startOf(f);
            if (start != null) {
                return start;
            }
        }
        return null;
    }

    /** The start named by one snapshot file, or null when it is unreadable, damaged or has no log position. */
    static RecoveryPolicy.VerifyStart startOf(Path file) {
        try {
            SnapshotFile snap = SnapshotFile.decode(Files.readAllBytes(file), file);
            byte[] part = SnapshotImage.decode(snap.image(), file.toString()).parts().get(LogPositionPart.NAME);
            if (part == null) {
                LOG.info("snapshot {} has no log position: not a verification start", file);
                return null;
            }
            LogPosition p = LogPosition.decode(part);
            if (p.index() != snap.index()) {
                LOG.warn("snapshot {} at index {} holds the log position of index {}: skipped", file, snap.index(),
                    p.index());
                return null;
            }
            return new RecoveryPolicy.VerifyStart(p.nextPosition(), p.index() + 1, p.prevCrc());
        } catch (IOException | IllegalArgumentException e) { // CorruptSnapshotException is an IllegalArgumentException
            LOG.warn("snapshot {} cannot be read for the verification start, trying an older one: {}", file,
                e.toString());
            return null;
        }
    }
}
