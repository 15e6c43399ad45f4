package io.raftmq.broker.lock;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.LockBatchRequestBody;
import io.raftmq.client.protocol.body.LockBatchResponseBody;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;

import java.util.List;
import java.util.function.LongSupplier;

/**
 * LOCK_BATCH_MQ (41) and UNLOCK_BATCH_MQ (42), docs/protocol.md §2.8, with replicated locks (docs/messaging.md
 * "Ordered consumption"): a ready leader proposes a {@code QUEUE_LOCK} entry carrying the call, its wall-clock
 * time, the time it became ready and the expiry; the answer is sent once the entry is committed and applied here,
 * naming the requested queues the client now holds ({@code {"lockOKMQSet":[...]}}); unlock answers 0 after commit.
 *
 * <p>Like RocketMQ's broker: an empty queue set is answered 0 at once (lock: an empty {@code lockOKMQSet}), and the
 * group is not checked (unknown groups lock like any other). A member that may not grant locks (a follower, or a
 * leader that has not applied its term's first entry yet) answers as a RocketMQ slave answers from its own table:
 * 0 with the requested queues the client already holds in the replicated table and that have not expired; it
 * grants and renews nothing, and its unlock answer 0 changes nothing (clients send both calls to the leader, which
 * registers as brokerId 0). A proposal that fails is answered through {@link Replies#failure} (14 not leader, 1).
 *
 * <p>Threads: the control-plane pool; answers from the raft agent thread.
 */
public final class QueueLockProcessor implements RequestProcessor {
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.LOCK_BATCH_MQ, RequestCode.UNLOCK_BATCH_MQ};

    private final QueueLockTable table;
    private final MetadataProposer proposer;
    private final ReadyTime readyTime;
    private final LongSupplier clockMs;
    private final long expiryMs;
    private final long proposeTimeoutMs;

    /**
     * @param expiryMs         queueLockExpiryMs
     * @param proposeTimeoutMs how long to wait for the commit before answering 1
     */
    public QueueLockProcessor(QueueLockTable table, MetadataProposer proposer, ReadyTime readyTime,
                              LongSupplier clockMs, long expiryMs, long proposeTimeoutMs) {
        this.table = table;
        this.proposer = proposer;
        this.readyTime = readyTime;
        this.clockMs = clockMs;
        this.expiryMs = expiryMs;
        this.proposeTimeoutMs = proposeTimeoutMs;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        boolean lock = request.code() == RequestCode.LOCK_BATCH_MQ;
        LockBatchRequestBody body = LockBatchRequestBody.decode(request.bodyBytes());
        if (body.consumerGroup() == null || body.clientId() == null) {
            return answer(ctx, Replies.error(ResponseCode.INVALID_PARAMETER,
                "consumerGroup and clientId are required"));
        }
        if (body.mqSet().size() > QueueLockCodec.QUEUES_MAX) {
            return answer(ctx, Replies.error(ResponseCode.INVALID_PARAMETER, "more than " + QueueLockCodec.QUEUES_MAX
                + " queues in one call"));
        }
        long now = clockMs.getAsLong();
        long readySince = readyTime.observe();
        if (body.mqSet().isEmpty() || readySince < 0) {
            List<MessageQueue> held = table.heldBy(body.consumerGroup(), body.clientId(), body.mqSet(), now,
                expiryMs);
            return answer(ctx, lock ? locked(held) : Replies.ok());
        }
        QueueLockEntry e = new QueueLockEntry(lock, now, readySince, expiryMs, body.consumerGroup(),
            body.clientId(), body.mqSet());
        var f = proposer.propose(EntryType.QUEUE_LOCK, QueueLockCodec.encode(e));
        Replies.later(ctx, f, proposeTimeoutMs, v -> lock
            ? locked(table.heldBy(e.group(), e.clientId(), e.queues(), e.nowMs(), e.expiryMs()))
            : Replies.ok());
        return null;
    }

    private static RemotingCommand locked(List<MessageQueue> held) {
        return Replies.ok().setBody(new LockBatchResponseBody(held).encode());
    }

    /** Unlock may come oneway: then nothing is answered. */
    private static RemotingCommand answer(RequestContext ctx, RemotingCommand r) {
        return ctx.isOneway() ? null : r;
    }
}
