package io.raftmq.commitlog;

import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.record.RecordHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by commit log tests: small configs, bodies, and decoding of read buffers. */
public final class TestLogs {
    private TestLogs() {
    }

    /** 64 KiB segments, 8 KiB records, 128-unit index segments. */
    public static CommitLogConfig.Builder small(Path dir, FlushMode mode) {
        return CommitLogConfig.builder(dir).segmentBytes(64 * 1024).recordBytesMax(8 * 1024)
            .writeBufferBytes(32 * 1024).indexUnitsPerSegment(128).flushMode(mode).flushIntervalMs(5)
            .checkpointIntervalMs(20);
    }

    public static ByteBuffer body(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Body of {@code size} bytes derived from {@code index}, so content can be checked. */
    public static ByteBuffer body(long index, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) {
            b.put(i, (byte) (index * 31 + i));
        }
        return b;
    }

    /** One decoded record of a read buffer. */
    public record Rec(long index, long term, byte type, byte[] body) {
    }

    /** Decodes the records in [0, position) of {@code buf}. */
    public static List<Rec> decode(ByteBuffer buf) {
        List<Rec> out = new ArrayList<>();
        for (int at = 0; at < buf.position(); at += RecordHeader.recordLength(buf, at)) {
            byte[] body = new byte[RecordHeader.bodyLength(buf, at)];
            buf.get(at + RecordHeader.HEADER_LENGTH, body);
            out.add(new Rec(RecordHeader.index(buf, at), RecordHeader.term(buf, at), RecordHeader.type(buf, at),
                body));
        }
        return out;
    }

    /** Appends one record and returns its position. */
    public static long appendOne(CommitLog log, long term, long index, ByteBuffer body) {
        AppendBatch b = new AppendBatch(1);
        b.add(term, index, (byte) 1, 1000 + index, body);
        log.append(b);
        return b.position(0);
    }
}
