package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.MessageQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * CLUSTERING offsets: kept in memory, read from the broker group's leader when a queue is assigned (14), committed
 * with UPDATE_CONSUMER_OFFSET (15) to the leader. Commits are two-way, unlike the official client's oneway ones, so a
 * commit a follower refused (14) or a failed proposal is seen: its offset stays uncommitted and goes again at the next
 * commit (after the leader change has been followed). The broker replicates offsets through the Raft log
 * (docs/protocol.md §5.5), so they survive leader changes.
 */
final class RemoteOffsetStore implements OffsetStore {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteOffsetStore.class);

    private final ConsumerRpc rpc;
    private final ConcurrentHashMap<MessageQueue, Entry> offsets = new ConcurrentHashMap<>();

    /** Invariant: committed is an offset that offset held once, or -1. */
    private static final class Entry {
        final AtomicLong offset = new AtomicLong(-1);
        volatile long committed = -1;
    }

    RemoteOffsetStore(ConsumerRpc rpc) {
        this.rpc = rpc;
    }

    @Override
    public CompletableFuture<Long> read(MessageQueue mq) {
        long mem = offset(mq);
        if (mem >= 0) {
            return CompletableFuture.completedFuture(mem);
        }
        return rpc.queryOffset(mq).thenApply(o -> {
            if (o >= 0) {
                Entry e = offsets.computeIfAbsent(mq, k -> new Entry());
                e.offset.compareAndSet(-1, o);
                e.committed = o;
            }
            return o;
        });
    }

    @Override
    public void update(MessageQueue mq, long offset, boolean increaseOnly) {
        if (offset < 0) {
            return;
        }
        AtomicLong a = offsets.computeIfAbsent(mq, k -> new Entry()).offset;
        if (increaseOnly) {
            a.accumulateAndGet(offset, Math::max);
        } else {
            a.set(offset);
        }
    }

    @Override
    public long offset(MessageQueue mq) {
        Entry e = offsets.get(mq);
        return e == null ? -1 : e.offset.get();
    }

    @Override
    public CompletableFuture<Void> commit(Collection<MessageQueue> mqs) {
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (MessageQueue mq : mqs) {
            Entry e = offsets.get(mq);
            long o = e == null ? -1 : e.offset.get();
            if (o < 0 || o == e.committed) {
                continue;
            }
            calls.add(rpc.commitOffset(mq, o).handle((ok, err) -> {
                if (err == null) {
                    e.committed = o;
                } else {
                    LOG.debug("offset commit of {} at {} failed (again at the next commit): {}", mq, o, err.toString());
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]));
    }

    @Override
    public void forget(MessageQueue mq) {
        offsets.remove(mq);
    }
}
