package io.raftmq.raft.core;

/**
 * The campaigns a {@link RaftNode} ran since it was built, as its core counted them (metrics, docs/metrics.md
 * "Raft"): unlike roles sampled from the published status, a role held for less than one duty cycle, or a second
 * pre-vote while already pre-candidate, is counted too. Published with the agent's status.
 *
 * @param preVotes         pre-vote campaigns started (§9.6)
 * @param electionsStarted elections started (term incremented, votes requested), leadership transfers included
 * @param electionsWon     elections won (this node became leader)
 */
public record ElectionCounts(long preVotes, long electionsStarted, long electionsWon) {
    /** No campaign yet. */
    public static final ElectionCounts NONE = new ElectionCounts(0, 0, 0);

    /** Whether these are the counts {@code preVotes}, {@code started} and {@code won}. */
    public boolean matches(long preVotes, long started, long won) {
        return this.preVotes == preVotes && electionsStarted == started && electionsWon == won;
    }
}
