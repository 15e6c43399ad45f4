package io.raftmq.broker.schedule;

import io.raftmq.broker.config.DelayLevels;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.produce.InternalProducer;
import io.raftmq.broker.replication.BrokerStateMachine;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.message.MessageFormatException;
import io.raftmq.commitlog.message.StoredMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Wires the due-message engine into a broker member: the {@link DueIndex} under {@code <storePathRootDir>/timer/}
 * (its files kept until the start restores a snapshot, {@link DueSnapshotPart}), the {@link DueState} registered
 * with the state machine (applied-message listener, the {@code TIMER_PROGRESS} handler and the snapshot part)
 * before the raft agent starts, and the {@link DueDelivery} ticked on the broker's scheduler once the send batcher
 * exists. {@link #floor} is the lowest commit-log offset delivery may still read.
 *
 * <p>Threads: {@link #register} and {@link #startTicking} once, at start; the rest as documented per class.
 */
public final class DueMessages implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(DueMessages.class);
    /** The longest stored message read back (TOTALSIZE sanity bound). */
    private static final int MESSAGE_BYTES_MAX = 64 << 20;

    private final DueIndex index;
    private final DueState state;
    private final CommitLog log;
    private final DelayLevels levels;
    private volatile DueDelivery delivery;
    private long tickErrors;

    private DueMessages(DueIndex index, CommitLog log, DelayLevels levels) {
        this.index = index;
        this.log = log;
        this.levels = levels;
        this.state = new DueState(levels, index, this::sourceDueMs);
    }

    /**
     * Opens the index in {@code dir} over {@code log}, keeping its files: the state machine's recovery at start
     * restores or wipes them (the snapshot part registered by {@link #register}).
     */
    public static DueMessages open(Path dir, DelayLevels levels, CommitLog log) throws IOException {
        return new DueMessages(DueIndex.openKept(dir), log, levels);
    }

    /** Registers the state and its snapshot part with the state machine; before the raft agent starts. */
    public void register(BrokerStateMachine sm) {
        sm.addAppliedMessageListener(state);
        sm.register(EntryType.TIMER_PROGRESS, state);
        sm.addSnapshotPart(new DueSnapshotPart(state, index));
    }

    /**
     * The lowest commit-log offset of a parked message delivery may still read (indexed or late; Long.MAX_VALUE:
     * none). Any thread.
     */
    public long floor() {
        return Math.min(index.lowestOffset(), state.lowestLateOffset());
    }

    /**
     * Ticks the delivery every {@link DueDelivery#TICK_INTERVAL_MS} on {@code scheduler}; a tick does nothing while
     * {@code batcher} answers null (not serving yet, or stopping).
     *
     * @param proposer    proposes TIMER_PROGRESS entries
     * @param topicExists whether a real topic exists
     * @param readyTerm   {@code LeaderReadiness#readyTerm}
     * @param clockMs     wall-clock ms (the broker's clock)
     */
    public ScheduledFuture<?> startTicking(ScheduledExecutorService scheduler, Supplier<SendBatcher> batcher,
                                           DueDelivery.ProgressProposer proposer, Predicate<String> topicExists,
                                           LongSupplier readyTerm, LongSupplier clockMs) {
        return scheduler.scheduleWithFixedDelay(() -> {
            SendBatcher b = batcher.get();
            if (b == null) {
                return;
            }
            try {
                DueDelivery d = delivery;
                if (d == null) {
                    InternalProducer producer = new InternalProducer(b);
                    d = new DueDelivery(state, index, this::readMessage, producer::submit, proposer, topicExists,
                        readyTerm);
                    delivery = d;
                }
                d.tick(clockMs.getAsLong());
            } catch (RuntimeException e) { // thread boundary: count, log, try again next tick
                tickErrors++;
                LOG.error("due-message delivery tick failed ({} failures so far)", tickErrors, e);
            }
        }, DueDelivery.TICK_INTERVAL_MS, DueDelivery.TICK_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /** The whole stored message at {@code phys} ({@code size} bytes). */
    private ByteBuffer readMessage(long phys, int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        log.readRange(phys, b);
        return b.flip();
    }

    /** Due time of the parked message at {@code phys} (read from the log), or NONE when it is not one. */
    private long sourceDueMs(long phys) {
        try {
            ByteBuffer head = ByteBuffer.allocate(4);
            log.readRange(phys, head);
            int size = head.getInt(0);
            if (size < StoredMessage.FIXED_LENGTH_V1_IPV4 || size > MESSAGE_BYTES_MAX) {
                return DueTime.NONE;
            }
            StoredMessage m = new StoredMessage().wrap(readMessage(phys, size), 0);
            return DueTime.dueMs(m.topic(), m.queueId(), m.storeTimestamp(), m.properties(), levels);
        } catch (CommitLogException | IllegalArgumentException | MessageFormatException e) {
            LOG.warn("the source at {} of a delivered message cannot be read: {}", phys, e.toString());
            return DueTime.NONE;
        }
    }

    public DueState state() {
        return state;
    }

    public DueIndex index() {
        return index;
    }

    /** The delivery service, once the first tick created it (else null). */
    public DueDelivery delivery() {
        return delivery;
    }

    @Override
    public void close() throws IOException {
        index.close();
    }
}
