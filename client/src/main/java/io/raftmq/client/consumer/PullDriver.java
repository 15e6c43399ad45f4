package io.raftmq.client.consumer;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;
import io.raftmq.client.protocol.header.PullMessageResponseHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The pulls of a push consumer: one PULL_MESSAGE in flight per assigned queue, long-polled (the broker holds a pull
 * that finds nothing for up to {@code suspendTimeoutMs}, docs/protocol.md §5.6), all on the client instance's event
 * loop. An answer puts its messages (those the tag filter passes) into the queue's {@link ProcessQueue}, hands them
 * to the {@link ConsumeService} and pulls again at once; a queue over its flow-control limits waits
 * {@link #FLOW_CONTROL_WAIT_MS}, a failed pull {@code pullRetryMs}. Answers (docs/protocol.md §2.4): 0, 19, 20 go on at
 * {@code nextBeginOffset}; 21 (offset moved: the queue was truncated) moves the consumer's offset there too; other
 * codes and transport failures retry. Pulls go to the group's leader or, when it failed lately, to another member:
 * every member serves pulls from committed data. Each pull carries the subscription (sysFlag SUBSCRIPTION) and, in
 * CLUSTERING, the queue's consumed offset (COMMIT_OFFSET), which the leader stores.
 */
final class PullDriver {
    private static final Logger LOG = LoggerFactory.getLogger(PullDriver.class);
    static final long FLOW_CONTROL_WAIT_MS = 50;

    private final ConsumerConfig config;
    private final ConsumerRpc rpc;
    private final OffsetStore offsets;
    private final ConsumeService consume;
    private final long subVersion;
    private final Function<String, TagFilter> filters;
    private final boolean piggybackCommit;
    private final AtomicLong flowControlled = new AtomicLong();
    private final AtomicLong pullErrors = new AtomicLong();
    private final AtomicLong undecodable = new AtomicLong();
    private volatile boolean running = true;

    /**
     * {@code filters}: a topic's tag filter (consulted at every pull, so subscriptions may change);
     * {@code piggybackCommit}: whether CLUSTERING pulls carry the consumed offset for the broker to store (push: yes;
     * lite pull: no, its offsets are committed only when the application says so).
     */
    PullDriver(ConsumerConfig config, ConsumerRpc rpc, OffsetStore offsets, ConsumeService consume, long subVersion,
               Function<String, TagFilter> filters, boolean piggybackCommit) {
        this.config = config;
        this.piggybackCommit = piggybackCommit;
        this.filters = filters;
        this.rpc = rpc;
        this.offsets = offsets;
        this.consume = consume;
        this.subVersion = subVersion;
    }

    /** Starts pulling {@code pq} (from its {@code nextOffset}); pulls end when it is dropped or on {@link #stop}. */
    void start(ProcessQueue pq) {
        rpc.instance().timers().execute(() -> pull(pq));
    }

    void stop() {
        running = false;
    }

    long flowControlled() {
        return flowControlled.get();
    }

    long pullErrors() {
        return pullErrors.get();
    }

    private void later(ProcessQueue pq, long delayMs) {
        if (running && !pq.dropped() && rpc.instance().isRunning()) {
            rpc.instance().timers().schedule(() -> pull(pq), delayMs, TimeUnit.MILLISECONDS);
        }
    }

    private void pull(ProcessQueue pq) {
        if (!running || pq.dropped()) {
            return;
        }
        if (pq.overLimit(config.cachedMessagesMax(), config.cachedBytesMax())) {
            flowControlled.incrementAndGet();
            later(pq, FLOW_CONTROL_WAIT_MS);
            return;
        }
        if (consume.pullBlocked(pq)) {
            later(pq, OrderlyConsumeService.LOCK_WAIT_MS);
            return;
        }
        MessageQueue mq = pq.queue;
        long consumed = piggybackCommit && config.model() == MessageModel.CLUSTERING ? offsets.offset(mq) : -1;
        int sysFlag = PullMessageRequestHeader.FLAG_SUSPEND | PullMessageRequestHeader.FLAG_SUBSCRIPTION
                | (consumed > 0 ? PullMessageRequestHeader.FLAG_COMMIT_OFFSET : 0);
        TagFilter filter = filters.apply(mq.topic());
        long offset = pq.nextOffset;
        PullMessageRequestHeader h = new PullMessageRequestHeader(config.group(), mq.topic(), mq.queueId(), offset,
                config.pullBatchMax(), sysFlag, consumed, config.suspendTimeoutMs(), filter.expression(),
                subVersion, "TAG", config.pullBytesMax(), mq.brokerName());
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.PULL_MESSAGE, h);
        rpc.call(mq.brokerName(), req, config.suspendTimeoutMs() + ConsumerRpc.CALL_TIMEOUT_MS)
                .whenComplete((r, e) -> {
                    if (e != null) {
                        pullErrors.incrementAndGet();
                        LOG.debug("pull of {} at {} failed: {}", mq, offset, e.toString());
                        later(pq, config.pullRetryMs());
                        return;
                    }
                    try {
                        onAnswer(pq, offset, filter, r);
                    } finally {
                        r.release();
                    }
                });
    }

    private void onAnswer(ProcessQueue pq, long offset, TagFilter filter, RemotingCommand r) {
        if (pq.dropped()) {
            return;
        }
        PullMessageResponseHeader h;
        try {
            h = r.code() == ResponseCode.SUCCESS || r.code() == ResponseCode.PULL_NOT_FOUND
                    || r.code() == ResponseCode.PULL_RETRY_IMMEDIATELY || r.code() == ResponseCode.PULL_OFFSET_MOVED
                    ? PullMessageResponseHeader.decode(r.extFields()) : null;
        } catch (RemotingCommandException bad) {
            h = null;
        }
        if (h == null) {
            pullErrors.incrementAndGet();
            LOG.debug("pull of {} at {} answered {} ({})", pq.queue, offset, r.code(), r.remark());
            later(pq, config.pullRetryMs());
            return;
        }
        long next = h.nextBeginOffset();
        switch (r.code()) {
            case ResponseCode.SUCCESS -> {
                found(pq, filter, r, next);
                return;
            }
            case ResponseCode.PULL_OFFSET_MOVED -> {
                LOG.info("offset {} of {} moved to {} (queue truncated or offset ahead)", offset, pq.queue, next);
                offsets.update(pq.queue, next, false);
                pq.put(List.of(), next);
            }
            default -> {
                pq.put(List.of(), next); // 19 nothing new (after the hold), 20 all filtered out
                offsets.update(pq.queue, pq.commitPoint(), true);
            }
        }
        pq.nextOffset = next;
        pull(pq);
    }

    private void found(ProcessQueue pq, TagFilter filter, RemotingCommand r, long next) {
        List<ReceivedMessage> all;
        long upTo = next;
        try {
            all = r.body() == null ? List.of() : PulledMessageDecoder.decode(r.body(), pq.queue);
        } catch (PulledMessageDecoder.MessageFormatException bad) {
            undecodable.incrementAndGet();
            all = bad.decoded();
            upTo = all.isEmpty() ? pq.nextOffset : all.get(all.size() - 1).queueOffset() + 1;
            LOG.warn("pull answer for {} holds a message that does not decode ({}); {} before it kept", pq.queue,
                    bad.getMessage(), all.size());
        }
        List<ReceivedMessage> passed = new ArrayList<>(all.size());
        for (ReceivedMessage m : all) {
            if (filter.all() || filter.matches(m.tags())) { // "*" needs no tag: no scan of the properties
                passed.add(m);
            }
        }
        pq.put(passed, upTo);
        pq.nextOffset = upTo;
        if (!passed.isEmpty()) {
            consume.submit(pq, passed);
        } else {
            offsets.update(pq.queue, pq.commitPoint(), true);
        }
        if (upTo == next) {
            pull(pq);
        } else {
            later(pq, config.pullRetryMs());
        }
    }
}
