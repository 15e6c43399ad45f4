package io.raftmq.raft.core;

import io.raftmq.raft.log.Entry;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.statemachine.Snapshot;

import java.util.List;

/**
 * A batch of work the core hands to its driver. The driver must process it in this order, then call
 * {@link RaftNode#advance(Ready)} before calling any other method of the node:
 * <ol>
 *   <li>send {@link #earlyMessages()} — they do not depend on this batch's writes (a leader's AppendEntries
 *       and heartbeats, pre-vote traffic, acknowledgements of entries already durable), so they may go out while
 *       the writes below are in progress (§10.2.1);
 *   <li>if {@link #snapshot()} is set: restore the state machine from it and reset the log to its index/term
 *       (durable on return);
 *   <li>save {@link #hardState()} if set (always durable: it carries votes; its commit index must not exceed the
 *       log's durable index), before the write below: a log sync on another thread may make the entries durable
 *       at once, and a log holding a term the saved hard state does not know could not restart;
 *   <li>write {@link #entries()} with {@code RaftLog.write} (it truncates the suffix they replace);
 *   <li>only then send {@link #messages()} — votes and messages that expose the new term (after the save);
 *   <li>apply {@link #committedEntries()} to the state machine, in order;
 *   <li>call {@code advance(this)}: the entries count as written, not yet durable.
 * </ol>
 * Durability of the log is reported apart, with {@link RaftNode#persisted(long, long)}: once a sync that started
 * after the write of entry ({@code index}, {@code term}) returned, the driver passes that entry, either right after
 * {@code advance} (a driver that syncs inside the cycle; quorum-memory mode counts the write as enough) or later
 * from another thread's sync (docs/raft-driver.md, "Fsync off the agent thread"). Only then does a leader count
 * its own entries, and only then do a follower's acknowledgements of them leave (as early messages of a later
 * Ready). All lists are immutable; payload arrays are shared and never mutated.
 *
 * @param hardState        state to save, or null if unchanged since the last Ready
 * @param snapshot         snapshot to install, or null
 * @param entries          contiguous entries to write; when the first index is not past the log's last index,
 *                         they replace the log's suffix from there
 * @param earlyMessages    messages that may be sent before the writes are durable
 * @param messages         messages to send only after the writes are durable
 * @param committedEntries committed entries to apply, contiguous from the last applied index + 1
 * @param mustSync         whether this batch writes anything (entries, snapshot, term or vote)
 */
public record Ready(HardState hardState, Snapshot snapshot, List<Entry> entries, List<RaftMessage> earlyMessages,
                    List<RaftMessage> messages, List<Entry> committedEntries, boolean mustSync) {
    public Ready {
        entries = List.copyOf(entries);
        earlyMessages = List.copyOf(earlyMessages);
        messages = List.copyOf(messages);
        committedEntries = List.copyOf(committedEntries);
    }
}
