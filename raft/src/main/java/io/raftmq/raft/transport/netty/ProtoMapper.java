package io.raftmq.raft.transport.netty;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.AppendEntriesResponse;
import io.raftmq.raft.message.Heartbeat;
import io.raftmq.raft.message.HeartbeatResponse;
import io.raftmq.raft.message.InstallSnapshot;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.message.RequestVote;
import io.raftmq.raft.message.TimeoutNow;
import io.raftmq.raft.message.VoteResponse;
import io.raftmq.raft.transport.netty.proto.PbAppendEntries;
import io.raftmq.raft.transport.netty.proto.PbAppendEntriesResponse;
import io.raftmq.raft.transport.netty.proto.PbEntry;
import io.raftmq.raft.transport.netty.proto.PbHeartbeat;
import io.raftmq.raft.transport.netty.proto.PbHeartbeatResponse;
import io.raftmq.raft.transport.netty.proto.PbInstallSnapshot;
import io.raftmq.raft.transport.netty.proto.PbRequestVote;
import io.raftmq.raft.transport.netty.proto.PbTimeoutNow;
import io.raftmq.raft.transport.netty.proto.PbVoteResponse;
import io.raftmq.raft.transport.netty.proto.RaftEnvelope;

import java.util.ArrayList;
import java.util.List;

/**
 * Maps every {@link RaftMessage} record to its protobuf {@link RaftEnvelope} and back, field by field (the schema
 * is {@code raft/src/main/proto/raft_messages.proto}). Payload and snapshot byte arrays are wrapped, not copied,
 * when encoding (the records promise nobody mutates them); when decoding each payload is copied exactly once, out
 * of the (possibly aliased) frame bytes into its own array, so nothing refers to the Netty frame afterwards.
 *
 * <p>Stateless; any thread. Decoding errors: {@link CorruptFrameException} for an envelope without a body or with
 * fields the records reject (non-positive ids, entry index 0, ...).
 */
public final class ProtoMapper {
    private ProtoMapper() {
    }

    /** The envelope for {@code m}. */
    public static RaftEnvelope toEnvelope(RaftMessage m) {
        RaftEnvelope.Builder b = RaftEnvelope.newBuilder().setFrom(m.from()).setTo(m.to()).setTerm(m.term());
        if (m instanceof AppendEntries a) {
            b.setAppendEntries(appendEntries(a));
        } else if (m instanceof AppendEntriesResponse r) {
            b.setAppendEntriesResponse(PbAppendEntriesResponse.newBuilder().setIndex(r.index()).setReject(r.reject())
                .setRejectHint(r.rejectHint()).setHintTerm(r.hintTerm()));
        } else if (m instanceof Heartbeat h) {
            b.setHeartbeat(PbHeartbeat.newBuilder().setCommitIndex(h.commitIndex()).setLeaderCommit(h.leaderCommit()));
        } else if (m instanceof HeartbeatResponse r) {
            // log_end = lastIndex + 1, so the proto default 0 keeps meaning "unknown" (a peer that predates it)
            b.setHeartbeatResponse(PbHeartbeatResponse.newBuilder().setLogEnd(r.lastIndex() + 1));
        } else if (m instanceof RequestVote v) {
            b.setRequestVote(PbRequestVote.newBuilder().setLastLogIndex(v.lastLogIndex())
                .setLastLogTerm(v.lastLogTerm()).setPreVote(v.preVote()).setLeadershipTransfer(v.leadershipTransfer()));
        } else if (m instanceof VoteResponse v) {
            b.setVoteResponse(PbVoteResponse.newBuilder().setPreVote(v.preVote()).setGranted(v.granted()));
        } else if (m instanceof InstallSnapshot s) {
            b.setInstallSnapshot(PbInstallSnapshot.newBuilder().setSnapshotIndex(s.snapshotIndex())
                .setSnapshotTerm(s.snapshotTerm()).setMembership(UnsafeByteOperations.unsafeWrap(s.membership()))
                .setData(UnsafeByteOperations.unsafeWrap(s.data())));
        } else if (m instanceof TimeoutNow) {
            b.setTimeoutNow(PbTimeoutNow.getDefaultInstance());
        } else {
            throw new IllegalArgumentException("unknown message type " + m.getClass());
        }
        return b.build();
    }

