package io.raftmq.raft.core;

/**
 * Port: the only source of randomness of the core (election timeout jitter). Production passes a seeded or
 * thread-local generator; the simulator passes one derived from the run's seed, so runs replay exactly.
 */
@FunctionalInterface
public interface RandomSource {
    /** A uniformly chosen int in {@code [0, bound)}, {@code bound >= 1}. */
    int nextInt(int bound);
}
