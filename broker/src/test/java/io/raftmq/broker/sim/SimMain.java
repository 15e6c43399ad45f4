package io.raftmq.broker.sim;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Command-line entry point of the broker simulation outside Maven's test phase ({@code bin/raftmq-sim}, see
 * docs/simulation.md): runs {@code --seeds N} consecutive seeds from {@code --from S} (default: a base drawn from
 * the clock, printed first), one line per seed, every failure's report, then the totals and the last line
 * {@code RESULT seeds=N failures=F first_failure=S|none}. Exit status 0 only when every seed passed, 1 when one
 * failed, 2 on bad usage. Each seed runs in a fresh temporary directory, deleted afterwards. Logging shows only
 * errors unless {@code -Dbsim.log=LEVEL} asks for more.
 */
public final class SimMain {
    private SimMain() {
    }

    public static void main(String[] args) throws IOException {
        long count = -1;
        long from = System.nanoTime() & 0x3FFF_FFFF_FFFFL;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seeds" -> count = Long.parseLong(args[++i]);
                    case "--from" -> from = Long.parseLong(args[++i]);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (count < 1) {
                throw new IllegalArgumentException("--seeds N (N >= 1) is required");
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            System.err.println("usage: raftmq-sim --seeds N [--from S]: " + e.getMessage());
            System.exit(2);
            return;
        }
        // the store logs every recovery; a campaign shows only errors unless -Dbsim.log=INFO (or WARN) asks
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
            .setLevel(Level.toLevel(System.getProperty("bsim.log", "ERROR"), Level.ERROR));
        System.out.println("running " + count + " seeds from " + from + " (replay one: --seeds 1 --from S)");
        System.exit(run(from, count) ? 0 : 1);
    }

    private static boolean run(long from, long count) throws IOException {
        long started = System.nanoTime();
        long failures = 0;
        Long firstFailure = null;
        Totals totals = new Totals();
        for (long seed = from; seed < from + count; seed++) {
            Path dir = Files.createTempDirectory("raftmq-sim-" + seed + "-");
            long t0 = System.nanoTime();
            try {
                BrokerSimulation.Outcome o = new BrokerSimulation(seed, dir).run();
                totals.add(o);
                System.out.println("seed " + seed + " passed in " + (System.nanoTime() - t0) / 1_000_000 + " ms: "
                    + describe(o));
            } catch (AssertionError e) {
                failures++;
                firstFailure = firstFailure == null ? seed : firstFailure;
                System.out.println("seed " + seed + " FAILED: " + e.getMessage());
                if (e.getCause() != null) {
                    e.getCause().printStackTrace(System.out);
                }
                shrink(seed);
            } finally {
                deleteTree(dir);
            }
        }
        System.out.println(count - failures + " seeds passed in " + (System.nanoTime() - started) / 1_000_000
            + " ms: " + totals);
        System.out.println("RESULT seeds=" + count + " failures=" + failures + " first_failure="
            + (firstFailure == null ? "none" : firstFailure));
        return failures == 0;
    }

    /** One passing seed's counts, as the campaign prints them. */
    private static String describe(BrokerSimulation.Outcome o) {
        return "events=" + o.events() + " sends=" + o.sends() + " acknowledged=" + o.acknowledged()
            + " committed=" + o.committedEntries() + " crashes=" + o.crashes() + " partitions=" + o.partitions()
            + " transfers=" + o.transfers() + " pauses=" + o.pauses() + " truncations=" + o.truncations()
            + " terms=" + o.maxTerm() + " catch_up_ms=" + o.catchUpMs() + " offset_commits=" + o.offsetCommits()
            + " offset_acks=" + o.offsetAcks() + " batches=" + o.batches() + " refused_no_topic=" + o.refused()
            + " pulls=" + o.pulls() + " pulled=" + o.pulledMessages() + " topic_proposals=" + o.topicProposals()
            + " disk_faults=" + o.diskFaults() + " disk_failures=" + o.diskFailures() + " damages=" + o.damages()
            + " damage_losses=" + o.damageLosses() + " damage_refusals=" + o.damageRefusals() + " forwarded="
            + o.forwarded() + " held_pulls=" + o.heldPulls() + " delayed_sends=" + o.delayedSends()
            + " delayed_delivered=" + o.delayedDelivered() + " halves=" + o.halves() + " tx_visible="
            + o.transactionsVisible() + " checks_answered=" + o.checksAnswered() + " lock_grants=" + o.lockGrants()
            + " snapshots=" + o.snapshots() + " installs=" + o.installs() + " segments_deleted=" + o.segmentsDeleted()
            + (o.membership().isEmpty() ? "" : " membership=" + o.membership());
    }

