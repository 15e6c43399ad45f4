package io.raftmq.raft.core;

import io.raftmq.raft.Verify;
import io.raftmq.raft.message.AppendEntriesResponse;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A follower's append acknowledgements waiting for the entries they claim to be durable. An acknowledgement of
 * index {@code i} tells the leader "my log matches yours through {@code i}, on disk", so it leaves only once the
 * driver reported the log durable through {@code i} ({@link RaftNode#persisted}); until then it waits here. A
 * truncation or snapshot restore drops the waiting acknowledgements at or past the first replaced index: the
 * entries they claim are gone, and a later report about the replacing entries must not release them (dropping is
 * safe, the transport may lose any message).
 *
 * <p>Bounded by {@code max}: beyond it the oldest waiting acknowledgement is dropped (the leader's next append or
 * heartbeat asks again). Released acknowledgements to the same leader and term collapse to the highest index: the
 * leader frees every inflight append up to it at once.
 */
final class DurableAcks {
    private final ArrayList<AppendEntriesResponse> waiting = new ArrayList<>();
    /** Reused by {@link #release}. */
    private final ArrayList<AppendEntriesResponse> released = new ArrayList<>(2);
    private final int max;
    private long dropped;

    DurableAcks(int max) {
        Verify.argument(max > 0, "max must be > 0");
        this.max = max;
    }

    /** Sends {@code ack} now (early) if {@code durable} covers it, else keeps it until it does. */
    void offer(AppendEntriesResponse ack, long durable, Outbox outbox) {
        Verify.state(!ack.reject(), "only acknowledgements wait for durability", ack.index());
        if (ack.index() <= durable) {
            outbox.early(ack);
            return;
        }
        if (waiting.size() == max) {
            waiting.remove(0);
            dropped++;
        }
        waiting.add(ack);
    }

    /** Moves every waiting acknowledgement that {@code durable} covers to the outbox (highest per leader/term). */
    void release(long durable, Outbox outbox) {
        if (waiting.isEmpty()) {
            return;
        }
        List<AppendEntriesResponse> out = released;
        for (Iterator<AppendEntriesResponse> it = waiting.iterator(); it.hasNext(); ) {
            AppendEntriesResponse a = it.next();
            if (a.index() <= durable) {
                it.remove();
                collapse(out, a);
            }
        }
        for (int i = 0; i < out.size(); i++) {
            Verify.state(out.get(i).index() <= durable, "acknowledgement ahead of the durable log", out.get(i).index(),
                durable);
            outbox.early(out.get(i));
        }
        out.clear();
    }

    private static void collapse(List<AppendEntriesResponse> out, AppendEntriesResponse a) {
        for (int i = 0; i < out.size(); i++) {
            AppendEntriesResponse o = out.get(i);
            if (o.to() == a.to() && o.term() == a.term()) {
                if (a.index() > o.index()) {
                    out.set(i, a);
                }
                return;
            }
        }
        out.add(a);
    }

    /** Drops the waiting acknowledgements of index {@code >= from} (their entries were replaced). */
    void dropFrom(long from) {
        if (from == Long.MAX_VALUE) {
            return;
        }
        waiting.removeIf(a -> a.index() >= from);
    }

    int waiting() {
        return waiting.size();
    }

    /** Acknowledgements dropped because the bound was reached. */
    long dropped() {
        return dropped;
    }
}
