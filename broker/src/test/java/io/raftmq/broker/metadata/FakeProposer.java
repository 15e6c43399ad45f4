package io.raftmq.broker.metadata;

import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.raft.driver.NotLeaderException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Test double of the Raft log: proposals are appended to an in-memory log and, unless held, "committed" and applied
 * to the state machine synchronously (propose -> apply -> future completes), so tests exercise the replicated path.
 * When not leader it rejects with {@link NotLeaderException}. {@link #hold} keeps proposals pending until
 * {@link #releaseAll} (for batching bounds). Thread-safe.
 */
public final class FakeProposer implements MetadataProposer {
    /** One logged entry. */
    public record Logged(long index, byte type, byte[] payload) {
    }

    private record Held(byte type, byte[] payload, CompletableFuture<Void> future) {
    }

    private final List<Logged> log = new ArrayList<>();
    private final List<Held> held = new ArrayList<>();
    private MetadataStateMachine stateMachine;
    private volatile boolean leader = true;
    private boolean hold;
    private long index;

    public synchronized void attach(MetadataStateMachine sm) {
        this.stateMachine = sm;
    }

    public void leader(boolean leader) {
        this.leader = leader;
    }

    public synchronized void hold(boolean hold) {
        this.hold = hold;
    }

    @Override
    public boolean isLeader() {
        return leader;
    }

    @Override
    public CompletableFuture<Void> propose(byte type, byte[] payload) {
        if (!leader) {
            return CompletableFuture.failedFuture(new NotLeaderException(9));
        }
        synchronized (this) {
            if (hold) {
                CompletableFuture<Void> f = new CompletableFuture<>();
                held.add(new Held(type, payload, f));
                return f;
            }
            commit(type, payload);
        }
        return CompletableFuture.completedFuture(null);
    }

    private void commit(byte type, byte[] payload) {
        index++;
        log.add(new Logged(index, type, payload));
        if (stateMachine != null) {
            stateMachine.apply(index, type, payload);
        }
    }

    /** Commits every held proposal in order and completes their futures. */
    public void releaseAll() {
        List<Held> todo;
        synchronized (this) {
            todo = new ArrayList<>(held);
            held.clear();
            for (Held h : todo) {
                commit(h.type(), h.payload());
            }
        }
        for (Held h : todo) {
            h.future().complete(null);
        }
    }

    /** Fails every held proposal. */
    public void failAll(RuntimeException e) {
        List<Held> todo;
        synchronized (this) {
            todo = new ArrayList<>(held);
            held.clear();
        }
        for (Held h : todo) {
            h.future().completeExceptionally(e);
        }
    }

    public synchronized int heldCount() {
        return held.size();
    }

    public synchronized List<Logged> log() {
        return List.copyOf(log);
    }

    /** Replays the whole log into another state machine (as a follower would apply it). */
    public synchronized void replayInto(MetadataStateMachine other) {
        for (Logged l : log) {
            other.apply(l.index(), l.type(), l.payload());
        }
    }
}