    /** The campaign's sums over the passing seeds. */
    private static final class Totals {
        long acknowledged;
        long crashes;
        long transfers;
        long pauses;
        long truncations;
        long terms;
        long offsetAcks;
        long batches;
        long refused;
        long pulled;
        long diskFaults;
        long diskFailures;
        long damages;
        long damageLosses;
        long refusals;
        long forwarded;
        long heldPulls;
        long delayed;
        long delivered;
        long halves;
        long visible;
        long checks;
        long grants;
        long snapshots;
        long installs;
        long segmentsDeleted;

        void add(BrokerSimulation.Outcome o) {
            acknowledged += o.acknowledged();
            crashes += o.crashes();
            transfers += o.transfers();
            pauses += o.pauses();
            truncations += o.truncations();
            terms += o.maxTerm();
            offsetAcks += o.offsetAcks();
            batches += o.batches();
            refused += o.refused();
            pulled += o.pulledMessages();
            diskFaults += o.diskFaults();
            diskFailures += o.diskFailures();
            damages += o.damages();
            damageLosses += o.damageLosses();
            refusals += o.damageRefusals();
            forwarded += o.forwarded();
            heldPulls += o.heldPulls();
            delayed += o.delayedSends();
            delivered += o.delayedDelivered();
            halves += o.halves();
            visible += o.transactionsVisible();
            checks += o.checksAnswered();
            grants += o.lockGrants();
            snapshots += o.snapshots();
            installs += o.installs();
            segmentsDeleted += o.segmentsDeleted();
        }

        @Override
        public String toString() {
            return acknowledged + " sends acknowledged, " + crashes + " crashes, " + transfers + " transfers, "
                + pauses + " pauses, " + truncations + " log truncations, " + terms + " terms, " + offsetAcks
                + " consumer offset commits acknowledged, " + batches + " batch sends, " + refused
                + " messages refused (no topic yet), " + pulled + " messages pulled and checked, " + diskFaults
                + " disk faults, " + diskFailures + " members failed on them, " + damages + " bit flips at rest ("
                + damageLosses + " recovered past a log loss, " + refusals + " refused to start and were wiped), "
                + forwarded + " sends forwarded by a follower, " + heldPulls + " pulls answered after a hold, "
                + delayed + " delayed sends, " + delivered + " parked messages delivered, " + halves
                + " half messages (" + visible + " committed and visible, " + checks + " check-backs answered), "
                + grants + " queue locks granted by ready leaders, " + snapshots + " snapshots taken, " + installs
                + " snapshots installed, " + segmentsDeleted + " commit-log segments deleted by retention";
        }
    }

    /** The failing seed shrunk ({@link SimShrinker}), its smallest failing configuration printed. */
    private static void shrink(long seed) throws IOException {
        if ("false".equals(System.getProperty("bsim.shrink"))) {
            return;
        }
        SimShrinker.Result r = SimShrinker.shrink(seed, BrokerSimulation.Knobs.fromProperties(), k -> {
            try {
                Path dir = Files.createTempDirectory("raftmq-sim-shrink-" + seed + "-");
                try {
                    new BrokerSimulation(seed, dir, !"false".equals(System.getProperty("bsim.snapshots")), k).run();
                    return null;
                } finally {
                    deleteTree(dir);
                }
            } catch (AssertionError failure) {
                return failure;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        System.out.println(r == null ? "seed " + seed + " passed when run again: not shrunk"
            : "SHRUNK " + r.describe());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete " + p, e);
                }
            });
        }
    }
}
