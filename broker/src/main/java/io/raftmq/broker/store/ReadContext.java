package io.raftmq.broker.store;

import io.raftmq.broker.filter.PropertyView;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.queue.ConsumeQueue;

import java.nio.ByteBuffer;

/**
 * The reusable scratch of one store read: a buffer of ConsumeQueue units, the selection arrays of a pull, a small
 * buffer for the head of a message (store time, TOTALSIZE) and a message flyweight. Pooled by {@link LogReader};
 * used by one thread at a time.
 */
final class ReadContext {
    /** ConsumeQueue units read per chunk while scanning. */
    static final int UNITS_PER_CHUNK = 256;

    final ByteBuffer units = ByteBuffer.allocate(UNITS_PER_CHUNK * ConsumeQueue.UNIT_SIZE);
    final ConsumeQueue.Unit unit = new ConsumeQueue.Unit();
    final StoredMessage message = new StoredMessage();
    /** One message's properties, read in place by a SQL92 filter. */
    final PropertyView properties = new PropertyView();
    /** The first bytes of one message, read raw from the CommitLog. */
    final ByteBuffer head;
    /** Selected messages of a pull: physical offset, size, queue offset. */
    final long[] physicalOffsets;
    final int[] sizes;
    final long[] queueOffsets;

    ReadContext(int headBytes, int selectionMax) {
        this.head = ByteBuffer.allocate(headBytes);
        this.physicalOffsets = new long[selectionMax];
        this.sizes = new int[selectionMax];
        this.queueOffsets = new long[selectionMax];
    }
}
