package io.raftmq.commitlog.dispatch;

import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.record.RecordHeader;

import java.nio.ByteBuffer;

/**
 * {@link RecordSource} over a {@link CommitLog}: reads whole, CRC-checked records in chunks into a reusable
 * buffer (at least one maximal record) and hands out their bodies. A read never goes past the limit it is given,
 * so visiting one record costs one record's read and check however far the log extends beyond it. One instance per
 * reading thread: the buffer is reused across calls. A filler is skipped only on the way to a record visited after
 * it: a call that reaches nothing but a filler returns the position before it.
 */
public final class CommitLogRecordSource implements RecordSource {
    private final CommitLog log;
    private final ByteBuffer buffer;

    /** {@code chunkBytes} is raised to the log's recordBytesMax if smaller. */
    public CommitLogRecordSource(CommitLog log, int chunkBytes) {
        this.log = log;
        this.buffer = ByteBuffer.allocate(Math.max(chunkBytes, log.config().recordBytesMax()));
    }

    @Override
    public long startPosition() {
        return log.startPosition();
    }

    @Override
    public long endPosition() {
        return log.endPosition();
    }

    @Override
    public long forEach(long fromPosition, long limitPosition, Visitor visitor) {
        long position = fromPosition;
        long limit = Math.min(limitPosition, log.endPosition());
        while (position < limit) {
            buffer.clear();
            long first;
            if (limit - position < buffer.capacity()) {
                // read only up to the limit: a record that does not fit there ends beyond it (not visited anyway)
                buffer.limit((int) (limit - position));
                first = log.readFitting(position, buffer);
            } else {
                first = log.read(position, buffer);
            }
            if (buffer.position() == 0) {
                // nothing below the limit but (perhaps) a filler: stay before it. The filler belongs to the record
                // that opened the next segment, which may be uncommitted; if a truncation removes that record, the
                // log resumes in this tail (docs/storage.md "Consequences") and the next records are dispatched.
                return position;
            }
            Verify.state(first >= position, "read went backwards", first, position);
            long next = visitChunk(first, limit, visitor);
            if (next == first) {
                return position;
            }
            position = next;
        }
        return position;
    }

    /** Visits the records copied into the buffer (starting at log position {@code first}) up to {@code limit}. */
    private long visitChunk(long first, long limit, Visitor visitor) {
        int end = buffer.position();
        int at = 0;
        long recordPosition = first;
        while (at < end) {
            int length = RecordHeader.recordLength(buffer, at);
            Verify.state(length >= RecordHeader.HEADER_LENGTH && at + length <= end, "record length in chunk",
                    length, end - at);
            if (recordPosition + length > limit) {
                break;
            }
            int bodyLength = RecordHeader.bodyLength(buffer, at);
            visitor.record(RecordHeader.type(buffer, at), RecordHeader.index(buffer, at), buffer,
                    at + RecordHeader.HEADER_LENGTH, bodyLength, recordPosition + RecordHeader.HEADER_LENGTH,
                    recordPosition + length);
            at += length;
            recordPosition += length;
        }
        return recordPosition;
    }
}
