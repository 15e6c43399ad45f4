package io.raftmq.broker.sim;

import ch.qos.logback.classic.Level;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the broker's storage and replication code (message store, raft log over the commit log, state machine,
 * send batcher, read path, metadata managers) loses no acknowledged send, serves nothing uncommitted to pulls,
 * stamps the same queue offsets on every replica and keeps replicas' committed logs identical, under message loss,
 * duplication, reordering, partitions, crashes that lose unforced writes, disk faults (full, device errors, slow
 * fsync; a member failing on them is restarted) and bit flips at rest (recovery repairs or rebuilds what the
 * store checks); and converges once the faults heal.
 * Method: {@link BrokerSimulation} with a fixed regression list and {@code bsim.seeds} (default 200) consecutive
 * seeds from {@code -Dbsim.seedBase=B} (default {@link #CI_SEED_BASE}; the histories still change with the code).
 * A failure names its seed; {@code -Dbsim.seed=S} replays exactly that run.
 */
class BrokerSimulationTest {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerSimulationTest.class);
    /**
     * Seeds that once failed or cover a rare path; each must keep passing. 119: a restarted follower serves pulls
     * of entries it dispatched before its crash, beyond the commit index its raft node restarted with. 53: a
     * commit-log record flipped at rest; the member recovers past the loss and must repair (with repair mode
     * planted away, a committed entry is replaced: docs/simulation.md "Planted bugs"). 101951: a member fails on a
     * device error in the event in which it applied (and dispatched) an entry; its disk keeps that dispatch.
     * 101701, 104663, 105099: a member that failed on disk faults undoes its key index back to the dispatch
     * checkpoint at restart and then loses power; the undo must not hide older keys (docs/simulation.md "Fixed").
     * 105606: every topic's creation attempt went to a member that then died (never answered); the admin retries.
     * 300310: a member applies an entry while the next one, uncommitted, has opened a segment; that one is truncated
     * and its replacement goes into the previous tail: the dispatcher must not have passed the filler.
     * 14: a leader's due-message deliveries still queued unanswered when its term ended, proposed once it led again:
     * they must not be delivered a second time (docs/simulation.md "Fixed: a delayed message delivered twice").
     * 25: a rollback refused during a leadership transfer that did not happen; the half must still be resolved
     * (docs/simulation.md "Fixed: a rolled-back half never resolved"). 44: a timer send reaches the leader less than
     * the timer precision before its deliver time and is stored as sent. 21: a commit of a half still queued
     * unanswered when its leader's term ended, proposed once it led again: the half must not be committed twice.
     */
    private static final long[] REGRESSION_SEEDS = {1, 2, 3, 42, 119, 53, 101951, 101701, 104663, 105099, 105606,
        300310, 14, 25, 44, 21};
    /**
     * Seeds run with snapshots and retention (docs/simulation.md "Snapshots and retention"); the seeds above run
     * without them, so they keep the histories in which they found their bugs. 1: a follower behind the leader's
     * retained log installs its snapshot. 105606: retention deletes 12 segments. 5024: a leader restarted from
     * its snapshot must have dispatched up to it (docs/simulation.md "Fixed: ConsumeQueues behind the snapshot").
     * 403555: a pull held on a follower that installs a snapshot must be woken by the install (docs/snapshots.md
     * "Log position (rule 4)", step 3). 403349: a member rebuilding its derived data (its dispatch
     * checkpoint flipped at rest) on a log that retention cut must keep the counters of queues absent from it
     * (docs/simulation.md "Fixed: queue counters lost with a dispatch checkpoint"). 410003: a member failing in
     * the middle of an install keeps an old log with entries never committed (docs/simulation.md "Fixed in the
     * harness: a failed install's old log checked as committed"). 410269: a member restarting after a bit flip cut
     * its log back meets a device error while its snapshot's restore dispatches: the start must fail, not fall back
     * to an empty state at the snapshot's index (docs/simulation.md "Fixed: a device error while a start restored
     * its snapshot"). 403161: a member asked for a snapshot while its start replays below its dispatch checkpoint
     * declines it (docs/simulation.md "Fixed: a snapshot during the replay below the dispatch checkpoint").
     * 420138: a member whose log a bit flip cut back below its own newer snapshots installs an older one from the
     * leader and restarts (docs/simulation.md "Fixed: an install below the member's own newer snapshots").
     */
    private static final long[] SNAPSHOT_REGRESSION_SEEDS = {1, 105606, 5024, 403555, 403349, 410003, 410269,
        403161, 420138};
    /**
     * Seeds run with membership changes whatever their draw (docs/simulation.md "Membership changes"), snapshots
     * on. 5032: a member whose commit-log reset (a snapshot install) failed on a device error starts again and
     * repeats the install (docs/simulation.md "Fixed: a commit-log reset interrupted by a device error").
     */
    private static final long[] MEMBERSHIP_REGRESSION_SEEDS = {5032};
    /** The first of CI's seeds when no base is given. */
    private static final long CI_SEED_BASE = 5000;

    private static Level rootLevel;

    @TempDir
    Path dir;

    /**
     * The store and metadata managers log every recovery and applied topic at INFO: thousands of lines over 200
     * seeds. As {@code SimMain}, only errors unless {@code -Dbsim.log=LEVEL} asks for more; this class's own lines
     * (the seed base and totals) stay.
     */
    @BeforeAll
    static void quietStoreLogs() {
        ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
            Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        root.setLevel(Level.toLevel(System.getProperty("bsim.log", "ERROR"), Level.ERROR));
        ((ch.qos.logback.classic.Logger) LOG).setLevel(Level.INFO);
    }

    @AfterAll
    static void restoreLogs() {
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME)).setLevel(rootLevel);
    }

    @Test
    void regressionSeeds() {
        Long only = Long.getLong("bsim.seed");
        if (only != null) {
            LOG.info("seed {} passed: {}", only, run(only));
            return;
        }
        for (long seed : REGRESSION_SEEDS) {
            run(seed, false);
        }
        for (long seed : SNAPSHOT_REGRESSION_SEEDS) {
            run(seed, true);
        }
        for (long seed : MEMBERSHIP_REGRESSION_SEEDS) {
            BrokerSimulation.Outcome o = new BrokerSimulation(seed, dir.resolve("seed-" + seed + "-membership"), true,
                BrokerSimulation.Knobs.fromProperties(), "always").run();
            assertThat(o.membership()).as("seed %d changes the membership", seed).contains("removed=n");
        }
    }

    @Test
    void randomSeeds() {
        if (Long.getLong("bsim.seed") != null) {
            return;
        }
        int count = Integer.getInteger("bsim.seeds", 200);
        // A fixed window unless told: open findings (docs/simulation.md "Campaigns": a few seeds in ten thousand when
        // there are any) must not turn CI red at random; campaigns (bin/raftmq-sim) draw their base at random.
        long base = Long.getLong("bsim.seedBase", CI_SEED_BASE) & 0x3FFF_FFFF_FFFF_FFFFL; // room for base + count
        LOG.info("running {} broker simulation seeds from base {} (replay one with -Dbsim.seed=S)", count, base);
        ResourceLeakDetector.Level leakLevel = ResourceLeakDetector.getLevel();
        if (leakLevel == ResourceLeakDetector.Level.PARANOID && !Boolean.getBoolean("bsim.paranoid")) {
            // Every request and response crosses a pooled buffer (docs/simulation.md "Buffers"); tracking each with
            // stack traces costs 6 times the seeds' own time here. The regression seeds and a replayed seed run
            // paranoid; these sample one buffer in 128 (with its access records); -Dbsim.paranoid=true tracks all.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.ADVANCED);
        }
        try {
            runSeeds(count, base);
        } finally {
            ResourceLeakDetector.setLevel(leakLevel);
        }
    }

    private void runSeeds(int count, long base) {
        long started = System.nanoTime();
        long acknowledged = 0;
        long crashes = 0;
        long truncations = 0;
        long transfers = 0;
        long pauses = 0;
        long terms = 0;
        long offsetAcks = 0;
        long batches = 0;
        long pulled = 0;
        long diskFailures = 0;
        long damages = 0;
        long forwarded = 0;
        long heldPulls = 0;
        long delivered = 0;
        long snapshots = 0;
        long installs = 0;
        long segmentsDeleted = 0;
        for (long seed = base; seed < base + count; seed++) {
            BrokerSimulation.Outcome o = run(seed);
            acknowledged += o.acknowledged();
            crashes += o.crashes();
            truncations += o.truncations();
            transfers += o.transfers();
            pauses += o.pauses();
            terms += o.maxTerm();
            offsetAcks += o.offsetAcks();
            batches += o.batches();
            pulled += o.pulledMessages();
            diskFailures += o.diskFailures();
            damages += o.damages();
            forwarded += o.forwarded();
            heldPulls += o.heldPulls();
            delivered += o.delayedDelivered();
            snapshots += o.snapshots();
            installs += o.installs();
            segmentsDeleted += o.segmentsDeleted();
        }
        LOG.info("{} seeds passed in {} ms: {} sends acknowledged, {} crashes, {} transfers, {} pauses, {} log"
            + " truncations, {} terms, {} consumer offset commits acknowledged, {} batch sends, {} messages pulled,"
            + " {} members failed on disk faults, {} bit flips at rest, {} sends forwarded, {} pulls answered after a"
            + " hold, {} parked messages delivered, {} snapshots taken, {} installed, {} segments deleted by"
            + " retention", count, (System.nanoTime() - started) / 1_000_000, acknowledged,
            crashes, transfers, pauses, truncations, terms, offsetAcks, batches, pulled, diskFailures, damages,
            forwarded, heldPulls, delivered, snapshots, installs, segmentsDeleted);
    }

    private BrokerSimulation.Outcome run(long seed) {
        return run(seed, !"false".equals(System.getProperty("bsim.snapshots")));
    }

    private BrokerSimulation.Outcome run(long seed, boolean snapshots) {
        try {
            return new BrokerSimulation(seed, dir.resolve("seed-" + seed + (snapshots ? "" : "-nosnap")), snapshots)
                .run();
        } catch (AssertionError e) {
            LOG.error("broker simulation seed {} failed (replay with -Dbsim.seed={}{})", seed, seed,
                snapshots ? "" : " -Dbsim.snapshots=false");
            if (!"false".equals(System.getProperty("bsim.shrink"))) {
                SimShrinker.shrink(seed, BrokerSimulation.Knobs.fromProperties(), k -> {
                    try {
                        new BrokerSimulation(seed, dir.resolve("shrink-" + seed + "-" + System.nanoTime()), snapshots,
                            k).run();
                        return null;
                    } catch (AssertionError failure) {
                        return failure;
                    }
                });
            }
            throw e;
        }
    }
}
