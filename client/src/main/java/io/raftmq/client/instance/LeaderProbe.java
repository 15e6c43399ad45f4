package io.raftmq.client.instance;

/**
 * The outcome of asking a broker group's members who leads ({@link ClientInstance#locateLeader}).
 *
 * @param leader    the confirmed leader's client-facing address, or null
 * @param raftAware whether any member answered with Raft fields (a RaftMQ group); when false (an Apache RocketMQ
 *                  broker, or nobody answered) waiting for a leader to appear makes no sense
 */
public record LeaderProbe(String leader, boolean raftAware) {
}
