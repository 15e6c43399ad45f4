package io.raftmq.broker.store;

import io.netty.buffer.ByteBuf;
import io.raftmq.commitlog.message.MessageFormatException;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;

/**
 * Message lookups of {@link BrokerStore} by id and by key: VIEW_MESSAGE_BY_ID (a client-supplied physical offset,
 * so every field that frames the message is checked before it is served) and QUERY_MESSAGE (key index candidates,
 * re-checked against the stored message's topic and KEYS / UNIQ_KEY, docs/protocol.md §2.10). Only committed
 * messages are served: a position at or beyond the committed position is refused.
 *
 * <p>Threading: any thread, concurrently (each lookup borrows its own {@link ReadContext}).
 */
final class MessageLookup {
    private final LogReader reader;

    MessageLookup(LogReader reader) {
        this.reader = reader;
    }

    /** See {@link BrokerStore#viewMessage}. */
    ByteBuf viewMessage(long phys) {
        long committed = reader.committedPosition();
        if (phys < 0 || phys >= committed) {
            return null;
        }
        ReadContext rc = reader.borrow();
        ByteBuf out = reader.allocator.directBuffer();
        try {
            if (appendMessageAt(rc, out, phys, committed)) {
                ByteBuf found = out;
                out = null;
                return found;
            }
            return null;
        } finally {
            if (out != null) {
                out.release();
            }
            reader.giveBack(rc);
        }
    }

    /**
     * Appends to {@code out} the committed message that starts exactly at {@code phys} (a client-supplied offset:
     * anything is checked) and frames it into rc.message; false, with out unchanged, if no valid message starts
     * there, it is not below {@code committed}, or retention deleted it.
     */
    private boolean appendMessageAt(ReadContext rc, ByteBuf out, long phys, long committed) {
        if (phys < 0 || phys > committed - StoredMessage.FIXED_LENGTH_V1_IPV4
                || !reader.inOneSegment(phys, LogReader.HEAD_BYTES) || !reader.readRaw(phys, rc.head.clear())) {
            return false;
        }
        int size = rc.head.getInt(StoredMessage.TOTAL_SIZE_OFFSET);
        if (size < StoredMessage.FIXED_LENGTH_V1_IPV4 || size > reader.store.commitLog().config().recordBytesMax()
                || phys + size > committed || !reader.inOneSegment(phys, size)) {
            return false;
        }
        int at = out.writerIndex();
        out.ensureWritable(size);
        if (!reader.readRaw(phys, out.internalNioBuffer(at, size))) {
            return false;
        }
        try {
            rc.message.wrap(out.nioBuffer(at, size), 0, size);
        } catch (MessageFormatException e) {
            return false;
        }
        if (rc.message.totalSize() != size || rc.message.physicalOffset() != phys) {
            return false;
        }
        out.writerIndex(at + size);
        return true;
    }

    /** See {@link BrokerStore#queryMessages}. */
    QueryResult queryMessages(String topic, String key, int maxNum, long beginMs, long endMs, boolean uniqKey) {
        StoreReadConfig config = reader.config;
        int limit = Math.max(1, Math.min(maxNum, uniqKey ? config.uniqKeyQueryMessagesMax()
                : config.queryMessagesMax()));
        long committed = reader.committedPosition();
        long[] candidates = reader.store.indexFiles().query(topic, key, limit, beginMs, endMs);
        ReadContext rc = reader.borrow();
        ByteBuf body = reader.allocator.directBuffer();
        int count = 0;
        long newest = 0;
        try {
            for (long phys : candidates) {
                int at = body.writerIndex();
                if (!appendMessageAt(rc, body, phys, committed)) {
                    continue;
                }
                if (!matchesKey(rc.message, topic, key, uniqKey)) {
                    body.writerIndex(at); // drop it again
                    continue;
                }
                newest = Math.max(newest, rc.message.storeTimestamp());
                count++;
            }
            if (count == 0) {
                body.release();
                body = null;
            }
            return new QueryResult(body, count, newest, committed);
        } catch (RuntimeException e) {
            if (body != null) {
                body.release();
            }
            throw e;
        } finally {
            reader.giveBack(rc);
        }
    }

    private static boolean matchesKey(StoredMessage m, String topic, String key, boolean uniqKey) {
        if (!topic.equals(m.topic())) {
            return false;
        }
        String properties = m.properties();
        if (uniqKey) {
            return key.equals(MessageProperties.get(properties, MessageProperties.UNIQ_KEY));
        }
        String keys = MessageProperties.get(properties, MessageProperties.KEYS);
        if (keys == null) {
            return false;
        }
        for (String k : keys.split(String.valueOf(MessageProperties.KEY_SEPARATOR))) {
            if (k.equals(key)) {
                return true;
            }
        }
        return false;
    }
}
