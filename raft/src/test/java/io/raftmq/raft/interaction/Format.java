package io.raftmq.raft.interaction;

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

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Compact, stable text for entries and messages in golden interaction transcripts. */
final class Format {
    private Format() {
    }

    static String entry(Entry e) {
        String body = e.type() == Entry.TYPE_NOOP ? "noop" : "\"" + new String(e.payload(), StandardCharsets.UTF_8)
            + "\"";
        return e.index() + "@" + e.term() + " " + body;
    }

    static String entries(List<Entry> es) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < es.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(entry(es.get(i)));
        }
        return sb.append(']').toString();
    }

    static String message(RaftMessage m) {
        String head = m.from() + "->" + m.to() + " ";
        if (m instanceof AppendEntries a) {
            return head + "App term=" + a.term() + " prev=" + a.prevLogIndex() + "@" + a.prevLogTerm() + " commit="
                + a.leaderCommit() + " entries=" + entries(a.entries());
        } else if (m instanceof AppendEntriesResponse r) {
            return head + "AppResp term=" + r.term() + (r.reject()
                ? " reject index=" + r.index() + " hint=" + r.rejectHint() + "@" + r.hintTerm()
                : " index=" + r.index());
        } else if (m instanceof Heartbeat h) {
            return head + "Heartbeat term=" + h.term() + " commit=" + h.commitIndex();
        } else if (m instanceof HeartbeatResponse h) {
            return head + "HeartbeatResp term=" + h.term();
        } else if (m instanceof RequestVote v) {
            return head + (v.preVote() ? "PreVote" : "Vote") + " term=" + v.term() + " last=" + v.lastLogIndex()
                + "@" + v.lastLogTerm() + (v.leadershipTransfer() ? " transfer" : "");
        } else if (m instanceof VoteResponse v) {
            return head + (v.preVote() ? "PreVoteResp" : "VoteResp") + " term=" + v.term()
                + (v.granted() ? " granted" : " rejected");
        } else if (m instanceof InstallSnapshot s) {
            return head + "Snapshot term=" + s.term() + " snapshot=" + s.snapshotIndex() + "@" + s.snapshotTerm();
        } else if (m instanceof TimeoutNow t) {
            return head + "TimeoutNow term=" + t.term();
        }
        throw new IllegalArgumentException("unknown message " + m);
    }
}
