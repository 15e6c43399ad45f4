package io.raftmq.client.consumer;

import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.protocol.CommandHeader;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.ConsumerIdList;
import io.raftmq.client.protocol.body.HeartbeatData;
import io.raftmq.client.protocol.body.LockBatchRequestBody;
import io.raftmq.client.protocol.body.LockBatchResponseBody;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.header.BoundaryType;
import io.raftmq.client.protocol.header.ConsumerGroupHeader;
import io.raftmq.client.protocol.header.ConsumerSendMsgBackRequestHeader;
import io.raftmq.client.protocol.header.GetMaxOffsetRequestHeader;
import io.raftmq.client.protocol.header.OffsetResponseHeader;
import io.raftmq.client.protocol.header.QueryConsumerOffsetRequestHeader;
import io.raftmq.client.protocol.header.QueueRequestHeader;
import io.raftmq.client.protocol.header.SearchOffsetRequestHeader;
import io.raftmq.client.protocol.header.UpdateConsumerOffsetRequestHeader;
import io.raftmq.client.remoting.RemotingException;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The broker calls of the consumers, one attempt each, asynchronous (answers complete on an event loop). A call to a
 * broker group goes where {@code RouteCache.leaderFor} says: the leader, or when it failed lately another member.
 * Pulls are served by every member from committed data; offset commits, locks and send-backs need the leader (a
 * follower answers 14). A transport failure or a 14 marks the address faulty and asks the group's members who leads
 * (docs/sdk.md "Failover"), so the caller's next attempt goes to the new leader. Callers retry on their own schedule.
 * Thread-safe.
 */
final class ConsumerRpc {
    /** Timeout of every call but pulls (whose timeout is the suspend time plus this). */
    static final long CALL_TIMEOUT_MS = 3_000;

    private final ClientInstance instance;
    private final String group;
    private final String clientId;

    /** A broker refused a call (its code and remark). */
    static final class BrokerException extends RuntimeException {
        final int code;

        BrokerException(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    ConsumerRpc(ClientInstance instance, String group, String clientId) {
        this.instance = instance;
        this.group = group;
        this.clientId = clientId;
    }

    ClientInstance instance() {
        return instance;
    }

    String clientId() {
        return clientId;
    }

    /** Where a call to broker group {@code brokerName} goes now; null if the group is unknown. */
    String target(String brokerName) {
        return instance.routes().leaderFor(brokerName, instance.faults());
    }

    /**
     * Sends {@code request} to {@code brokerName}'s target. The answer (any code) belongs to the caller; a transport
     * failure fails the future with a {@link RemotingException} (or {@link BrokerException} when the group is
     * unknown).
     */
    CompletableFuture<RemotingCommand> call(String brokerName, RemotingCommand request, long timeoutMs) {
        String addr = target(brokerName);
        if (addr == null) {
            request.release();
            return CompletableFuture.failedFuture(new BrokerException(ResponseCode.BROKER_NOT_EXIST,
                    "no address known for broker group " + brokerName));
        }
        return instance.remoting().invokeAsync(addr, request, timeoutMs).whenComplete((r, e) -> {
            if (e != null || r.code() == ResponseCode.SERVICE_NOT_AVAILABLE) {
                failed(brokerName, addr);
            } else {
                instance.faults().markOk(addr);
            }
        });
    }

    /** Avoids {@code addr} for a while and asks {@code brokerName}'s members who leads. */
    void failed(String brokerName, String addr) {
        instance.faults().markFailed(addr);
        instance.locateLeader(brokerName);
    }

    /** A call whose success is answer 0 and whose result {@code read} takes from it; else a BrokerException. */
    private <T> CompletableFuture<T> simple(String brokerName, int code, CommandHeader header, byte[] body,
                                            Reader<T> read) {
        RemotingCommand req = header == null ? RemotingCommand.createRequest(code)
                : RemotingCommand.createRequest(code, header);
        if (body != null) {
            req.setBody(body);
        }
        return call(brokerName, req, CALL_TIMEOUT_MS).thenApply(r -> {
            try {
                return read.read(r);
            } catch (RemotingCommandException bad) {
                throw new CompletionException(new BrokerException(ResponseCode.SYSTEM_ERROR, "unreadable answer to "
                        + code + " from " + brokerName + ": " + bad.getMessage()));
            } finally {
                r.release();
            }
        });
    }

    @FunctionalInterface
    private interface Reader<T> {
        T read(RemotingCommand answer) throws RemotingCommandException;
    }

    private static BrokerException refused(int code, RemotingCommand r) {
        return new BrokerException(r.code(), "request " + code + " answered " + r.code() + ": " + r.remark());
    }

    private static long offsetOf(int code, RemotingCommand r) throws RemotingCommandException {
        if (r.code() != ResponseCode.SUCCESS) {
            throw new CompletionException(refused(code, r));
        }
        return OffsetResponseHeader.decode(r.extFields()).offset();
    }

    /** The group's stored offset of {@code mq}, or -1 when none is stored (22). */
    CompletableFuture<Long> queryOffset(MessageQueue mq) {
        return simple(mq.brokerName(), RequestCode.QUERY_CONSUMER_OFFSET,
                new QueryConsumerOffsetRequestHeader(group, mq.topic(), mq.queueId(), Boolean.TRUE, mq.brokerName()),
                null, r -> r.code() == ResponseCode.QUERY_NOT_FOUND ? -1L
                        : offsetOf(RequestCode.QUERY_CONSUMER_OFFSET, r));
    }

    /** Stores the group's offset of {@code mq} (two-way, so a follower's 14 or a failed proposal is seen). */
    CompletableFuture<Void> commitOffset(MessageQueue mq, long offset) {
        return simple(mq.brokerName(), RequestCode.UPDATE_CONSUMER_OFFSET,
                new UpdateConsumerOffsetRequestHeader(group, mq.topic(), mq.queueId(), offset, mq.brokerName()),
                null, r -> {
                    if (r.code() != ResponseCode.SUCCESS) {
                        throw new CompletionException(refused(RequestCode.UPDATE_CONSUMER_OFFSET, r));
                    }
                    return null;
                });
    }

    /** The next offset to be written to {@code mq}. */
    CompletableFuture<Long> maxOffset(MessageQueue mq) {
        return simple(mq.brokerName(), RequestCode.GET_MAX_OFFSET,
                new GetMaxOffsetRequestHeader(mq.topic(), mq.queueId(), true, mq.brokerName()), null,
                r -> offsetOf(RequestCode.GET_MAX_OFFSET, r));
    }

    /** The first offset still stored in {@code mq}. */
    CompletableFuture<Long> minOffset(MessageQueue mq) {
        return simple(mq.brokerName(), RequestCode.GET_MIN_OFFSET,
                new QueueRequestHeader(mq.topic(), mq.queueId(), mq.brokerName()), null,
                r -> offsetOf(RequestCode.GET_MIN_OFFSET, r));
    }

    /** The first offset of {@code mq} stored at or after {@code timestampMs} (the max offset if none). */
    CompletableFuture<Long> searchOffset(MessageQueue mq, long timestampMs) {
        return simple(mq.brokerName(), RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
                new SearchOffsetRequestHeader(mq.topic(), mq.queueId(), timestampMs, BoundaryType.LOWER,
                        mq.brokerName()), null, r -> offsetOf(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, r));
    }

    /** The live consumers of the group as {@code brokerName} knows them, sorted. */
    CompletableFuture<List<String>> consumerIds(String brokerName) {
        return simple(brokerName, RequestCode.GET_CONSUMER_LIST_BY_GROUP, new ConsumerGroupHeader(group), null, r -> {
            if (r.code() != ResponseCode.SUCCESS || r.bodyLength() == 0) {
                throw new CompletionException(refused(RequestCode.GET_CONSUMER_LIST_BY_GROUP, r));
            }
            return ConsumerIdList.decode(r.bodyBytes()).consumerIdList().stream().sorted().toList();
        });
    }

    /** Sends {@code heartbeat} to the member at {@code addr} (registers this client's subscriptions there). */
    CompletableFuture<Void> heartbeat(String addr, HeartbeatData heartbeat) {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.HEART_BEAT).setBody(heartbeat.encode());
        return instance.remoting().invokeAsync(addr, req, CALL_TIMEOUT_MS).thenApply(r -> {
            int code = r.code();
            r.release();
            if (code != ResponseCode.SUCCESS) {
                throw new CompletionException(new BrokerException(code, "heartbeat to " + addr + " answered " + code));
            }
            return null;
        });
    }

