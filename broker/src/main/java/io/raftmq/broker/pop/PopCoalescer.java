package io.raftmq.broker.pop;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Coalesces the acks and invisible-time changes of pop consumption into shared {@code POP} entries
 * (docs/consumer-protocol.md "Pop consumption", "Coalesced acks"): a change proposes its own entry at once when no
 * coalesced entry is in flight, else it joins the next one, proposed as soon as the entry in flight completes
 * (applied or failed; there is no timer, so a lone ack waits for nothing). A batch holds at most {@code batchMax}
 * changes and {@code bytesMax} payload bytes; a batch that is full is proposed at once, even while another is in
 * flight. A batch of one is encoded as its plain op, a larger one as op BATCH ({@link PopCodec}).
 *
 * <p>Each change's future completes once the entry holding it is applied on this member, or fails with that
 * proposal's failure (not the leader, refused, timed out): the futures handed out are copies, so a caller's own
 * timeout never touches the other changes of the batch. Thread-safety: any thread; futures may complete on the
 * raft agent's thread, which then also proposes the next batch.
 */
final class PopCoalescer {
    /** Most changes in one entry. */
    static final int BATCH_MAX = 256;
    /** Most payload bytes of one coalesced entry (a single larger change still goes alone). */
    static final int BYTES_MAX = 64 * 1024;

    private final MetadataProposer proposer;
    private final int batchMax;
    private final int bytesMax;
    private final Object lock = new Object();
    /** Guarded by lock: the changes waiting for the entry in flight to complete. */
    private Batch pending = new Batch();
    /** Guarded by lock: whether a chained entry is in flight. */
    private boolean inFlight;
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong changes = new AtomicLong();

    /** Changes bound for one entry and the future completed when it is applied. */
    private static final class Batch {
        final List<PopEntry> items = new ArrayList<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        int bytes = 4; // version, op, count

        void add(PopEntry e, int size) {
            items.add(e);
            bytes += size;
        }
    }

    PopCoalescer(MetadataProposer proposer, int batchMax, int bytesMax) {
        if (batchMax < 1 || batchMax > PopCodec.BATCH_MAX || bytesMax < 1) {
            throw new IllegalArgumentException("batchMax must be 1.." + PopCodec.BATCH_MAX + ", bytesMax >= 1");
        }
        this.proposer = proposer;
        this.batchMax = batchMax;
        this.bytesMax = bytesMax;
    }

    /**
     * Proposes {@code e} (an {@link PopEntry.Ack} or {@link PopEntry.Change}) alone or with the changes around it.
     *
     * @return completes once the entry holding {@code e} is applied here; fails as its proposal fails
     * @throws IllegalArgumentException {@code e} is another kind of entry or cannot be encoded
     */
    CompletableFuture<Void> submit(PopEntry e) {
        if (!(e instanceof PopEntry.Ack) && !(e instanceof PopEntry.Change)) {
            throw new IllegalArgumentException("only acks and invisible-time changes are coalesced");
        }
        int size = PopCodec.encode(e).length - 1; // its bytes inside a batch: op and fields
        changes.incrementAndGet();
        Batch now = null;
        Batch full = null;
        CompletableFuture<Void> mine;
        synchronized (lock) {
            if (!inFlight) {
                inFlight = true;
                now = new Batch();
                now.add(e, size);
                mine = now.done;
            } else {
                if (!pending.items.isEmpty() && pending.bytes + size > bytesMax) {
                    full = pending;
                    pending = new Batch();
                }
                pending.add(e, size);
                mine = pending.done;
                if (full == null && pending.items.size() >= batchMax) {
                    full = pending;
                    pending = new Batch();
                }
            }
        }
        if (now != null) {
            chained(now);
        }
        if (full != null) {
            propose(full);
        }
        return mine.copy();
    }

    /** Proposes {@code b}; once it completes, the changes that joined meanwhile go as the next entry. */
    private void chained(Batch b) {
        propose(b).whenComplete((v, t) -> {
            Batch next;
            synchronized (lock) {
                if (pending.items.isEmpty()) {
                    inFlight = false;
                    return;
                }
                next = pending;
                pending = new Batch();
            }
            chained(next);
        });
    }

    private CompletableFuture<Void> propose(Batch b) {
        entries.incrementAndGet();
        CompletableFuture<Void> f;
        try {
            byte[] payload = b.items.size() == 1 ? PopCodec.encode(b.items.get(0))
                : PopCodec.encode(new PopEntry.Batch(b.items));
            f = proposer.propose(EntryType.POP, payload);
        } catch (RuntimeException ex) {
            f = CompletableFuture.failedFuture(ex);
        }
        return f.whenComplete((v, t) -> {
            if (t == null) {
                b.done.complete(null);
            } else {
                b.done.completeExceptionally(t);
            }
        });
    }

    /** Entries proposed so far. */
    long entries() {
        return entries.get();
    }

    /** Changes submitted so far. */
    long changes() {
        return changes.get();
    }
}
