package io.raftmq.raft.core;

/** Follower: waits for a leader; campaigns when {@code electionElapsed} reaches its randomized timeout. */
final class FollowerState extends RoleState {
    /** Ticks without hearing from a leader before campaigning, in [electionTicks, 2 * electionTicks). */
    final int electionTimeoutTicks;

    FollowerState(int electionTimeoutTicks) {
        this.electionTimeoutTicks = electionTimeoutTicks;
    }

    @Override
    int electionTimeoutTicks() {
        return electionTimeoutTicks;
    }

    @Override
    Role role() {
        return Role.FOLLOWER;
    }
}
