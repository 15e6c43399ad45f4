package io.raftmq.raft.driver;

import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.core.Ready;
import io.raftmq.raft.core.membership.Membership;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.RaftLog;
import io.raftmq.raft.message.AppendEntries;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.StateMachine;
import io.raftmq.raft.transport.Transport;

import java.util.List;
import java.util.function.LongConsumer;

/**
 * Processes one {@link Ready} of a {@link RaftAgent}'s node exactly in the order its contract prescribes
 * (docs/raft-driver.md, "The duty cycle", step 5): send the early messages (a leader's AppendEntries leave before
 * its own write and fsync), record a snapshot's or new entries' membership, install a snapshot, save the hard state,
 * write the entries and tell the {@link LogSyncer}, send the other messages, queue the committed entries for apply,
 * advance. Agent thread only; it also counts the AppendEntries sent and the entries they carried.
 */
final class ReadyProcessor {
    /** The agent's parts a Ready touches. */
    record Parts(RaftNode node, RaftLog log, StateMachine stateMachine, Transport transport,
                 MembershipFile membershipFile, Applier applier, AgentSnapshots snapshots, PendingProposals pending,
                 HardStateSaver hardState, LogSyncer syncer, PeerDialer peers, DurabilityMode durability,
                 PathTrace trace) {
    }

    private final Parts p;
    /** AppendEntries sent and the entries they carried (batching diagnostics; agent thread, racy elsewhere). */
    private long appendsSent;
    private long appendEntriesSent;
    /** Told the entry count of each AppendEntries sent (metrics), null for none. */
    private volatile LongConsumer appendObserver;

    ReadyProcessor(Parts parts) {
        this.p = parts;
    }

    /** Processes {@code r} (taken from the node at {@code now}). */
    void process(Ready r, long now) {
        sendAll(r.earlyMessages());
        Snapshot snap = r.snapshot();
        MembershipFile mf = p.membershipFile();
        if (snap != null && mf != null) {
            Membership m = Membership.decode(snap.membership(), p.node().membershipAt(snap.index()));
            mf.beforeSnapshot(snap.index(), snap.term(), m.encode());
        }
        if (mf != null) {
            mf.beforeWrite(r.entries(), snap != null ? snap.index() : p.log().lastIndex());
            mf.sync(); // before the log write it describes (no-op without new records)
        }
        if (snap != null) {
            install(snap);
        }
        if (r.hardState() != null) {
            // before the write: the syncer may make the entries durable at once, and a log holding a term the saved
            // hard state does not know would not restart
            p.hardState().onHardState(r.hardState(), now, p.node().durableIndex());
        }
        p.log().write(r.entries());
        p.trace().entries("write", r.entries());
        Entry last = r.entries().isEmpty() ? null : r.entries().get(r.entries().size() - 1);
        if (last != null && p.durability() == DurabilityMode.QUORUM_FSYNC) {
            p.syncer().written(last.index(), last.term()); // the fsync runs on the syncer thread meanwhile
        }
        sendAll(r.messages());
        p.applier().queue(r.committedEntries());
        p.node().advance(r);
        if (last != null && p.durability() == DurabilityMode.QUORUM_MEMORY) {
            p.node().persisted(last.index(), last.term()); // written to the OS counts as persisted in this mode
        }
        p.peers().sync(p.node());
    }

    private void install(Snapshot snap) {
        p.stateMachine().restore(snap);
        p.applier().restored(snap.index(), snap.term()); // the queue is all below it: the snapshot replaces all
        if (p.snapshots().store() != null) {
            p.snapshots().store().install(snap); // durable before the log below it goes: a restart restores it
        }
        p.log().resetToSnapshot(snap.index(), snap.term());
        p.pending().skipThrough(snap.index());
        p.snapshots().installed(snap.index());
    }

    private void sendAll(List<RaftMessage> messages) {
        if (messages.isEmpty()) {
            return;
        }
        Transport transport = p.transport();
        for (int i = 0; i < messages.size(); i++) {
            RaftMessage m = messages.get(i);
            if (m instanceof AppendEntries a) {
                appendsSent++;
                appendEntriesSent += a.entries().size();
                LongConsumer observer = appendObserver;
                if (observer != null) {
                    observer.accept(a.entries().size());
                }
            }
            transport.send(m);
        }
        transport.flush();
        if (p.trace().on()) {
            for (int i = 0; i < messages.size(); i++) {
                p.trace().sent(messages.get(i));
            }
        }
    }

    /** Tells {@code observer} the entry count of each AppendEntries sent from now on (agent thread). Any thread. */
    void observeAppends(LongConsumer observer) {
        appendObserver = observer;
    }

    /** AppendEntries sent so far. Any thread, racy. */
    long appendsSent() {
        return appendsSent;
    }

    /** Entries those AppendEntries carried. Any thread, racy. */
    long appendEntriesSent() {
        return appendEntriesSent;
    }
}
