package io.raftmq.commitlog.indexfile;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.io.FaultyMemoryStorage;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Goal: a power loss at any point of recovery's undo ({@link IndexFile#truncateFromPhysical}) or of a flush never
 * leaves an index file that hides a checkpointed entry from queries: reopened and undone back to the checkpoint
 * again, the file either holds exactly the checkpointed entries, each found by its key, or reports corruption (the
 * dispatcher then rebuilds it from the log). The whole-broker simulation met the case (docs/simulation.md,
 * "Fixed: a key query missed an acknowledged send after disk faults"): an undo whose new header reached the disk
 * while the slots it restored did not left slots pointing past the header's count, so their chains were never
 * followed again. Method: per trial, a file on {@link FaultyMemoryStorage} gets entries up to a checkpoint (flushed),
 * then more entries, flushed or with the process dying part-way through the flush; recovery's undo runs and the
 * process dies after a random number of its writes (or not at all); then a power loss keeps a torn prefix or a
 * random subset of the pages not forced (or the page cache survives); then the undo runs again and the file is
 * checked. Seeded by {@code index.seed} (printed).
 */
class IndexFileCrashTest {
    static final long T0 = 1_700_000_000_123L;
    /** An 8 KiB slot table: the header and the slots span three pages, so a power loss can split them. */
    static final int SLOTS = 2048;
    static final int ENTRIES = 2000;
    static final int CHECKPOINTED = 300;
    static final int BEYOND = 200;
    static final int TRIALS = 300;

    @Test
    void aPowerLossDuringTheUndoOrAFlushNeverHidesACheckpointedKey() throws IOException {
        long seed = Long.getLong("index.seed", System.nanoTime());
        System.out.println("IndexFileCrashTest seed " + seed);
        int restored = 0;
        int detected = 0;
        for (int trial = 0; trial < TRIALS; trial++) {
            Random random = new Random(seed + trial);
            FaultyMemoryStorage storage = new FaultyMemoryStorage();
            Path p = Path.of("/index/" + trial);
            Map<String, List<Long>> kept = new HashMap<>();
            long checkpoint = write(storage, p, random, kept);
            if (undoCutShort(storage, p, random, checkpoint) && reopenedHoldsExactly(storage, p, checkpoint, kept,
                    "trial " + trial + " of seed " + seed)) {
                restored++;
            } else {
                detected++;
            }
        }
        System.out.println("IndexFileCrashTest: " + restored + " restored exactly, " + detected + " detected");
        assertThat(restored).as("trials whose file was restored exactly").isGreaterThan(TRIALS / 4);
        assertThat(detected).as("trials whose file reported corruption").isPositive();
    }

    /**
     * Puts the checkpointed entries (into {@code kept}, newest first per key) and flushes them, then puts more and
     * flushes them too (the checkpoint file failing afterwards), or dies part-way through that flush, sometimes
     * with a power loss. Returns the checkpoint's physical position.
     */
    private static long write(FaultyMemoryStorage storage, Path p, Random random, Map<String, List<Long>> kept)
            throws IOException {
        long phy = 0;
        long checkpoint;
        boolean died = false;
        try (IndexFile f = IndexFile.create(storage, p, SLOTS, ENTRIES)) {
            for (int i = 0; i < CHECKPOINTED; i++) {
                String key = "T#k" + random.nextInt(700);
                f.put(key, phy, T0 + i);
                kept.computeIfAbsent(key, k -> new ArrayList<>()).add(0, phy);
                phy += 1 + random.nextInt(3);
            }
            f.flush();
            checkpoint = phy;
            for (int i = 0; i < BEYOND; i++) {
                f.put("T#k" + random.nextInt(700), phy, T0 + CHECKPOINTED + i);
                phy += 1 + random.nextInt(3);
            }
            storage.failWritesAfter(random.nextBoolean() ? random.nextInt(4) : -1);
            try {
                f.flush();
            } catch (IOException processDied) {
                died = true;
            }
        }
        storage.failWritesAfter(-1);
        if (died) {
            powerLoss(storage, random);
        }
        return checkpoint;
    }

    /**
     * Recovery's undo back to the checkpoint, the process dying after a random number of its writes (or not), then
     * a power loss (or not). False when the undo reported corruption (the owner rebuilds).
     */
    private static boolean undoCutShort(FaultyMemoryStorage storage, Path p, Random random, long checkpoint)
            throws IOException {
        try (IndexFile f = IndexFile.open(storage, p, SLOTS, ENTRIES)) {
            storage.failWritesAfter(random.nextBoolean() ? random.nextInt(2 * BEYOND + 2) : -1);
            f.truncateFromPhysical(checkpoint);
        } catch (IndexFileCorruptException rebuild) {
            return false;
        } catch (IOException processDied) {
            // as a member failing on a disk fault: the page cache keeps what was written
        } finally {
            storage.failWritesAfter(-1);
        }
        powerLoss(storage, random);
        return true;
    }

    /** A power loss keeping a torn prefix of each file's unforced bytes, or a random subset of its pages, or none. */
    private static void powerLoss(FaultyMemoryStorage storage, Random random) {
        switch (random.nextInt(3)) {
            case 0 -> storage.crash(random, true);
            case 1 -> storage.crashKeepingPages(random);
            default -> {
                // the process died, the machine did not
            }
        }
    }

    /**
     * Opens the file and undoes back to the checkpoint again: false if that reports corruption; else every
     * checkpointed key must be found at exactly its positions and nothing beyond the checkpoint.
     */
    private static boolean reopenedHoldsExactly(FaultyMemoryStorage storage, Path p, long checkpoint,
                                                Map<String, List<Long>> kept, String what) throws IOException {
        try (IndexFile f = IndexFile.open(storage, p, SLOTS, ENTRIES)) {
            f.truncateFromPhysical(checkpoint);
            assertThat(f.entries()).as(what).isEqualTo(CHECKPOINTED);
            for (Map.Entry<String, List<Long>> e : kept.entrySet()) {
                assertThat(IndexHits.of(f, e.getKey())).as("%s: key %s", what, e.getKey()).isEqualTo(e.getValue());
            }
            return true;
        } catch (IndexFileCorruptException rebuild) {
            return false;
        }
    }
}
