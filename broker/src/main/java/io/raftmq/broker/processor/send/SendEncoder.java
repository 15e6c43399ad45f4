package io.raftmq.broker.processor.send;

import io.raftmq.broker.metadata.Names;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.commitlog.message.BatchBodyReader;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageFormatException;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.StoredMessageEncoder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds the stored messages (docs/protocol.md §3.1, via the commitlog's {@link StoredMessageEncoder}) of one send
 * request: one message for SEND_MESSAGE / SEND_MESSAGE_V2, one per inner message for SEND_BATCH_MESSAGE
 * (docs/protocol.md §3.6). Stored properties are the client's plus {@code CLUSTER=<clusterName>}, plus a generated
 * {@code UNIQ_KEY} when the client sent none. A batch stores each inner message's own properties only (not the
 * batch-level ones: docs/protocol.md trap 9). QUEUEOFFSET and PHYSICALOFFSET are left 0 for the store's stamper.
 *
 * <p>One instance per thread (holds a reusable draft, encoder and batch reader). Errors: a malformed request is a
 * {@link SendRejectedException} with 13 MESSAGE_ILLEGAL.
 */
final class SendEncoder {
    static final String CLUSTER = "CLUSTER";
    private static final String DELAY = "DELAY";

    private final MessageDraft draft = new MessageDraft();
    private final StoredMessageEncoder encoder = new StoredMessageEncoder();
    private final BatchBodyReader batch = new BatchBodyReader();

    /** The encoded messages of one send and the UNIQ_KEY to report as transactionId (may be null for a batch). */
    record Encoded(byte[] bytes, int count, String uniqKey) {
    }

    /**
     * Encodes a single-message send stored at placement {@code p} (the producer's, or where the send routes moved
     * it). {@code body} is read from its position to its limit and not retained.
     *
     * @throws SendRejectedException 13 when the properties are too long
     */
    Encoded single(SendMessageRequestHeader h, Placement p, ByteBuffer body, HostAddress bornHost,
                   HostAddress storeHost, String clusterName, UniqKeys keys, long nowMs) throws SendRejectedException {
        String props = p.properties();
        String uniq = MessageProperties.get(props, MessageProperties.UNIQ_KEY);
        props = withBrokerProperties(props, uniq, clusterName, keys);
        if (uniq == null) {
            uniq = MessageProperties.get(props, MessageProperties.UNIQ_KEY);
        }
        fill(h, p.queueId(), bornHost, storeHost, nowMs).topic(p.topic()).sysFlag(p.sysFlag()).flag(h.flag())
            .body(body).properties(utf8(props));
        byte[] out = new byte[StoredMessageEncoder.encodedLength(draft)];
        try {
            encoder.encode(draft, ByteBuffer.wrap(out));
        } catch (MessageFormatException e) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, e.getMessage());
        }
        return new Encoded(out, 1, uniq);
    }

    /**
     * Encodes a SEND_BATCH_MESSAGE body: every inner message becomes its own stored message.
     *
     * @throws SendRejectedException 13 for a malformed batch, a retry topic, a delay level or long properties
     */
    Encoded batch(SendMessageRequestHeader h, int queueId, ByteBuffer body, HostAddress bornHost,
                  HostAddress storeHost, String clusterName, UniqKeys keys, long nowMs) throws SendRejectedException {
        if (h.topic().startsWith(Names.RETRY_GROUP_TOPIC_PREFIX)) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "batch sends to retry topics are refused");
        }
        try {
            int count = 0;
            int total = 0;
            batch.reset(body, body.position(), body.remaining());
            while (batch.next()) {
                String props = innerProperties(clusterName, keys);
                total += StoredMessageEncoder.encodedLength(fillInner(h, queueId, bornHost, storeHost, nowMs, props));
                count++;
            }
            if (count == 0) {
                throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "the batch holds no message");
            }
            ByteBuffer out = ByteBuffer.allocate(total);
            batch.reset(body, body.position(), body.remaining());
            while (batch.next()) {
                // generated UNIQ_KEYs have a fixed length, so the sizes of the first pass hold
                String props = innerProperties(clusterName, keys);
                encoder.encode(fillInner(h, queueId, bornHost, storeHost, nowMs, props), out);
            }
            String batchUniq = h.properties() == null ? null
                : MessageProperties.get(h.properties(), MessageProperties.UNIQ_KEY);
            return new Encoded(out.array(), count, batchUniq);
        } catch (MessageFormatException e) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "malformed batch: " + e.getMessage());
        }
    }

    /** The current inner message's properties with the broker's additions; rejects delay levels. */
    private String innerProperties(String clusterName, UniqKeys keys) throws SendRejectedException {
        String props = batch.properties();
        String delay = MessageProperties.get(props, DELAY);
        if (delay != null && !delay.equals("0")) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "batch messages cannot have a delay level");
        }
        return withBrokerProperties(props, MessageProperties.get(props, MessageProperties.UNIQ_KEY), clusterName,
            keys);
    }

    private MessageDraft fillInner(SendMessageRequestHeader h, int queueId, HostAddress bornHost,
                                   HostAddress storeHost, long nowMs, String props) throws SendRejectedException {
        return fill(h, queueId, bornHost, storeHost, nowMs).flag(batch.flag()).body(batch.bodySlice())
            .properties(utf8(props));
    }

    private MessageDraft fill(SendMessageRequestHeader h, int queueId, HostAddress bornHost, HostAddress storeHost,
                              long nowMs) {
        return draft.topic(h.topic()).queueId(queueId).sysFlag(h.sysFlag()).bornTimestamp(h.bornTimestamp())
            .bornHost(bornHost).storeTimestamp(nowMs).storeHost(storeHost).reconsumeTimes(h.reconsumeTimes())
            .preparedTransactionOffset(0);
    }

    /** {@code props} plus CLUSTER, plus a new UNIQ_KEY when {@code uniq} is null. */
    private static String withBrokerProperties(String props, String uniq, String clusterName, UniqKeys keys) {
        StringBuilder b = new StringBuilder(props.length() + clusterName.length() + 48).append(props);
        if (!props.isEmpty() && props.charAt(props.length() - 1) != MessageProperties.PROPERTY_SEPARATOR) {
            b.append(MessageProperties.PROPERTY_SEPARATOR);
        }
        b.append(CLUSTER).append(MessageProperties.NAME_VALUE_SEPARATOR).append(clusterName)
            .append(MessageProperties.PROPERTY_SEPARATOR);
        if (uniq == null) {
            b.append(MessageProperties.UNIQ_KEY).append(MessageProperties.NAME_VALUE_SEPARATOR).append(keys.next())
                .append(MessageProperties.PROPERTY_SEPARATOR);
        }
        return b.toString();
    }

    private static byte[] utf8(String props) throws SendRejectedException {
        byte[] b = props.getBytes(StandardCharsets.UTF_8);
        if (b.length > StoredMessage.PROPERTIES_LENGTH_MAX) {
            throw new SendRejectedException(ResponseCode.MESSAGE_ILLEGAL, "the message properties are " + b.length
                + " bytes, more than " + StoredMessage.PROPERTIES_LENGTH_MAX);
        }
        return b;
    }
}
