package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.route.TopicRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Decides which queues this consumer pulls (docs/protocol.md §5.4) and keeps their {@link ProcessQueue}s. Per topic
 * (the group's retry topic included in CLUSTERING): the route's read queues, sorted; in CLUSTERING the group's live
 * consumers (GET_CONSUMER_LIST_BY_GROUP from the leader of the topic's first broker group, sorted) and this
 * consumer's share by the {@link AllocationStrategy}; in BROADCASTING every queue. A queue no longer ours is dropped
 * (pulls and listeners stop), its offset committed and forgotten, and for orderly consumption unlocked once its
 * listener call ended. A new queue starts at the stored offset, or where {@link ConsumeFrom} says; orderly queues
 * are locked on the broker first (LOCK_BATCH_MQ), and locks are renewed at every rebalance.
 *
 * <p>Runs on the event loop, asynchronously, one rebalance at a time; a request during a run makes one more run.
 * A topic whose route is missing, provisional or whose consumer list fails keeps its queues until a later run.
 */
final class Rebalancer {
    private static final Logger LOG = LoggerFactory.getLogger(Rebalancer.class);
    static final String RETRY_PREFIX = "%RETRY%";

    private final ConsumerConfig config;
    private final ConsumerRpc rpc;
    private final OffsetStore offsets;
    private final PullDriver pulls;
    private final boolean orderly;
    private final Supplier<List<String>> topics;
    private final ConcurrentHashMap<MessageQueue, ProcessQueue> table = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private volatile boolean stopped;

    /** {@code topics}: the topics to divide, asked at every run (see {@link #topics()}). */
    Rebalancer(ConsumerConfig config, ConsumerRpc rpc, OffsetStore offsets, PullDriver pulls, boolean orderly,
               Supplier<List<String>> topics) {
        this.topics = topics;
        this.config = config;
        this.rpc = rpc;
        this.offsets = offsets;
        this.pulls = pulls;
        this.orderly = orderly;
    }

    /** The topics divided (a push consumer's subscriptions, plus its retry topic in CLUSTERING). */
    List<String> topics() {
        return topics.get();
    }

    /** The queues assigned now. */
    Set<MessageQueue> assigned() {
        return new TreeSet<>(table.keySet());
    }

    Collection<ProcessQueue> processQueues() {
        return table.values();
    }

    /** Runs a rebalance now, or once more after the one running. Never blocks. */
    void request() {
        if (stopped) {
            return;
        }
        if (!running.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        List<CompletableFuture<Void>> runs = new ArrayList<>();
        for (String topic : topics()) {
            runs.add(rebalance(topic).exceptionally(e -> {
                LOG.debug("rebalance of {} for group {} skipped: {}", topic, config.group(), e.toString());
                return null;
            }));
        }
        CompletableFuture.allOf(runs.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> {
            running.set(false);
            if (again.getAndSet(false)) {
                request();
            }
        });
    }

    private CompletableFuture<Void> rebalance(String topic) {
        return rpc.instance().route(topic).thenCompose(route -> {
            if (route.provisional() || route.readQueues().isEmpty()) {
                return CompletableFuture.completedFuture(null); // not routed yet (a retry topic before first use)
            }
            if (config.model() == MessageModel.BROADCASTING) {
                return apply(topic, route.readQueues());
            }
            String first = route.readQueues().get(0).brokerName();
            return rpc.consumerIds(first).thenCompose(ids -> apply(topic,
                    config.allocation().allocate(rpc.clientId(), route.readQueues(), ids)));
        });
    }

    private CompletableFuture<Void> apply(String topic, List<MessageQueue> mine) {
        Set<MessageQueue> wanted = new HashSet<>(mine);
        for (MessageQueue mq : new ArrayList<>(table.keySet())) {
            if (mq.topic().equals(topic) && !wanted.contains(mq)) {
                remove(mq);
            }
        }
        List<MessageQueue> added = new ArrayList<>();
        for (MessageQueue mq : mine) {
            if (!table.containsKey(mq)) {
                added.add(mq);
            }
        }
        if (!orderly || config.model() == MessageModel.BROADCASTING) {
            return addAll(added);
        }
        return lockAll(mine).thenCompose(held -> {
            List<MessageQueue> lockedNew = new ArrayList<>();
            for (MessageQueue mq : added) {
                if (held.contains(mq)) {
                    lockedNew.add(mq);
                }
            }
            return addAll(lockedNew);
        });
    }

    /**
     * Lite pull's assign mode: pulls exactly {@code mqs} (drops the others, adds the new ones at their stored offset
     * or where {@link ConsumeFrom} says). Completes when the new queues have started. Fetches the routes of their
     * topics first (the calls need the broker groups' addresses).
     */
    CompletableFuture<Void> assign(Collection<MessageQueue> mqs) {
        Set<String> topicsUsed = new TreeSet<>();
        for (MessageQueue mq : mqs) {
            topicsUsed.add(mq.topic());
        }
        List<CompletableFuture<?>> routes = new ArrayList<>();
        for (String t : topicsUsed) {
            routes.add(rpc.instance().route(t));
        }
        return CompletableFuture.allOf(routes.toArray(new CompletableFuture<?>[0])).thenCompose(v -> assignRouted(mqs));
    }

    private CompletableFuture<Void> assignRouted(Collection<MessageQueue> mqs) {
        Set<MessageQueue> wanted = new HashSet<>(mqs);
        for (MessageQueue mq : new ArrayList<>(table.keySet())) {
            if (!wanted.contains(mq)) {
                remove(mq);
            }
        }
        List<MessageQueue> added = new ArrayList<>();
        for (MessageQueue mq : new TreeSet<>(mqs)) {
            if (!table.containsKey(mq)) {
                added.add(mq);
            }
        }
        return addAll(added);
    }

    /**
     * Moves the pulls of assigned queue {@code mq} to {@code offset}: its cached messages are dropped, the consumer's
     * offset is set there, and pulling starts again from it. Returns false if {@code mq} is not assigned.
     */
    boolean seek(MessageQueue mq, long offset) {
        ProcessQueue old = table.get(mq);
        if (old == null) {
            return false;
        }
        ProcessQueue pq = new ProcessQueue(mq, offset);
        pq.locked(orderly, System.nanoTime());
        if (!table.replace(mq, old, pq)) {
            return false;
        }
        old.drop();
        offsets.update(mq, offset, false);
        pulls.start(pq);
        return true;
    }

    /** The process queue of {@code mq}, or null. */
    ProcessQueue processQueue(MessageQueue mq) {
        return table.get(mq);
    }

    /** Locks (or renews) {@code mqs} on their groups' leaders; marks the process queues; completes with those held. */
    CompletableFuture<Set<MessageQueue>> lockAll(Collection<MessageQueue> mqs) {
        Map<String, Set<MessageQueue>> byBroker = new TreeMap<>();
        for (MessageQueue mq : mqs) {
            byBroker.computeIfAbsent(mq.brokerName(), k -> new TreeSet<>()).add(mq);
        }
        Set<MessageQueue> held = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (Map.Entry<String, Set<MessageQueue>> e : byBroker.entrySet()) {
            calls.add(rpc.lock(e.getKey(), e.getValue()).handle((ok, err) -> {
                long now = System.nanoTime();
                for (MessageQueue mq : e.getValue()) {
                    boolean mine = err == null && ok.contains(mq);
                    ProcessQueue pq = table.get(mq);
                    if (pq != null && (mine || err == null)) {
                        pq.locked(mine, now); // a failed call leaves the lock to expire on its own
                    }
                    if (mine) {
                        held.add(mq);
                    }
                }
                return null;
            }));
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0])).thenApply(v -> held);
    }

    private CompletableFuture<Void> addAll(List<MessageQueue> added) {
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (MessageQueue mq : added) {
            starts.add(startOffset(mq).thenAccept(start -> {
                ProcessQueue pq = new ProcessQueue(mq, start);
                pq.locked(orderly, System.nanoTime());
                if (!stopped && table.putIfAbsent(mq, pq) == null) {
                    offsets.update(mq, start, false);
                    LOG.info("group {} client {} takes {} from offset {}", config.group(), rpc.clientId(), mq, start);
                    pulls.start(pq);
                }
            }).exceptionally(e -> {
                LOG.info("group {}: no start offset for {} yet ({}); next rebalance", config.group(), mq,
                        e.toString());
                return null;
            }));
        }
        return CompletableFuture.allOf(starts.toArray(new CompletableFuture<?>[0]));
    }

    /** The stored offset of {@code mq}, else where {@link ConsumeFrom} says (retry queues: from their start). */
    private CompletableFuture<Long> startOffset(MessageQueue mq) {
        return offsets.read(mq).thenCompose(stored -> {
            if (stored >= 0) {
                return CompletableFuture.completedFuture(stored);
            }
            boolean retry = mq.topic().startsWith(RETRY_PREFIX);
            return switch (config.consumeFrom()) {
                case FIRST -> rpc.minOffset(mq);
                case LAST -> retry ? CompletableFuture.completedFuture(0L) : rpc.maxOffset(mq);
                case TIMESTAMP -> retry ? rpc.maxOffset(mq) : rpc.searchOffset(mq, config.consumeTimestampMs());
            };
        });
    }

    /** Drops {@code mq}: pulls and listeners stop, its offset is committed and forgotten, an orderly lock released. */
    void remove(MessageQueue mq) {
        ProcessQueue pq = table.remove(mq);
        if (pq == null) {
            return;
        }
        pq.drop();
        LOG.info("group {} client {} gives up {}", config.group(), rpc.clientId(), mq);
        offsets.commit(List.of(mq)).whenComplete((v, e) -> offsets.forget(mq));
        if (orderly && config.model() == MessageModel.CLUSTERING) {
            unlockWhenIdle(pq, 0);
        }
    }

    private void unlockWhenIdle(ProcessQueue pq, int tries) {
        if (pq.consuming.get() && tries < 100 && !stopped) {
            rpc.instance().timers().schedule(() -> unlockWhenIdle(pq, tries + 1), 100,
                    TimeUnit.MILLISECONDS);
            return;
        }
        rpc.unlock(pq.queue.brokerName(), Set.of(pq.queue)).exceptionally(e -> null);
    }

    /** Stops rebalancing and drops every queue (without committing: the caller commits first). */
    List<ProcessQueue> stop() {
        stopped = true;
        List<ProcessQueue> all = new ArrayList<>(table.values());
        for (ProcessQueue pq : all) {
            pq.drop();
        }
        table.clear();
        return all;
    }
}
