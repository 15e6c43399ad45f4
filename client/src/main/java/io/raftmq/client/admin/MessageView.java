package io.raftmq.client.admin;

import io.netty.buffer.ByteBuf;
import io.raftmq.client.consumer.PulledMessageDecoder;
import io.raftmq.client.consumer.ReceivedMessage;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.body.MessageQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One stored message as the admin API looks it up (VIEW_MESSAGE_BY_ID 33, QUERY_MESSAGE 12, or a pull of one offset:
 * docs/protocol.md §2.10, §2.4): where it is, its stored fields (§3.1), its properties (§3.4) and its body (inflated
 * when it was sent compressed).
 *
 * @param topic           the topic (the original one for a message of a retry topic)
 * @param brokerName      the broker group that stores it
 * @param queueId         its queue
 * @param queueOffset     its offset in the queue
 * @param commitLogOffset its offset in the commit log
 * @param msgId           the producer's id (UNIQ_KEY), or the offset msgId when it has none
 * @param offsetMsgId     the broker's id: store host and commit-log offset in hex (§3.3)
 * @param bornTimestamp   ms, when the producer made it
 * @param storeTimestamp  ms, when the broker stored it
 * @param reconsumeTimes  how often it was delivered again
 * @param flag            the producer's flag
 * @param sysFlag         the stored sysFlag (§3.2)
 * @param properties      every property, sorted by name
 * @param body            the body
 */
public record MessageView(String topic, String brokerName, int queueId, long queueOffset, long commitLogOffset,
                          String msgId, String offsetMsgId, long bornTimestamp, long storeTimestamp,
                          int reconsumeTimes, int flag, int sysFlag, SortedMap<String, String> properties,
                          byte[] body) {
    /** Offset of QUEUEID in a stored message (docs/protocol.md §3.1). */
    private static final int QUEUE_ID_AT = 12;

    public MessageView {
        properties = new TreeMap<>(properties);
    }

    /** The {@code TAGS} property, or null. */
    public String tags() {
        return properties.get("TAGS");
    }

    /** The {@code KEYS} property (space-separated keys), or null. */
    public String keys() {
        return properties.get("KEYS");
    }

    /**
     * Every stored message of {@code body} (messages back to back, from its reader index; the buffer stays the
     * caller's), as stored by broker group {@code brokerName}.
     *
     * @throws RemotingCommandException when a message does not frame
     */
    static List<MessageView> decode(ByteBuf body, String brokerName) throws RemotingCommandException {
        List<MessageView> out = new ArrayList<>();
        int at = body.readerIndex();
        while (at + QUEUE_ID_AT + 4 <= body.writerIndex()) {
            int total = body.getInt(at);
            if (total <= 0 || total > body.writerIndex() - at) {
                throw new RemotingCommandException("message at " + (at - body.readerIndex()) + " has TOTALSIZE "
                        + total + " with " + (body.writerIndex() - at) + " bytes left");
            }
            int queueId = body.getInt(at + QUEUE_ID_AT);
            try {
                for (ReceivedMessage m : PulledMessageDecoder.decode(body.slice(at, total), new MessageQueue("",
                        brokerName, queueId))) {
                    out.add(of(m, brokerName, queueId));
                }
            } catch (PulledMessageDecoder.MessageFormatException e) {
                throw new RemotingCommandException("malformed stored message: " + e.getMessage());
            }
            at += total;
        }
        return out;
    }

    private static MessageView of(ReceivedMessage m, String brokerName, int queueId) {
        Map<String, String> props = m.properties();
        return new MessageView(m.topic(), brokerName, queueId, m.queueOffset(), m.commitLogOffset(), m.msgId(),
                m.offsetMsgId(), m.bornTimestampMs(), m.storeTimestampMs(), m.reconsumeTimes(), m.flag(),
                m.sysFlag(), new TreeMap<>(props), m.body());
    }
}
