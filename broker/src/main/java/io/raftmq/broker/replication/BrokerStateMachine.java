package io.raftmq.broker.replication;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.metadata.MetadataSnapshotPart;
import io.raftmq.broker.metadata.MetadataStateMachine;
import io.raftmq.broker.snapshot.SnapshotImage;
import io.raftmq.broker.snapshot.SnapshotPart;
import io.raftmq.broker.snapshot.SnapshotPart.RestoreMode;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.statemachine.Snapshot;
import io.raftmq.raft.statemachine.StateMachine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The broker's replicated state machine, fed by the raft agent with committed entries in index order:
 * <pre>
 *  entry type            | effect of apply
 * -----------------------+---------------------------------------------------------------------------
 *  0..15 raft internal   | none (NOOP opens a term, CONFIG is for membership change)
 *  16 MESSAGE            | MessageStore.dispatchUpToIndex(index): ConsumeQueues and key index now cover
 *                        | the entry (so they only ever hold committed data), then DispatchListeners run
 *                        | and AppliedMessageListeners (each message with its physical offset)
 *  17..21 metadata       | MetadataStateMachine.apply (topics, subscription groups, consumer offsets)
 *  22..63 feature state  | the ReplicatedEntryHandler registered for the type (timers, transactions, locks)
 *  anything else         | IllegalStateException: the node stops rather than diverge from its peers
 * </pre>
 * The raft agent runs the proposal callbacks of an entry right after its apply, so a send is answered only once
 * its messages are committed and dispatched on the leader.
 *
 * <p>Snapshots (docs/snapshots.md): every registered {@link SnapshotPart} (metadata, queue locks, timer progress,
 * pending transaction halves, ...) saves its state into one {@link SnapshotImage}, with the commit-log position
 * where the record after the last applied entry starts; messages themselves live in the commit log, which is the
 * Raft log. {@link #restore} (a leader's install) loads every part with {@link RestoreMode#INSTALL},
 * {@link #recover} (this member's own snapshot at start) with {@link RestoreMode#START}; a part the image lacks is
 * reset to the state of a new group ({@link SnapshotPart#loadAbsent}).
 *
 * <p>Threads: the raft agent thread only (it is also the store's dispatcher thread). Errors: an I/O failure of the
 * derived data is rethrown as {@link UncheckedIOException}; the agent then stops the node.
 */
public final class BrokerStateMachine implements StateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerStateMachine.class);

    private final MessageStore store;
    private final MetadataStateMachine metadata;
    private final List<DispatchListener> listeners = new CopyOnWriteArrayList<>();
    private final List<AppliedMessageListener> messageListeners = new CopyOnWriteArrayList<>();
    private final Map<Byte, ReplicatedEntryHandler> handlers = new ConcurrentHashMap<>();
    /** Agent thread only: reads topic and queue of dispatched messages. */
    private final StoredMessage reader = new StoredMessage();
    /** Invariant: strictly increasing by one per apply (or set by restore). */
    private long appliedIndex;
    /** Written by the agent thread only; read by {@link LeaderReadiness} on any thread. */
    private volatile long appliedTerm;
    private long listenerErrors;
    /** Entries applied by this instance since it was made; written on the agent thread only. */
    private volatile long entriesApplied;
    /** Queue counters and the log position of a snapshot (docs/snapshots.md rule 4). */
    private final LogPositionPart logPosition;
    /** Snapshot parts by name, in registration order (registered before the agent starts). */
    private final Map<String, SnapshotPart> parts = new LinkedHashMap<>();
    /** The index of the snapshot last restored or recovered (-1: none) and its next position. */
    private long restoredIndex = -1;
    private long restoredNextPosition;

    /**
     * Registers the "metadata" snapshot part ({@link MetadataSnapshotPart}); {@code metadata} must be empty yet.
     *
     * @param appliedIndex the index the state already reflects (0 when the log is replayed from the start)
     */
    public BrokerStateMachine(MessageStore store, MetadataStateMachine metadata, long appliedIndex) {
        this.store = store;
        this.metadata = metadata;
        this.appliedIndex = appliedIndex;
        Verify.state(store.config().dispatch().messageRecordType() == EntryType.MESSAGE,
            "the store must dispatch records of type MESSAGE", store.config().dispatch().messageRecordType(),
            EntryType.MESSAGE);
        addSnapshotPart(new MetadataSnapshotPart(metadata));
        this.logPosition = new LogPositionPart(store, this::appliedIndex);
        logPosition.onReset(this::notifyAllQueues);
        addSnapshotPart(logPosition);
    }

    /** The log-position part, which the raft log's install reset reads ({@link CommitLogRaftLog#installPositions}). */
    public LogPositionPart logPositionPart() {
        return logPosition;
    }

    /** Adds a listener run after each dispatch of committed messages (agent thread; must not block). */
    public void addDispatchListener(DispatchListener l) {
        listeners.add(l);
    }

    /** Adds a listener told about every committed message after its dispatch (agent thread; must not block). */
    public void addAppliedMessageListener(AppliedMessageListener l) {
        messageListeners.add(l);
    }

    /**
     * Registers the handler of a feature entry type (22..63), before the agent starts. One handler per type.
     *
     * @throws IllegalArgumentException the type is not a feature type or already has a handler
     */
    public void register(byte type, ReplicatedEntryHandler handler) {
        Verify.argument(EntryType.isHandled(type), "not a feature entry type: " + EntryType.name(type));
        Verify.argument(handlers.putIfAbsent(type, handler) == null, "entry type " + EntryType.name(type)
            + " already has a handler");
    }

    /** Term of the last applied entry (0 before any). Any thread. */
    public long appliedTerm() {
        return appliedTerm;
    }

    /** Last applied index. Agent thread (racy elsewhere: a metric). */
    public long appliedIndex() {
        return appliedIndex;
    }

    @Override
    public void apply(Entry entry) {
        Verify.state(entry.index() == appliedIndex + 1, "entries must be applied contiguously", entry.index(),
            appliedIndex);
        byte type = (byte) entry.type();
        if (type == EntryType.MESSAGE) {
            dispatch(entry);
        } else if (EntryType.isMetadata(type)) {
            metadata.apply(entry.index(), type, entry.payload());
        } else if (EntryType.isHandled(type)) {
            ReplicatedEntryHandler h = handlers.get(type);
            Verify.state(h != null, "no handler for entry type: replicas would diverge", entry.type(), entry.index());
            h.apply(entry.index(), entry.payload());
        } else {
            Verify.state(entry.type() >= 0 && entry.type() <= EntryType.RAFT_INTERNAL_MAX,
                "unknown entry type: replicas would diverge", entry.type(), entry.index());
        }
        appliedIndex = entry.index();
        appliedTerm = entry.term();
        entriesApplied++; // single writer: the agent thread
    }

    /** Entries applied by this instance since it started (a restore does not reset it). Any thread. */
    public long entriesApplied() {
        return entriesApplied;
    }

    private void dispatch(Entry entry) {
        try {
            store.dispatchUpToIndex(entry.index());
        } catch (IOException e) {
            throw new UncheckedIOException("dispatch of entry " + entry.index() + " failed", e);
        }
        if (!listeners.isEmpty()) {
            notifyQueues(entry.payload());
        }
        if (!messageListeners.isEmpty()) {
            notifyMessages(entry.index(), entry.payload());
        }
    }

    /** Hands each message of the entry, with its physical offset, to the applied-message listeners. */
    private void notifyMessages(long index, byte[] payload) {
        long bodyPosition = store.commitLog().position(index) + RecordHeader.HEADER_LENGTH;
        ByteBuffer body = ByteBuffer.wrap(payload);
        for (int at = 0; at < payload.length; at += reader.totalSize()) {
            reader.wrap(body, at);
            for (AppliedMessageListener l : messageListeners) {
                l.onApplied(index, bodyPosition + at, reader);
            }
        }
    }

    /**
     * An install reset the store at the leader's position (every queue's max offset moved without a dispatch): the
     * listeners hear of every queue, so that a pull held on one is answered now (docs/snapshots.md).
     */
    private void notifyAllQueues() {
        for (ConsumeQueue q : store.consumeQueues().queues()) {
            for (DispatchListener l : listeners) {
                try {
                    l.onDispatched(q.topic(), q.queueId(), q.maxOffset());
                } catch (RuntimeException e) { // pipeline boundary, as in notifyQueues
                    listenerErrors++;
                    LOG.error("dispatch listener failed ({} failures so far)", listenerErrors, e);
                }
            }
        }
    }

    /** Tells the listeners about each run of one (topic, queueId) among the entry's messages. */
    private void notifyQueues(byte[] payload) {
        ByteBuffer body = ByteBuffer.wrap(payload);
        String lastTopic = null;
        int lastQueue = -1;
        for (int at = 0; at < payload.length; at += reader.totalSize()) {
            reader.wrap(body, at);
            String topic = reader.topic();
            int queueId = reader.queueId();
            if (queueId == lastQueue && topic.equals(lastTopic)) {
                continue;
            }
            lastTopic = topic;
            lastQueue = queueId;
            long max = store.consumeQueues().maxOffset(topic, queueId);
            for (DispatchListener l : listeners) {
                try {
                    l.onDispatched(topic, queueId, max);
                } catch (RuntimeException e) { // pipeline boundary: a listener bug must not stop replication
                    listenerErrors++;
                    LOG.error("dispatch listener failed ({} failures so far)", listenerErrors, e);
                }
            }
        }
    }

    /**
     * Registers a snapshot part, before the agent starts. Names are unique.
     *
     * @throws IllegalArgumentException a part of that name exists, or the name is not a valid part name
     */
    public void addSnapshotPart(SnapshotPart part) {
        SnapshotImage.checkName(part.name());
        Verify.argument(!parts.containsKey(part.name()), "snapshot part '" + part.name() + "' already registered");
        parts.put(part.name(), part);
    }

    /** The names of the registered parts, in registration order. */
    public List<String> snapshotPartNames() {
        return List.copyOf(parts.keySet());
    }

    /**
     * Not while a restarted member replays entries it had already dispatched (its dispatch checkpoint lies beyond the
     * snapshot it restored): the ConsumeQueues then hold counters past the applied entry, and the image of the
     * applied entry ({@link LogPosition#capture}) cannot be taken until the replay reaches them
     * (docs/snapshots.md "Restore at start"). Agent thread.
     */
    @Override
    public boolean canSnapshot() {
        return store.dispatchedIndex() <= appliedIndex;
    }

    /** Every part's state as of the last applied entry, as one {@link SnapshotImage}. Agent thread. */
    @Override
    public Snapshot takeSnapshot() {
        Map<String, byte[]> images = new LinkedHashMap<>();
        for (SnapshotPart p : parts.values()) {
            images.put(p.name(), p.save());
        }
        return new Snapshot(appliedIndex, appliedTerm, new SnapshotImage(nextPosition(), images).encode());
    }

    /**
     * The commit-log position where the record after the applied entry starts: the applied record's position plus
     * its length (read from its header). Record {@code appliedIndex + 1} starts there, or at the next segment's start
     * when it did not fit in that segment; every later record starts at or above it either way.
     */
    long nextPosition() {
        if (appliedIndex == restoredIndex) {
            return restoredNextPosition;
        }
        return LogPosition.endOf(store.commitLog(), appliedIndex);
    }

    /**
     * A leader's snapshot (raft install): every part loaded with {@link RestoreMode#INSTALL}; the log restarts
     * after its index.
     *
     * @throws IllegalArgumentException the image is damaged or a part cannot decode its bytes (the agent stops)
     */
    @Override
    public void restore(Snapshot snapshot) {
        Verify.state(snapshot.index() >= appliedIndex, "snapshot older than the applied state", snapshot.index(),
            appliedIndex);
        load(snapshot, RestoreMode.INSTALL);
        LOG.info("installed the snapshot at index {} (term {})", snapshot.index(), snapshot.term());
    }

    /**
     * This member's own snapshot at start (docs/snapshots.md rule 2): every part loaded with
     * {@link RestoreMode#START}, then the ConsumeQueues and key index dispatched up to the snapshot's entry (they
     * resume from the dispatch checkpoint, which may lie below it; docs/snapshots.md "Restore at start"); the log
     * replays from {@code snapshot.index() + 1}. Before the agent starts.
     *
     * @throws IllegalArgumentException the image is damaged or a part cannot decode its bytes; the caller then
     *                                  tries an older snapshot or {@link #recoverWithoutSnapshot}, which reset every
     *                                  part again
     * @throws UncheckedIOException     the derived data could not be written
     */
    public void recover(Snapshot snapshot) {
        Verify.state(snapshot.index() >= appliedIndex, "snapshot below the log's first entry", snapshot.index(),
            appliedIndex);
        load(snapshot, RestoreMode.START);
        try {
            LogPosition p = logPosition.takeStarted();
            if (p != null) {
                // a rebuild of the derived data lost the counters of queues absent from the log since its start
                store.raiseQueuesAbsentBefore(p.nextPosition(), p.queues());
            }
            // the log may end below the snapshot (its start gone, or a raft log kept apart in tests): as far as it goes
            store.dispatchUpToIndex(Math.min(snapshot.index(), store.commitLog().lastIndex()));
        } catch (IOException e) {
            throw new UncheckedIOException("dispatch up to the restored snapshot at " + snapshot.index() + " failed",
                e);
        }
    }

    /** No snapshot at start: every part holds the state of a new group and the whole log is replayed. */
    public void recoverWithoutSnapshot() {
        for (SnapshotPart p : parts.values()) {
            p.loadAbsent(RestoreMode.START);
        }
        restoredIndex = -1;
    }

    private void load(Snapshot snapshot, RestoreMode mode) {
        SnapshotImage image = SnapshotImage.decode(snapshot.data(), "snapshot at index " + snapshot.index());
        for (String name : image.parts().keySet()) {
            if (!parts.containsKey(name)) {
                LOG.warn("snapshot at index {} has a part '{}' this broker does not know: ignored", snapshot.index(),
                    name);
            }
        }
        for (SnapshotPart p : parts.values()) {
            byte[] b = image.parts().get(p.name());
            if (b == null) {
                p.loadAbsent(mode);
            } else {
                p.load(b, mode);
            }
        }
        appliedIndex = snapshot.index();
        appliedTerm = snapshot.term();
        restoredIndex = snapshot.index();
        restoredNextPosition = image.nextPosition();
    }
}
