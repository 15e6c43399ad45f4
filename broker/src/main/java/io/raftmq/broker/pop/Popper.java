package io.raftmq.broker.pop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.store.MessageFilter;
import io.raftmq.broker.store.PullResult;
import io.raftmq.broker.store.PullStatus;
import io.raftmq.broker.store.StoreReadException;
import io.raftmq.commitlog.message.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToLongFunction;

/**
 * The leader's side of one POP_MESSAGE on one queue (docs/consumer-protocol.md "Pop consumption"): picks the
 * expired in-flight offsets (handed out again with reconsume times + 1; those that reached the group's maximum go to
 * its dead-letter queue instead) and the next never-popped ones from the committed ConsumeQueue, reads them, proposes
 * the {@code POP} entry and, once it is applied here, answers the messages the entry granted.
 *
 * <p>Buffers: the pulled bodies are released here; the answer's body belongs to the caller.
 */
final class Popper {
    private static final Logger LOG = LoggerFactory.getLogger(Popper.class);
    /** Expired offsets sent to the dead-letter queue per pop, at most. */
    private static final int DEAD_LETTERS_PER_POP = 16;

    /**
     * What a pop hands out.
     *
     * @param body    the messages back to back (null when none); the caller owns it
     * @param offsets the queue offsets of the messages, in body order
     * @param restNum messages left in the queue after the pop
     */
    record Popped(ByteBuf body, List<Long> offsets, long restNum) {
        static Popped none(long rest) {
            return new Popped(null, List.of(), rest);
        }
    }

    /** An in-flight offset being sent to the dead-letter queue by this leader. */
    private record Retiring(PopState.QueueKey queue, long offset) {
    }

    /** One message read for the pop: its queue offset and a copy of its bytes. */
    private record Read(long offset, ByteBuf bytes) {
    }

    private final PopState state;
    private final MetadataProposer proposer;
    private final BrokerStore store;
    private final DeadLetters deadLetters;
    private final ToLongFunction<PopState.QueueKey> committedOffset;
    private final ByteBufAllocator alloc;
    private final int maxBytes;
    private final Set<Retiring> retiring = ConcurrentHashMap.newKeySet();

    /** @param committedOffset the group's committed consumer offset of a queue, -1 when none */
    Popper(PopState state, MetadataProposer proposer, BrokerStore store, DeadLetters deadLetters,
           ToLongFunction<PopState.QueueKey> committedOffset, ByteBufAllocator alloc, int maxBytes) {
        this.state = state;
        this.proposer = proposer;
        this.store = store;
        this.deadLetters = deadLetters;
        this.committedOffset = committedOffset;
        this.alloc = alloc;
        this.maxBytes = maxBytes;
    }

    /**
     * Pops at most {@code max} messages of the queue at {@code nowMs}.
     *
     * @param maxReconsume a message handed out this many times more goes to the dead-letter queue when it expires
     * @param fromLatest   where a group that never popped the queue and committed no offset there starts: its end
     *                     (else its first message)
     */
    CompletableFuture<Popped> pop(PopState.QueueKey k, int max, long nowMs, long invisibleMs, MessageFilter filter,
                                  int maxReconsume, boolean fromLatest) throws StoreReadException {
        long from = state.next(k);
        long end = store.maxOffset(k.topic(), k.queueId());
        boolean expired = state.anyExpired(k, nowMs);
        if (from >= end && !expired) { // the common case of a held pop: nothing to read
            return CompletableFuture.completedFuture(Popped.none(0));
        }
        List<Read> reads = new ArrayList<>();
        try {
            if (expired) {
                redeliveries(k, state.flights(k), nowMs, max, maxReconsume, reads);
            }
            if (from < 0) { // a group switched from pulling starts where it stood
                long committed = committedOffset.applyAsLong(k);
                from = committed >= 0 ? committed : fromLatest ? end : store.minOffset(k.topic(), k.queueId());
            }
            long to = from;
            if (reads.size() < max && state.inFlight(k) < PopState.IN_FLIGHT_MAX) {
                to = readNew(k, from, max - reads.size(), filter, reads);
            }
            long rest = Math.max(0, store.maxOffset(k.topic(), k.queueId()) - to);
            if (reads.isEmpty() && to == from && state.next(k) >= 0) { // (a first pop pins where the group starts)
                return CompletableFuture.completedFuture(Popped.none(rest));
            }
            List<Long> offsets = new ArrayList<>(reads.size());
            reads.forEach(r -> offsets.add(r.offset()));
            PopEntry.Pop e = new PopEntry.Pop(k.group(), k.topic(), k.queueId(), nowMs, invisibleMs,
                ThreadLocalRandom.current().nextLong(), from, to, offsets);
            byte[] payload = PopCodec.encode(e);
            List<Read> held = List.copyOf(reads);
            reads.clear();
            return proposer.propose(EntryType.POP, payload)
                .handle((v, t) -> granted(k, e, held, rest, t));
        } finally {
            reads.forEach(r -> r.bytes().release());
        }
    }

