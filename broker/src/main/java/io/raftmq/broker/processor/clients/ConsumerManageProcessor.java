package io.raftmq.broker.processor.clients;

import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.offset.StoreView;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.ConsumerIdList;
import io.raftmq.client.protocol.header.ConsumerGroupHeader;
import io.raftmq.client.protocol.header.OffsetResponseHeader;
import io.raftmq.client.protocol.header.QueryConsumerOffsetRequestHeader;
import io.raftmq.client.protocol.header.UpdateConsumerOffsetRequestHeader;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * GET_CONSUMER_LIST_BY_GROUP (38), QUERY_CONSUMER_OFFSET (14) and UPDATE_CONSUMER_OFFSET (15), docs/protocol.md §2.5,
 * 2.6, 5.5.
 *
 * <p>QUERY answers from applied (committed) offsets. With nothing stored: {@code setZeroIfNotFound=false} gives
 * 22 QUERY_NOT_FOUND; otherwise 0 if the queue was never truncated ({@link StoreView#minOffset} is 0, the "0 if
 * never truncated" rule that lets a new group on a young broker see earlier messages, docs/protocol.md trap 12), else
 * 22.
 *
 * <p>UPDATE goes into the offset manager's batch. Oneway requests (the normal case) are never answered; a refusal
 * (follower, backlog full) or a failed proposal is only counted. Two-way requests are answered once the batch is
 * applied, or with 14 (follower) / 2 (backlog) / 1 (proposal failed).
 */
public final class ConsumerManageProcessor implements RequestProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumerManageProcessor.class);
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.GET_CONSUMER_LIST_BY_GROUP, RequestCode.QUERY_CONSUMER_OFFSET,
        RequestCode.UPDATE_CONSUMER_OFFSET};

    private final ClientManager clients;
    private final ConsumerOffsetManager offsets;
    private final StoreView store;
    private final long proposeTimeoutMs;
    private final AtomicLong onewayCommitsFailed = new AtomicLong();

    public ConsumerManageProcessor(ClientManager clients, ConsumerOffsetManager offsets, StoreView store,
                                   long proposeTimeoutMs) {
        this.clients = clients;
        this.offsets = offsets;
        this.store = store;
        this.proposeTimeoutMs = proposeTimeoutMs;
    }

    /** Oneway offset commits refused or lost (follower, backlog full, failed proposal). */
    public long onewayCommitsFailed() {
        return onewayCommitsFailed.get();
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        return switch (request.code()) {
            case RequestCode.GET_CONSUMER_LIST_BY_GROUP -> consumerList(request);
            case RequestCode.QUERY_CONSUMER_OFFSET -> query(request);
            case RequestCode.UPDATE_CONSUMER_OFFSET -> update(ctx, request);
            default -> throw new IllegalStateException("unexpected code " + request.code());
        };
    }

    private RemotingCommand consumerList(RemotingCommand request) throws RemotingCommandException {
        String group = ConsumerGroupHeader.decode(request.extFields()).consumerGroup();
        List<String> ids = clients.consumerIds(group);
        if (ids.isEmpty()) {
            return Replies.error(ResponseCode.SYSTEM_ERROR, "no consumer for this group, " + group);
        }
        return Replies.ok().setBody(new ConsumerIdList(ids).encode());
    }

    private RemotingCommand query(RemotingCommand request) throws RemotingCommandException {
        QueryConsumerOffsetRequestHeader h = QueryConsumerOffsetRequestHeader.decode(request.extFields());
        long offset = offsets.queryLatest(h.consumerGroup(), h.topic(), h.queueId());
        if (offset >= 0) {
            return RemotingCommand.createResponse(ResponseCode.SUCCESS, null, new OffsetResponseHeader(offset));
        }
        boolean zeroAllowed = h.setZeroIfNotFound() == null || h.setZeroIfNotFound();
        if (zeroAllowed && store.minOffset(h.topic(), h.queueId()) <= 0) {
            return RemotingCommand.createResponse(ResponseCode.SUCCESS, null, new OffsetResponseHeader(0));
        }
        return Replies.error(ResponseCode.QUERY_NOT_FOUND, "Not found, maybe this group consumer boot first");
    }

    private RemotingCommand update(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        UpdateConsumerOffsetRequestHeader h = UpdateConsumerOffsetRequestHeader.decode(request.extFields());
        if (h.queueId() < 0 || h.commitOffset() < 0) {
            if (ctx.isOneway()) {
                onewayCommitsFailed.incrementAndGet();
                return null;
            }
            return Replies.error(ResponseCode.INVALID_PARAMETER, "queueId and commitOffset must be >= 0");
        }
        var f = offsets.commit(h.consumerGroup(), h.topic(), h.queueId(), h.commitOffset());
        if (ctx.isOneway()) {
            f.whenComplete((v, e) -> {
                if (e != null) {
                    onewayCommitsFailed.incrementAndGet();
                    LOG.debug("oneway offset commit of {} not stored: {}", h.consumerGroup(), e.toString());
                }
            });
            return null;
        }
        return Replies.later(ctx, f, proposeTimeoutMs, v -> Replies.ok());
    }
}
