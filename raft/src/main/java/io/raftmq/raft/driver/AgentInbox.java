package io.raftmq.raft.driver;

import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.transport.Transport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The transport's sink for a member whose Raft port is bound before its agent exists (the port is taken first so a
 * clash fails fast; the log is then recovered, which can take a while). Until {@link #attach} it keeps the newest
 * vote request (pre-vote or vote) of each peer and drops everything else (Raft resends heartbeats and entries);
 * {@link #attach} hands the kept requests to the agent first, then everything goes straight to it. So a member whose
 * agent starts first and campaigns at once (its start hint, docs/raft-driver.md "Faster at start") wins as soon as a
 * majority's agents run, instead of waiting a whole election timeout after its first pre-votes were dropped. A kept
 * request is at most as old as this member's recovery; a stale one is answered like any delayed message (its term
 * decides).
 *
 * <p>Threads: {@link #deliver} on transport threads, {@link #attach} once from the starting thread.
 */
public final class AgentInbox implements Transport.InboundSink {
    private volatile Transport.InboundSink agent;
    /** Guarded by this: the newest vote request per sender, until attached. */
    private final Map<Long, RequestVote> early = new LinkedHashMap<>();

    @Override
    public boolean deliver(RaftMessage message) {
        Transport.InboundSink a = agent;
        if (a != null) {
            return a.deliver(message);
        }
        synchronized (this) {
            a = agent;
            if (a != null) {
                return a.deliver(message);
            }
            if (!(message instanceof RequestVote v)) {
                return false;
            }
            early.remove(v.from()); // keeps arrival order: the newest request of a sender goes last
            early.put(v.from(), v);
            return true;
        }
    }

    @Override
    public void peerUnreachable(long peerId) {
        Transport.InboundSink a = agent;
        if (a != null) {
            a.peerUnreachable(peerId);
        }
    }

    /** From now on everything goes to {@code sink}, after the vote requests kept so far. Returns how many. */
    public synchronized int attach(Transport.InboundSink sink) {
        if (agent != null) {
            throw new IllegalStateException("inbox already attached");
        }
        List<RequestVote> kept = new ArrayList<>(early.values());
        early.clear();
        for (RequestVote v : kept) {
            sink.deliver(v);
        }
        agent = sink;
        return kept.size();
    }
}