    /** Adds the expired in-flight offsets to hand out again; sends the exhausted ones to the dead-letter queue. */
    private void redeliveries(PopState.QueueKey k, TreeMap<Long, PopState.Flight> flights, long nowMs, int max,
                              int maxReconsume, List<Read> reads) throws StoreReadException {
        int dead = 0;
        for (Map.Entry<Long, PopState.Flight> f : flights.entrySet()) {
            PopState.Flight fl = f.getValue();
            if (reads.size() >= max || !fl.expired(nowMs)) {
                continue;
            }
            Retiring key = new Retiring(k, f.getKey());
            if (retiring.contains(key)) {
                continue; // on its way to the dead-letter queue
            }
            ByteBuf one = readOne(k, f.getKey());
            if (one == null || fl.reconsume() >= maxReconsume) {
                if (dead++ < DEAD_LETTERS_PER_POP && retiring.add(key)) {
                    retire(key, fl, one);
                } else if (one != null) {
                    one.release();
                }
                continue;
            }
            one.setInt(StoredMessage.reconsumeTimesOffset(one.getInt(StoredMessage.SYS_FLAG_OFFSET)),
                fl.reconsume() + 1);
            reads.add(new Read(f.getKey(), one));
        }
    }

    /**
     * Sends the message to the dead-letter queue (when still stored), then acks it; {@code key} stays in
     * {@link #retiring} until then, so concurrent pops do not send it twice. Releases {@code one}.
     */
    private void retire(Retiring key, PopState.Flight fl, ByteBuf one) {
        PopState.QueueKey k = key.queue();
        long offset = key.offset();
        CompletableFuture<Boolean> sent;
        if (one == null) {
            sent = CompletableFuture.completedFuture(true); // deleted by retention: nothing left to hand out
        } else {
            long phys = one.getLong(StoredMessage.PHYSICAL_OFFSET_OFFSET);
            one.release();
            sent = deadLetters.send(k.group(), phys);
        }
        sent.thenCompose(ok -> ok ? proposer.propose(EntryType.POP, PopCodec.encode(new PopEntry.Ack(k.group(),
            k.topic(), k.queueId(), fl.popTimeMs(), List.of(offset)))) : CompletableFuture.completedFuture(null))
            .whenComplete((v, t) -> {
                retiring.remove(key);
                if (t != null) {
                    LOG.warn("pop: retiring offset {} of {} for {} failed: {}", offset, k.topic(), k.group(),
                        t.toString());
                }
            });
    }

    /** The message at {@code offset} (a copy the caller releases); null when it is no longer stored. */
    private ByteBuf readOne(PopState.QueueKey k, long offset) throws StoreReadException {
        PullResult r = store.pull(k.topic(), k.queueId(), offset, 1, maxBytes, MessageFilter.ALL);
        if (r.status() != PullStatus.FOUND) {
            r.release();
            return null;
        }
        ByteBuf b = r.takeBody();
        try {
            if (b.getLong(b.readerIndex() + StoredMessage.QUEUE_OFFSET_OFFSET) != offset) {
                return null;
            }
            int size = b.getInt(b.readerIndex());
            return alloc.buffer(size).writeBytes(b, b.readerIndex(), size);
        } finally {
            b.release();
        }
    }

    /** Reads never-popped messages from {@code from}; returns the offset after the range decided. */
    private long readNew(PopState.QueueKey k, long from, int n, MessageFilter filter, List<Read> reads)
            throws StoreReadException {
        PullResult r = store.pull(k.topic(), k.queueId(), from, n, maxBytes, filter);
        long to = Math.max(from, r.nextBeginOffset());
        if (r.status() != PullStatus.FOUND) {
            r.release();
            return r.status() == PullStatus.NO_MATCHED_MESSAGE || r.status() == PullStatus.OFFSET_TOO_SMALL
                ? to : from;
        }
        ByteBuf body = r.takeBody();
        try {
            while (body.isReadable()) { // slices of the pull body, no copy: each holds it until released
                int size = body.getInt(body.readerIndex());
                ByteBuf m = body.readRetainedSlice(size);
                reads.add(new Read(m.getLong(StoredMessage.QUEUE_OFFSET_OFFSET), m));
            }
        } finally {
            body.release();
        }
        return to;
    }

    /** After the entry: the messages it granted (still in flight with its nonce), in one body. */
    private Popped granted(PopState.QueueKey k, PopEntry.Pop e, List<Read> held, long rest, Throwable failure) {
        ByteBuf out = null;
        List<Long> offsets = new ArrayList<>();
        try {
            if (failure != null) {
                throw new CompletionException(failure);
            }
            for (Read r : held) {
                PopState.Flight f = state.flight(k, r.offset());
                if (f != null && f.nonce() == e.nonce() && f.popTimeMs() == e.popTimeMs()) {
                    out = out == null ? alloc.buffer() : out;
                    out.writeBytes(r.bytes(), r.bytes().readerIndex(), r.bytes().readableBytes());
                    offsets.add(r.offset());
                }
            }
            return new Popped(out, offsets, rest);
        } finally {
            held.forEach(r -> r.bytes().release());
        }
    }
}
