package io.raftmq.broker.replication;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.metadata.MetadataStateMachine;
import io.raftmq.broker.snapshot.SnapshotPart;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.message.StoredMessage;
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
import java.util.ArrayList;
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
 * <p>Snapshots carry named parts ({@link PartsEnvelope}): the metadata image ({@link MetadataStateMachine#snapshot})
 * and the {@link LogPositionPart}; messages live in the commit log, which is the Raft log itself. A follower that
 * installs a snapshot restarts its store at the leader's log position (docs/snapshots.md rule 4), so messages sent
 * after the snapshot get the same offsets on every member; messages below the snapshot are not transferred.
 *
 * <p>Threads: the raft agent thread only (it is also the store's dispatcher thread). Errors: an I/O failure of the
 * derived data is rethrown as {@link UncheckedIOException}; the agent then stops the node.
 */
public final class BrokerStateMachine implements StateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerStateMachine.class);
    /** Name of the metadata image among the snapshot's parts. */
    static final String METADATA_PART = "metadata";

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
    /** The snapshot parts besides the metadata image (until the parts registry of broker.snapshot takes over). */
    private final List<SnapshotPart> parts = new ArrayList<>();
    private final LogPositionPart logPosition;

    /**
     * @param appliedIndex the index the state already reflects (0 when the log is replayed from the start)
     */
    public BrokerStateMachine(MessageStore store, MetadataStateMachine metadata, long appliedIndex) {
        this.store = store;
        this.metadata = metadata;
        this.appliedIndex = appliedIndex;
        this.logPosition = new LogPositionPart(store, this::appliedIndex);
        parts.add(logPosition);
        Verify.state(store.config().dispatch().messageRecordType() == EntryType.MESSAGE,
            "the store must dispatch records of type MESSAGE", store.config().dispatch().messageRecordType(),
            EntryType.MESSAGE);
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

    /** The log-position part, which the raft log's install reset reads ({@link CommitLogRaftLog#installPositions}). */
    public LogPositionPart logPositionPart() {
        return logPosition;
    }

    @Override
    public Snapshot takeSnapshot() {
        Map<String, byte[]> data = new LinkedHashMap<>();
        data.put(METADATA_PART, metadata.snapshot());
        for (SnapshotPart p : parts) {
            data.put(p.name(), p.save());
        }
        return new Snapshot(appliedIndex, appliedTerm, PartsEnvelope.encode(data));
    }

    /** Restores a leader's snapshot (an install: the raft agent resets the log right after). */
    @Override
    public void restore(Snapshot snapshot) {
        Verify.state(snapshot.index() >= appliedIndex, "snapshot older than the applied state", snapshot.index(),
            appliedIndex);
        Map<String, byte[]> data = PartsEnvelope.decode(snapshot.data());
        byte[] image = data.get(METADATA_PART);
        Verify.argument(image != null, "snapshot without the metadata part");
        metadata.restore(image);
        for (SnapshotPart p : parts) {
            byte[] bytes = data.get(p.name());
            if (bytes == null) {
                p.loadAbsent(SnapshotPart.RestoreMode.INSTALL);
            } else {
                p.load(bytes, SnapshotPart.RestoreMode.INSTALL);
            }
        }
        appliedIndex = snapshot.index();
        appliedTerm = snapshot.term();
        LOG.warn("installed snapshot at index {}: messages below it are not transferred", snapshot.index());
    }
}