    private static PbAppendEntries appendEntries(AppendEntries a) {
        PbAppendEntries.Builder b = PbAppendEntries.newBuilder().setPrevLogIndex(a.prevLogIndex())
            .setPrevLogTerm(a.prevLogTerm()).setLeaderCommit(a.leaderCommit());
        List<Entry> entries = a.entries();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            b.addEntries(PbEntry.newBuilder().setTerm(e.term()).setIndex(e.index()).setType(e.type())
                .setPayload(UnsafeByteOperations.unsafeWrap(e.payload())).setTimestampMs(e.timestampMs()));
        }
        return b.build();
    }

    /**
     * The record for {@code env}.
     *
     * @throws CorruptFrameException when the envelope has no body or carries values the records reject
     */
    public static RaftMessage fromEnvelope(RaftEnvelope env) {
        long from = env.getFrom();
        long to = env.getTo();
        long term = env.getTerm();
        if (from <= 0 || to <= 0 || term < 0) {
            throw new CorruptFrameException("bad envelope header from=" + from + " to=" + to + " term=" + term);
        }
        try {
            return body(env, from, to, term);
        } catch (IllegalArgumentException e) {
            throw new CorruptFrameException("invalid message from " + from + ": " + e.getMessage());
        }
    }

    private static RaftMessage body(RaftEnvelope env, long from, long to, long term) {
        switch (env.getBodyCase()) {
            case APPEND_ENTRIES:
                PbAppendEntries a = env.getAppendEntries();
                return new AppendEntries(from, to, term, a.getPrevLogIndex(), a.getPrevLogTerm(), entries(a),
                    a.getLeaderCommit());
            case APPEND_ENTRIES_RESPONSE:
                PbAppendEntriesResponse r = env.getAppendEntriesResponse();
                return new AppendEntriesResponse(from, to, term, r.getIndex(), r.getReject(), r.getRejectHint(),
                    r.getHintTerm());
            case HEARTBEAT:
                PbHeartbeat h = env.getHeartbeat();
                return new Heartbeat(from, to, term, h.getCommitIndex(), h.getLeaderCommit());
            case HEARTBEAT_RESPONSE:
                return new HeartbeatResponse(from, to, term, env.getHeartbeatResponse().getLogEnd() - 1);
            case REQUEST_VOTE:
                PbRequestVote v = env.getRequestVote();
                return new RequestVote(from, to, term, v.getLastLogIndex(), v.getLastLogTerm(), v.getPreVote(),
                    v.getLeadershipTransfer());
            case VOTE_RESPONSE:
                return new VoteResponse(from, to, term, env.getVoteResponse().getPreVote(),
                    env.getVoteResponse().getGranted());
            case INSTALL_SNAPSHOT:
                PbInstallSnapshot s = env.getInstallSnapshot();
                return new InstallSnapshot(from, to, term, s.getSnapshotIndex(), s.getSnapshotTerm(),
                    copy(s.getMembership()), copy(s.getData()));
            case TIMEOUT_NOW:
                return new TimeoutNow(from, to, term);
            default:
                throw new CorruptFrameException("envelope from " + from + " has no body");
        }
    }

    private static List<Entry> entries(PbAppendEntries a) {
        int n = a.getEntriesCount();
        List<Entry> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            PbEntry e = a.getEntries(i);
            out.add(new Entry(e.getTerm(), e.getIndex(), e.getType(), copy(e.getPayload()), e.getTimestampMs()));
        }
        return out;
    }

    /** The one copy a payload gets on the receiving side (the source may alias the Netty frame). */
    private static byte[] copy(ByteString bytes) {
        return bytes.toByteArray();
    }
}
