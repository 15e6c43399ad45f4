package io.raftmq.commitlog.dispatch;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.indexfile.IndexFileStore;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;
import io.raftmq.commitlog.message.TagsCode;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.queue.ConsumeQueueStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The dispatch loop of a {@link Dispatcher} batch: visits the records of a {@link RecordSource} range and stages,
 * for each message of a message record, a ConsumeQueue unit at its stamped queue offset (normal and
 * committed-transaction messages only) and index entries for its KEYS and UNIQ_KEY (all but rollback messages);
 * {@link #commit} then writes the staged units, one write per touched queue, and publishes the index entries, before
 * the dispatcher publishes its position (docs/storage.md). Bound to one pair of stores (a rebuild makes a new one).
 * Dispatcher thread only.
 */
final class MessageBatch {
    private final byte messageRecordType;
    private final ConsumeQueueStore queues;
    private final IndexFileStore index;
    private final StoredMessage message = new StoredMessage();
    private final RecordSource.Visitor visitor = this::onRecord;
    /** Queues with units staged by the batch in progress (committed, each with one write, at its end). */
    private final List<ConsumeQueue> staged = new ArrayList<>();
    /** Last record index of the batch, published with its position once its units are written. */
    private long visitedIndex;

    MessageBatch(byte messageRecordType, ConsumeQueueStore queues, IndexFileStore index) {
        this.messageRecordType = messageRecordType;
        this.queues = queues;
        this.index = index;
    }

    /**
     * Stages the records that start at or after {@code from} and end at or before {@code limit} and returns the
     * position after the last one ({@link RecordSource#forEach}); {@link #lastIndex} is then the index of the last
     * record visited ({@code lastIndexBefore} if none).
     *
     * @throws UncheckedIOException wrapping an I/O failure to stage
     */
    long visit(RecordSource source, long from, long limit, long lastIndexBefore) {
        visitedIndex = lastIndexBefore;
        return source.forEach(from, limit, visitor);
    }

    /** Index of the last record the latest {@link #visit} saw. */
    long lastIndex() {
        return visitedIndex;
    }

    /**
     * Writes the units staged in this batch, one write per touched queue, and publishes the index entries staged
     * in it (one write), before the position is published.
     */
    void commit() throws IOException {
        for (int i = 0; i < staged.size(); i++) {
            staged.get(i).commitStaged();
        }
        staged.clear();
        index.publish();
    }

    /** Forgets the queues staged by a batch that failed (the stores are being reset). */
    void clear() {
        staged.clear();
    }

    private void onRecord(byte type, long recordIndex, ByteBuffer buffer, int bodyOffset, int bodyLength,
                          long bodyPosition, long endPosition) {
        if (type == messageRecordType) {
            try {
                dispatchMessages(buffer, bodyOffset, bodyOffset + bodyLength, bodyPosition);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        visitedIndex = recordIndex;
    }

    private void dispatchMessages(ByteBuffer buffer, int from, int to, long bodyPosition) throws IOException {
        int at = from;
        while (at < to) {
            StoredMessage m = message.wrap(buffer, at, to);
            long physical = bodyPosition + (at - from);
            Verify.state(m.physicalOffset() == physical, "stored PHYSICALOFFSET differs from the position",
                    m.physicalOffset(), physical);
            int sysFlag = m.sysFlag();
            String topic = m.topic();
            String properties = m.properties();
            if (SysFlag.isConsumable(sysFlag)) {
                long tagsCode = TagsCode.of(MessageProperties.get(properties, MessageProperties.TAGS));
                ConsumeQueue q = queues.getOrCreate(topic, m.queueId());
                if (q.stage(m.queueOffset(), physical, m.totalSize(), tagsCode)) {
                    staged.add(q);
                }
            }
            if (SysFlag.isIndexable(sysFlag)) {
                index.indexMessage(topic, MessageProperties.get(properties, MessageProperties.KEYS),
                        MessageProperties.get(properties, MessageProperties.UNIQ_KEY), physical,
                        m.storeTimestamp());
            }
            at += m.totalSize();
        }
    }
}
