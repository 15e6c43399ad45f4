package io.raftmq.broker.sim;

import io.raftmq.broker.metadata.Names;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.MessageCodec;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.SerializeType;
import io.raftmq.client.protocol.body.SubscriptionData;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;
import io.raftmq.client.protocol.header.EndTransactionRequestHeader;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.commitlog.message.SysFlag;

import java.util.ArrayList;
import java.util.List;

/**
 * The requests the simulated clients send, built as the client module's producer and consumer build them
 * (docs/protocol.md §2.3 and §2.4): message properties and batch bodies by the producer's own {@code MessageCodec}
 * (KEYS, WAIT, and a UNIQ_KEY the client sets, derived from the send id so that a seed replays byte for byte), and
 * a pull carrying its subscription ("*", TAG) in the request.
 */
final class SimRequests {
    static final String PRODUCER_GROUP = "sim-producers";
    /** The consumer group of the pulls (auto-created by the subscription group manager). */
    static final String CONSUMER_GROUP = "sim-pullers";

    private SimRequests() {
    }

    /** The UNIQ_KEY the producer gives send {@code sendId}: 32 hex digits, as the client's ids. */
    static String uniqKey(long sendId) {
        return String.format("%032X", sendId);
    }

    /**
     * A send of {@code sizes.length} messages (send ids from {@code firstId}) to {@code topic}/{@code queueId}: one
     * message as SEND_MESSAGE_V2 when its id is even, SEND_MESSAGE when odd; more as SEND_BATCH_MESSAGE. The v2
     * codes with the binary ROCKETMQ header, as the client module's producer sends them; SEND_MESSAGE with a JSON
     * header (the pulls too, as its consumer), so both header codecs carry requests and their answers.
     */
    static RemotingCommand send(String topic, int queueId, long firstId, int[] sizes, long bornMs) {
        return send(topic, queueId, firstId, sizes, bornMs, null);
    }

    /** As above; a single message also carries {@code property} (name, value) unless it is null. */
    static RemotingCommand send(String topic, int queueId, long firstId, int[] sizes, long bornMs,
                                String[] property) {
        int count = sizes.length;
        List<Message> messages = new ArrayList<>(count);
        List<String> properties = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Message msg = new Message(topic, SimWorkload.body(firstId + i, sizes[i])).keys("k" + (firstId + i));
            if (property != null && count == 1) {
                msg.property(property[0], property[1]);
            }
            messages.add(msg);
            properties.add(MessageCodec.properties(msg, uniqKey(firstId + i)));
        }
        boolean batch = count > 1;
        int code = batch ? RequestCode.SEND_BATCH_MESSAGE
            : (firstId & 1) == 0 ? RequestCode.SEND_MESSAGE_V2 : RequestCode.SEND_MESSAGE;
        SendMessageRequestHeader h = new SendMessageRequestHeader(PRODUCER_GROUP, topic, Names.DEFAULT_TOPIC,
            SimTopics.QUEUES_MAX, queueId, 0, bornMs, 0, batch ? MessageCodec.batchProperties() : properties.get(0),
            0, false, batch, null, null);
        boolean v2 = SendMessageRequestHeader.isV2(code);
        RemotingCommand r = RemotingCommand.createRequest(code, v2 ? h.asV2() : h)
            .serializeType(v2 ? SerializeType.ROCKETMQ : SerializeType.JSON);
        return r.setBody(batch ? MessageCodec.batchBody(messages, properties, Integer.MAX_VALUE)
            : SimWorkload.body(firstId, sizes[0]));
    }

    /**
     * A transaction's half message, send {@code sendId} to {@code topic}/{@code queueId} (SEND_MESSAGE_V2 or
     * SEND_MESSAGE by the id's parity): transaction bits "prepared" in the header's sysFlag, TRAN_MSG and PGROUP
     * in its properties, as the client's transactional producer sends it.
     */
    static RemotingCommand half(String topic, int queueId, long sendId, int size, long bornMs) {
        Message msg = new Message(topic, SimWorkload.body(sendId, size)).keys("k" + sendId)
            .property("TRAN_MSG", "true").property("PGROUP", PRODUCER_GROUP);
        int code = (sendId & 1) == 0 ? RequestCode.SEND_MESSAGE_V2 : RequestCode.SEND_MESSAGE;
        SendMessageRequestHeader h = new SendMessageRequestHeader(PRODUCER_GROUP, topic, Names.DEFAULT_TOPIC,
            SimTopics.QUEUES_MAX, queueId, SysFlag.TRANSACTION_PREPARED, bornMs, 0,
            MessageCodec.properties(msg, uniqKey(sendId)), 0, false, false, null, null);
        boolean v2 = SendMessageRequestHeader.isV2(code);
        return RemotingCommand.createRequest(code, v2 ? h.asV2() : h)
            .serializeType(v2 ? SerializeType.ROCKETMQ : SerializeType.JSON).setBody(msg.body());
    }

    /**
     * END_TRANSACTION (oneway) for the half at {@code physical} (queue offset {@code queueOffset} in the half topic)
     * of send {@code sendId}: 8 commit or 12 rollback, from a check-back's answer when {@code fromCheck}.
     */
    static RemotingCommand endTransaction(long sendId, String topic, long physical, long queueOffset, int decision,
                                          boolean fromCheck, String msgId) {
        EndTransactionRequestHeader h = new EndTransactionRequestHeader(PRODUCER_GROUP, queueOffset, physical,
            decision, fromCheck, msgId, uniqKey(sendId), topic, "sim-broker");
        return RemotingCommand.createRequest(RequestCode.END_TRANSACTION, h).markOneway();
    }

    /**
     * A PULL_MESSAGE of up to {@code maxMessages} from {@code topic}/{@code queueId} at {@code offset}, with its
     * subscription; held by the broker up to {@code suspendMs} when positive (long polling).
     */
    static RemotingCommand pull(String topic, int queueId, long offset, int maxMessages, long suspendMs) {
        int flags = PullMessageRequestHeader.FLAG_SUBSCRIPTION | (suspendMs > 0 ? PullMessageRequestHeader.FLAG_SUSPEND
            : 0);
        PullMessageRequestHeader h = new PullMessageRequestHeader(CONSUMER_GROUP, topic, queueId, offset,
            maxMessages, flags, 0, suspendMs, "*", 0, SubscriptionData.TYPE_TAG, 1 << 20, null);
        return RemotingCommand.createRequest(RequestCode.PULL_MESSAGE, h);
    }
}
