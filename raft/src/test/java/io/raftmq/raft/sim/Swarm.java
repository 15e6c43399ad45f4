package io.raftmq.raft.sim;

import java.util.SplittableRandom;

/**
 * Fault mix of one simulation run, drawn from its seed ("swarm testing": every seed enables a different subset
 * of faults at different intensities, so rare combinations get exercised). Times are in simulation units; one
 * node tick is {@link #TICK_UNITS} units.
 */
record Swarm(int nodes, double dropRate, double duplicateRate, int delayMaxUnits, int fsyncMaxUnits,
             boolean partitions, boolean crashes, boolean pauses, boolean transfers, int snapshotEvery,
             int proposeGapMaxUnits, int batchEntriesMax, int inflightAppendsMax, boolean checkQuorum,
             boolean preVote, boolean membership) {
    static final int TICK_UNITS = 10;

    /**
     * Draws the mix from the run's random stream; the Raft options come from {@code options}, a separate stream,
     * so that varying them does not change the fault schedule of a seed. Membership changes (drawn last from
     * {@code options}, so the earlier draws of a seed are as before) run in half of the runs.
     */
    /** This mix without membership changes (the fault schedule of a seed is then the one it had before them). */
    Swarm withoutMembership() {
        return new Swarm(nodes, dropRate, duplicateRate, delayMaxUnits, fsyncMaxUnits, partitions, crashes, pauses,
            transfers, snapshotEvery, proposeGapMaxUnits, batchEntriesMax, inflightAppendsMax, checkQuorum, preVote,
            false);
    }

    static Swarm draw(SplittableRandom r, SplittableRandom options) {
        double[] drops = {0, 0, 0.01, 0.05, 0.2};
        double[] dups = {0, 0, 0.02, 0.1};
        int[] delays = {2, 5, 10, 20};
        int[] snapshots = {0, 10, 40};
        return new Swarm(r.nextBoolean() ? 3 : 5,
            drops[r.nextInt(drops.length)],
            dups[r.nextInt(dups.length)],
            delays[r.nextInt(delays.length)],
            1 + r.nextInt(12),
            r.nextInt(3) > 0,
            r.nextInt(3) > 0,
            r.nextInt(3) == 0,
            r.nextInt(3) == 0,
            snapshots[r.nextInt(snapshots.length)],
            5 + r.nextInt(40),
            r.nextInt(3) == 0 ? 1 + r.nextInt(2) : 8,
            r.nextInt(3) == 0 ? 1 : 4,
            options.nextInt(4) > 0,
            options.nextInt(4) > 0,
            options.nextBoolean());
    }
}
