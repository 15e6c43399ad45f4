package io.raftmq.raft.transport.netty;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.RaftMessage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written protobuf codec for the one hot message, {@link AppendEntries}: it produces exactly the bytes the
 * generated {@code RaftEnvelope} classes produce (same field order, proto3 zero omission; the tests compare the
 * two byte for byte) but builds no intermediate protobuf objects, and on decoding copies each payload once, from
 * the frame straight into the entry's array. Every other message, and any envelope this parser does not
 * recognise as an AppendEntries, goes through {@link ProtoMapper} and the generated classes.
 *
 * <p>Field numbers are those of {@code raft_messages.proto}: RaftEnvelope{from=1, to=2, term=3,
 * append_entries=10}, PbAppendEntries{prev_log_index=1, prev_log_term=2, entries=3, leader_commit=4},
 * PbEntry{term=1, index=2, type=3, payload=4, timestamp_ms=5}. Not thread-safe (one instance per channel: it reuses
 * a size array).
 */
final class AppendEntriesCodec {
    static final int ENV_FROM = 1;
    static final int ENV_TO = 2;
    static final int ENV_TERM = 3;
    static final int ENV_APPEND_ENTRIES = 10;
    static final int AE_PREV_INDEX = 1;
    static final int AE_PREV_TERM = 2;
    static final int AE_ENTRIES = 3;
    static final int AE_COMMIT = 4;
    static final int E_TERM = 1;
    static final int E_INDEX = 2;
    static final int E_TYPE = 3;
    static final int E_PAYLOAD = 4;
    static final int E_TIMESTAMP = 5;

    private int[] entrySizes = new int[64];
    private int bodySize;

    /** Serialized envelope size of {@code m}; remembers per-entry sizes for the following {@link #write}. */
    int envelopeSize(AppendEntries m) {
        List<Entry> entries = m.entries();
        if (entrySizes.length < entries.size()) {
            entrySizes = new int[Math.max(entries.size(), entrySizes.length * 2)];
        }
        int body = u64(AE_PREV_INDEX, m.prevLogIndex()) + u64(AE_PREV_TERM, m.prevLogTerm())
            + u64(AE_COMMIT, m.leaderCommit());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            int s = u64(E_TERM, e.term()) + u64(E_INDEX, e.index()) + u32(E_TYPE, e.type())
                + (e.payload().length == 0 ? 0 : CodedOutputStream.computeByteArraySize(E_PAYLOAD, e.payload()))
                + u64(E_TIMESTAMP, e.timestampMs());
            entrySizes[i] = s;
            body += CodedOutputStream.computeTagSize(AE_ENTRIES) + CodedOutputStream.computeUInt32SizeNoTag(s) + s;
        }
        bodySize = body;
        return u64(ENV_FROM, m.from()) + u64(ENV_TO, m.to()) + u64(ENV_TERM, m.term())
            + CodedOutputStream.computeTagSize(ENV_APPEND_ENTRIES) + CodedOutputStream.computeUInt32SizeNoTag(body)
            + body;
    }

    /** Writes the envelope of {@code m}; call right after {@link #envelopeSize} for the same message. */
    void write(AppendEntries m, CodedOutputStream out) throws IOException {
        putU64(out, ENV_FROM, m.from());
        putU64(out, ENV_TO, m.to());
        putU64(out, ENV_TERM, m.term());
        out.writeTag(ENV_APPEND_ENTRIES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(bodySize);
        putU64(out, AE_PREV_INDEX, m.prevLogIndex());
        putU64(out, AE_PREV_TERM, m.prevLogTerm());
        List<Entry> entries = m.entries();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            out.writeTag(AE_ENTRIES, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(entrySizes[i]);
            putU64(out, E_TERM, e.term());
            putU64(out, E_INDEX, e.index());
            if (e.type() != 0) {
                out.writeUInt32(E_TYPE, e.type());
            }
            if (e.payload().length != 0) {
                out.writeByteArray(E_PAYLOAD, e.payload());
            }
            putU64(out, E_TIMESTAMP, e.timestampMs());
        }
        putU64(out, AE_COMMIT, m.leaderCommit());
    }

    /**
     * Decodes an envelope if it is an AppendEntries; returns null (having consumed {@code in}) when it carries
     * another body, so the caller re-parses the frame with the generated classes.
     *
     * @throws CorruptFrameException for malformed input or invalid values
     */
    static RaftMessage tryDecode(CodedInputStream in) throws IOException {
        long from = 0;
        long to = 0;
        long term = 0;
        Body body = null;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case ENV_FROM -> from = in.readUInt64();
                case ENV_TO -> to = in.readUInt64();
                case ENV_TERM -> term = in.readUInt64();
                case ENV_APPEND_ENTRIES -> body = readBody(in);
                default -> {
                    if (WireFormat.getTagFieldNumber(tag) > ENV_APPEND_ENTRIES) {
                        return null; // another body (fields 11..): the generic path handles it
                    }
                    in.skipField(tag);
                }
            }
        }
        if (body == null) {
            return null;
        }
        if (from <= 0 || to <= 0) {
            throw new CorruptFrameException("bad envelope header from=" + from + " to=" + to);
        }
        try {
            return new AppendEntries(from, to, term, body.prevLogIndex(), body.prevLogTerm(), body.entries(),
                body.leaderCommit());
        } catch (IllegalArgumentException e) {
            throw new CorruptFrameException("invalid AppendEntries from " + from + ": " + e.getMessage());
        }
    }

    /** The length-delimited PbAppendEntries; from/to/term are filled in by the caller. */
    private static Body readBody(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        long prevIndex = 0;
        long prevTerm = 0;
        long commit = 0;
        List<Entry> entries = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case AE_PREV_INDEX -> prevIndex = in.readUInt64();
                case AE_PREV_TERM -> prevTerm = in.readUInt64();
                case AE_ENTRIES -> entries.add(readEntry(in));
                case AE_COMMIT -> commit = in.readUInt64();
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        return new Body(prevIndex, prevTerm, entries, commit);
    }

    /** The decoded PbAppendEntries fields. */
    private record Body(long prevLogIndex, long prevLogTerm, List<Entry> entries, long leaderCommit) {
    }

    private static final byte[] EMPTY = new byte[0];

    private static Entry readEntry(CodedInputStream in) throws IOException {
        int limit = in.pushLimit(in.readRawVarint32());
        long term = 0;
        long index = 0;
        int type = 0;
        byte[] payload = EMPTY;
        long timestamp = 0;
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case E_TERM -> term = in.readUInt64();
                case E_INDEX -> index = in.readUInt64();
                case E_TYPE -> type = in.readUInt32();
                case E_PAYLOAD -> payload = in.readByteArray(); // the single copy out of the frame
                case E_TIMESTAMP -> timestamp = in.readUInt64();
                default -> in.skipField(tag);
            }
        }
        in.popLimit(limit);
        try {
            return new Entry(term, index, type, payload, timestamp);
        } catch (IllegalArgumentException e) {
            throw new CorruptFrameException("invalid entry: " + e.getMessage());
        }
    }

    private static int u64(int field, long v) {
        return v == 0 ? 0 : CodedOutputStream.computeUInt64Size(field, v);
    }

    private static int u32(int field, int v) {
        return v == 0 ? 0 : CodedOutputStream.computeUInt32Size(field, v);
    }

    private static void putU64(CodedOutputStream out, int field, long v) throws IOException {
        if (v != 0) {
            out.writeUInt64(field, v);
        }
    }
}
