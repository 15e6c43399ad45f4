package io.raftmq.broker.transaction;

import io.raftmq.broker.processor.send.Placement;
import io.raftmq.broker.processor.send.SendRoute;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.SysFlag;

/**
 * The first send route (docs/messaging.md "Transactions"): a single message whose SYSFLAG says "prepared" (transaction
 * bits 0x4, docs/protocol.md §3.2) is a transaction's half message. It is stored in {@link TransactionNames#HALF_TOPIC}
 * queue 0 with the producer's topic and queue kept in REAL_TOPIC / REAL_QID and its transaction bits cleared, as
 * RocketMQ's broker stores it (docs/protocol.md §5.8): it is then an ordinary message of the half topic, queued
 * there, and no consumer of the real topic ever sees it. Every other message passes unchanged.
 *
 * <p>Threads: any; stateless.
 */
public final class TransactionRoute implements SendRoute {
    @Override
    public Placement route(SendMessageRequestHeader h, Placement current) {
        if (SysFlag.transactionType(current.sysFlag()) != SysFlag.TRANSACTION_PREPARED) {
            return current;
        }
        String props = withProperty(current.properties(), TransactionNames.REAL_TOPIC, current.topic());
        props = withProperty(props, TransactionNames.REAL_QID, Integer.toString(current.queueId()));
        return current.movedTo(TransactionNames.HALF_TOPIC, 0, props)
            .withSysFlag(current.sysFlag() & ~SysFlag.TRANSACTION_MASK);
    }

    /** {@code props} with {@code name} set to {@code value} (appended: the decoder keeps a name's last value). */
    static String withProperty(String props, String name, String value) {
        StringBuilder b = new StringBuilder(props.length() + name.length() + value.length() + 3).append(props);
        if (!props.isEmpty() && props.charAt(props.length() - 1) != MessageProperties.PROPERTY_SEPARATOR) {
            b.append(MessageProperties.PROPERTY_SEPARATOR);
        }
        return b.append(name).append(MessageProperties.NAME_VALUE_SEPARATOR).append(value)
            .append(MessageProperties.PROPERTY_SEPARATOR).toString();
    }
}
