package io.raftmq.client.admin;

/**
 * The outcome of a leadership transfer (RAFT_TRANSFER_LEADERSHIP 9001, docs/protocol.md §2.13).
 *
 * @param group  the broker group
 * @param leader the client-facing address of the member that leads now
 * @param term   its term
 */
public record TransferResult(String group, String leader, long term) {
}
