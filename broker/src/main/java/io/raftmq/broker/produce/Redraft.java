package io.raftmq.broker.produce;

import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.StoredMessage;

import java.nio.ByteBuffer;

/**
 * Copies every field of a stored message (docs/protocol.md §3.1) into a {@link MessageDraft}, so the broker can write
 * a new message made from it with a few fields changed (topic, queue, properties, SYSFLAG, RECONSUMETIMES,
 * PREPAREDTRANSACTIONOFFSET). QUEUEOFFSET and PHYSICALOFFSET are not copied: the store stamps the new message's own.
 * The draft's body and properties are copies, so the source buffer may be released once this returns.
 */
public final class Redraft {
    private Redraft() {
    }

    /** A new draft holding a copy of {@code m}'s fields. */
    public static MessageDraft from(StoredMessage m) {
        return new MessageDraft()
            .topic(m.topic())
            .queueId(m.queueId())
            .flag(m.flag())
            .body(ByteBuffer.wrap(m.body()))
            .properties(m.properties())
            .sysFlag(m.sysFlag())
            .bornTimestamp(m.bornTimestamp())
            .bornHost(m.bornHost())
            .storeTimestamp(m.storeTimestamp())
            .storeHost(m.storeHost())
            .reconsumeTimes(m.reconsumeTimes())
            .preparedTransactionOffset(m.preparedTransactionOffset());
    }
}