    /** LOCK_BATCH_MQ: the queues of {@code mqs} this client holds now. */
    CompletableFuture<Set<MessageQueue>> lock(String brokerName, Set<MessageQueue> mqs) {
        byte[] body = new LockBatchRequestBody(clientId, group, List.copyOf(mqs), false).encode();
        return simple(brokerName, RequestCode.LOCK_BATCH_MQ, null, body, r -> {
            if (r.code() != ResponseCode.SUCCESS) {
                throw new CompletionException(refused(RequestCode.LOCK_BATCH_MQ, r));
            }
            return new TreeSet<>(LockBatchResponseBody.decode(r.bodyBytes()).lockOKMQSet());
        });
    }

    /** UNLOCK_BATCH_MQ. */
    CompletableFuture<Void> unlock(String brokerName, Set<MessageQueue> mqs) {
        byte[] body = new LockBatchRequestBody(clientId, group, List.copyOf(mqs), false).encode();
        return simple(brokerName, RequestCode.UNLOCK_BATCH_MQ, null, body, r -> null);
    }

    /**
     * CONSUMER_SEND_MSG_BACK: the broker writes a copy of {@code m} to the group's retry topic with
     * {@code delayLevel}, or to the DLQ ({@code delayLevel} -1, or reconsume times reached {@code reconsumeTimesMax}).
     */
    CompletableFuture<Void> sendBack(ReceivedMessage m, int delayLevel, int reconsumeTimesMax) {
        ConsumerSendMsgBackRequestHeader h = new ConsumerSendMsgBackRequestHeader(m.commitLogOffset(), group,
                delayLevel, m.msgId(), m.topic(), false, reconsumeTimesMax, m.queue().brokerName());
        return simple(m.queue().brokerName(), RequestCode.CONSUMER_SEND_MSG_BACK, h, null, r -> {
            if (r.code() != ResponseCode.SUCCESS) {
                throw new CompletionException(refused(RequestCode.CONSUMER_SEND_MSG_BACK, r));
            }
            return null;
        });
    }
}
