package io.raftmq.broker.replication;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.record.RecordHeader;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.raft.driver.NotLeaderException;
import io.raftmq.raft.driver.ProposalCallback;
import io.raftmq.raft.driver.ProposalException;
import io.raftmq.raft.driver.ProposalRejectedException;
import io.raftmq.raft.driver.ProposalTimeoutException;
import io.raftmq.raft.driver.RaftAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;

/**
 * Turns concurrent sends into few MESSAGE entries and answers each send once its entry is committed.
 *
 * <p><b>Batching.</b> At most {@code inflightEntriesMax} MESSAGE entries are proposed and not yet committed. A send
 * arriving while that window is full waits in a bounded queue ({@code pendingMax}, beyond it 2 SYSTEM_BUSY); when
 * an entry commits, the waiting sends are packed into the next entry, up to {@code batchBytesMax} bytes and
 * {@code batchMessagesMax} messages (a single larger send still goes alone). So an idle broker proposes each send
 * at once, and a loaded one amortises one log write, fsync and AppendEntries over many sends. The entry body is
 * the sends' stored messages back to back (a lone send's bytes are proposed as they are, without a copy); once an
 * entry's body is packed, the batch keeps no reference to the sends' own arrays.
 *
 * <p><b>Byte budget.</b> The bytes of sends accepted and not yet answered (waiting, or in an entry not yet committed)
 * are counted ({@link #heldBytes}); a send that would take them past {@code heldBytesMax} is refused at once with 2
 * SYSTEM_BUSY and a {@code [REJECTREQUEST]} remark, the answer on which the SDK and the official client back off and
 * retry. So concurrent clients cannot make the leader hold more than that, whatever their number, count or size of
 * sends (only a single send larger than the budget is accepted, when nothing else is held, so it is never refused
 * forever). The peak is kept for tests and metrics ({@link #heldBytesPeak}).
 *
 * <p><b>Offsets.</b> The commit log's stamper writes QUEUEOFFSET and PHYSICALOFFSET into the record when it is
 * appended, and the raft log files what it stamped under the entry's index and term ({@link StampedOffsets}). When
 * the entry commits (after the state machine dispatched it), the callback takes the offsets from there and hands
 * every message's offsets to its send; only when they are not filed (an entry appended before a restart, or pushed
 * out of the rings) it reads the stamped record back by index. Either way the message count must match the batch
 * and the first message must start the record body, else the callback fails loudly. Nothing is answered before
 * the commit.
 *
 * <p>Threads: {@link #submit} from any thread; callbacks and the commit read on the raft agent thread (which owns
 * {@link #readBuffer}). Failures map to codes as in {@link AppendCallback#onFailed}; a send refused because
 * leadership moves goes to {@link AppendCallback#onLeaderMoving} instead (not counted as failed: its caller may
 * still deliver it elsewhere).
 */
public final class SendBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SendBatcher.class);

    private final Proposer proposer;
    private final CommitLog log;
    private final LongFunction<String> brokerAddrOfNode;
    private final int batchBytesMax;
    private final int batchMessagesMax;
    private final int inflightEntriesMax;
    private final int pendingMax;
    private final long commitTimeoutMs;
    private final Clock clock;
    /** The raft log's filed stamps (agent thread only); null: always read the record back. */
    private final StampedOffsets stamped;
    /** Agent thread only: a record read back at commit. */
    private final ByteBuffer readBuffer;

    private final long heldBytesMax;

    // Guarded by this. Invariant: 0 <= inflight <= inflightEntriesMax; waiting.size() <= pendingMax;
    // 0 <= heldBytes <= max(heldBytesMax, the largest single send); heldBytesPeak >= heldBytes.
    private final ArrayDeque<Send> waiting = new ArrayDeque<>();
    private int inflight;
    /** Bytes of the sends accepted and not yet answered (waiting or in flight). */
    private long heldBytes;
    private long heldBytesPeak;
    private boolean closed;

    private final LongAdder entriesProposed = new LongAdder();
    private final LongAdder sendsCommitted = new LongAdder();
    private final LongAdder sendsFailed = new LongAdder();
    private final LongAdder entriesReadBack = new LongAdder();

    /**
     * Counters since start (racy reads: each field is exact, the three together are not one snapshot).
     *
     * @param entriesProposed MESSAGE entries proposed to Raft
     * @param sendsCommitted  sends answered SUCCESS after their entry committed
     * @param sendsFailed     sends answered with an error (refused, failed or timed out)
     */
    public record Stats(long entriesProposed, long sendsCommitted, long sendsFailed) {
    }

    /**
     * Port: where MESSAGE entries are proposed. Production passes {@link RaftAgent#propose(int, byte[],
     * ProposalCallback)}; the whole-broker simulation passes its own driver of the raft core (docs/simulation.md).
     * The callback runs once, on the thread that applies committed entries.
     */
    @FunctionalInterface
    public interface Proposer {
        void propose(int type, byte[] payload, ProposalCallback callback);
    }

    /** One send: its stored messages (back to back) and who to tell. */
    private record Send(byte[] messages, int count, AppendCallback callback) {
    }

    /**
     * @param brokerAddrOfNode client-facing address of a Raft node id (null if unknown), for NOT_LEADER remarks
     * @param commitTimeoutMs  the agent's proposal timeout, named in the remark of timed-out sends
     * @param clock            time of {@link #awaitIdle}'s deadline
     */
    public SendBatcher(RaftAgent agent, CommitLog log, LongFunction<String> brokerAddrOfNode, int batchBytesMax,
                       int batchMessagesMax, int inflightEntriesMax, int pendingMax, long commitTimeoutMs,
                       Clock clock) {
        this(agent, log, null, brokerAddrOfNode, batchBytesMax, batchMessagesMax, inflightEntriesMax, pendingMax,
            commitTimeoutMs, clock);
    }

    /**
     * As the constructor above, answering committed sends from {@code stamped} (the agent's
     * {@link CommitLogRaftLog#stampedOffsets()}, null to read every committed record back).
     */
    public SendBatcher(RaftAgent agent, CommitLog log, StampedOffsets stamped, LongFunction<String> brokerAddrOfNode,
                       int batchBytesMax, int batchMessagesMax, int inflightEntriesMax, int pendingMax,
                       long commitTimeoutMs, Clock clock) {
        this(agent, log, stamped, brokerAddrOfNode, batchBytesMax, batchMessagesMax, inflightEntriesMax, pendingMax,
            (long) batchBytesMax * (inflightEntriesMax + 1), commitTimeoutMs, clock);
    }

    /**
     * As the constructor above, holding at most {@code heldBytesMax} bytes of accepted, unanswered sends (class
     * javadoc, "Byte budget").
     */
    public SendBatcher(RaftAgent agent, CommitLog log, StampedOffsets stamped, LongFunction<String> brokerAddrOfNode,
                       int batchBytesMax, int batchMessagesMax, int inflightEntriesMax, int pendingMax,
                       long heldBytesMax, long commitTimeoutMs, Clock clock) {
        this(agent::propose, log, stamped, brokerAddrOfNode, batchBytesMax, batchMessagesMax, inflightEntriesMax,
            pendingMax, heldBytesMax, commitTimeoutMs, clock);
    }

    /** As the constructor above, proposing through {@code proposer} instead of a {@link RaftAgent}. */
    public SendBatcher(Proposer proposer, CommitLog log, StampedOffsets stamped, LongFunction<String> brokerAddrOfNode,
                       int batchBytesMax, int batchMessagesMax, int inflightEntriesMax, int pendingMax,
                       long heldBytesMax, long commitTimeoutMs, Clock clock) {
        Verify.argument(batchBytesMax > 0 && batchMessagesMax > 0, "batch limits must be positive");
        Verify.argument(inflightEntriesMax > 0 && pendingMax > 0, "queue limits must be positive");
        Verify.argument(heldBytesMax > 0, "heldBytesMax must be positive");
        this.heldBytesMax = heldBytesMax;
        this.proposer = proposer;
        this.log = log;
        this.brokerAddrOfNode = brokerAddrOfNode;
        this.batchBytesMax = batchBytesMax;
        this.batchMessagesMax = batchMessagesMax;
        this.inflightEntriesMax = inflightEntriesMax;
        this.pendingMax = pendingMax;
        this.commitTimeoutMs = commitTimeoutMs;
        this.clock = clock;
        this.stamped = stamped;
        this.readBuffer = ByteBuffer.allocate(log.config().recordBytesMax());
    }

    /**
     * Queues a send of {@code count} encoded stored messages (PHYSICALOFFSET and QUEUEOFFSET 0: the store stamps
     * them). {@code messages} is handed over and must not change. The callback runs exactly once.
     */
    public void submit(byte[] messages, int count, AppendCallback callback) {
        Verify.argument(count >= 1, "a send has at least one message");
        if (messages.length + RecordHeader.HEADER_LENGTH > readBuffer.capacity()) {
            callback.onFailed(ResponseCode.MESSAGE_ILLEGAL, "the encoded messages (" + messages.length
                + " bytes) exceed the largest commit log record (" + readBuffer.capacity() + " bytes)");
            return;
        }
        Batch next = null;
        String refusal;
        boolean wasClosed;
        synchronized (this) {
            wasClosed = closed;
            refusal = refusal(messages.length);
            if (refusal == null) {
                waiting.addLast(new Send(messages, count, callback));
                heldBytes += messages.length;
                heldBytesPeak = Math.max(heldBytesPeak, heldBytes);
                next = takeIfWindowOpen();
            }
        }
        if (refusal != null) {
            sendsFailed.increment();
            callback.onFailed(wasClosed ? ResponseCode.SERVICE_NOT_AVAILABLE : ResponseCode.SYSTEM_BUSY, refusal);
            return;
        }
        propose(next);
    }

    /** Why a send of {@code bytes} cannot be accepted now, or null. Guarded by this. */
    private String refusal(int bytes) {
        if (closed) {
            return "broker is shutting down";
        }
        if (waiting.size() >= pendingMax) {
            return "[REJECTREQUEST]too many sends waiting for replication (" + pendingMax + ")";
        }
        if (heldBytes > 0 && heldBytes + bytes > heldBytesMax) {
            return "[REJECTREQUEST]sends waiting for replication hold " + heldBytes + " bytes, " + bytes
                + " more would pass the budget of " + heldBytesMax + "; retry later";
        }
        return null;
    }

    /** Takes the next batch if fewer than inflightEntriesMax entries are outstanding; null otherwise. */
    private Batch takeIfWindowOpen() {
        if (inflight >= inflightEntriesMax || waiting.isEmpty()) {
            return null;
        }
        int n = 0;
        int bytes = 0;
        int messages = 0;
        for (Send s : waiting) {
            if (n > 0 && (bytes + s.messages.length > batchBytesMax || messages + s.count > batchMessagesMax)) {
                break;
            }
            n++;
            bytes += s.messages.length;
            messages += s.count;
        }
        Send[] sends = new Send[n];
        for (int i = 0; i < n; i++) {
            sends[i] = waiting.pollFirst();
        }
        inflight++;
        return new Batch(sends, bytes, messages);
    }

    private void propose(Batch b) {
        if (b == null) {
            return;
        }
        entriesProposed.increment();
        proposer.propose(EntryType.MESSAGE, b.payload(), b);
    }

    /**
     * Called when an entry of {@code bytes} finished (either way): frees its window slot and its bytes and proposes
     * what waited meanwhile.
     */
    private void entryDone(int bytes) {
        Batch next;
        synchronized (this) {
            inflight--;
            heldBytes -= bytes;
            Verify.state(heldBytes >= 0, "held bytes went negative", heldBytes, bytes);
            Verify.state(inflight >= 0, "inflight went negative", inflight);
            if (inflight == 0) {
                notifyAll();
            }
            next = closed ? null : takeIfWindowOpen();
        }
        propose(next);
    }

    /** Refuses new sends and fails the waiting ones with 14; entries in flight are answered by the agent. */
    @Override
    public void close() {
        Send[] left;
        synchronized (this) {
            closed = true;
            left = waiting.toArray(new Send[0]);
            waiting.clear();
            for (Send s : left) {
                heldBytes -= s.messages.length;
            }
        }
        for (Send s : left) {
            sendsFailed.increment();
            s.callback.onFailed(ResponseCode.SERVICE_NOT_AVAILABLE, "broker is shutting down");
        }
    }

    /**
     * Waits until no entry is in flight (each was committed or failed and its sends answered), at most
     * {@code timeoutMs}; returns whether that happened. Used by a graceful shutdown after {@link #close}.
     */
    public boolean awaitIdle(long timeoutMs) {
        long deadline = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (this) {
            while (inflight > 0) {
                long left = deadline - clock.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Bytes of the sends accepted and not yet answered, now. */
    public synchronized long heldBytes() {
        return heldBytes;
    }

    /** The most bytes of accepted, unanswered sends held at once since start (class javadoc, "Byte budget"). */
    public synchronized long heldBytesPeak() {
        return heldBytesPeak;
    }

    /** Counters since start. */
    public Stats stats() {
        return new Stats(entriesProposed.sum(), sendsCommitted.sum(), sendsFailed.sum());
    }

    /** Committed entries whose offsets were read back from the commit log (not found filed), since start. */
    public long entriesReadBack() {
        return entriesReadBack.sum();
    }

    /** Maps a raft failure to a response code and remark (docs/protocol.md §1.6: never 12). */
    int failureCode(ProposalException cause) {
        if (cause instanceof NotLeaderException) {
            return ResponseCode.SERVICE_NOT_AVAILABLE;
        }
        if (cause instanceof ProposalTimeoutException) {
            return ResponseCode.SYSTEM_ERROR;
        }
        if (cause instanceof ProposalRejectedException r) {
            boolean busy = r.reason() == ProposalRejectedException.Reason.QUEUE_FULL
                || r.reason() == ProposalRejectedException.Reason.UNCOMMITTED_LIMIT;
            return busy ? ResponseCode.SYSTEM_BUSY : ResponseCode.SERVICE_NOT_AVAILABLE;
        }
        return ResponseCode.SYSTEM_ERROR;
    }

    /**
     * Whether {@code cause} says leadership is moving and the entry never entered the log (refused during a
     * transfer) or was replaced by another leader's entry (never committed): its sends may go to the new leader.
     */
    static boolean leaderMoving(ProposalException cause) {
        return cause instanceof NotLeaderException || cause instanceof ProposalRejectedException r
            && r.reason() == ProposalRejectedException.Reason.TRANSFERRING_LEADERSHIP;
    }

    String failureRemark(ProposalException cause) {
        if (cause instanceof NotLeaderException n) {
            String leader = n.leaderHint() > 0 ? brokerAddrOfNode.apply(n.leaderHint()) : null;
            return "[NOT_LEADER]this broker is not the leader of its group; leader "
                + (leader == null ? "unknown" : leader);
        }
        if (cause instanceof ProposalTimeoutException) {
            return "in-sync replicas not enough: not committed within " + commitTimeoutMs + " ms (outcome unknown)";
        }
        if (cause instanceof ProposalRejectedException r && failureCode(cause) == ResponseCode.SYSTEM_BUSY) {
            return "[REJECTREQUEST]replication back-pressure: " + r.reason();
        }
        return String.valueOf(cause.getMessage());
    }

    /**
     * Reads the stamped offsets of committed MESSAGE entry {@code index} back from the log into {@code physical} and
     * {@code queue} (their length is the entry's message count); returns an error remark, or null. A record that is
     * not the batch (other type, other message count, an offset that is not its own position) is an
     * {@link IllegalStateException}. Uses {@code readBuffer} (cleared first).
     */
    static String readOffsets(CommitLog log, ByteBuffer readBuffer, long index, long[] physical, long[] queue) {
        int messages = physical.length;
        try {
            readBuffer.clear();
            long position = log.position(index);
            int n = log.entries(index, index + 1, readBuffer);
            Verify.state(n == 1 && RecordHeader.index(readBuffer, 0) == index, "read back the committed entry",
                index, n);
            Verify.state(RecordHeader.type(readBuffer, 0) == EntryType.MESSAGE, "committed entry type", index,
                RecordHeader.type(readBuffer, 0));
            int end = RecordHeader.HEADER_LENGTH + RecordHeader.bodyLength(readBuffer, 0);
            int at = RecordHeader.HEADER_LENGTH;
            for (int i = 0; i < messages; i++) {
                physical[i] = readBuffer.getLong(at + StoredMessage.PHYSICAL_OFFSET_OFFSET);
                queue[i] = readBuffer.getLong(at + StoredMessage.QUEUE_OFFSET_OFFSET);
                Verify.state(physical[i] == position + at, "stamped physical offset", physical[i], position + at);
                at += readBuffer.getInt(at + StoredMessage.TOTAL_SIZE_OFFSET);
            }
            Verify.state(at == end, "entry body holds exactly the batch's messages", at, end);
            return null;
        } catch (CommitLogException | IllegalArgumentException e) {
            LOG.error("cannot read back committed entry {} to answer its sends", index, e);
            return "stored and committed, but reading back the offsets failed: " + e.getMessage();
        }
    }

    /**
     * One MESSAGE entry in flight: its sends' message counts and callbacks, in body order. The sends' arrays are
     * referenced only until {@link #payload} packed them.
     */
    private final class Batch implements ProposalCallback {
        private Send[] toPack;
        private final int[] counts;
        private final AppendCallback[] callbacks;
        private final int bytes;
        private final int messages;

        Batch(Send[] sends, int bytes, int messages) {
            this.toPack = sends;
            this.counts = new int[sends.length];
            this.callbacks = new AppendCallback[sends.length];
            for (int i = 0; i < sends.length; i++) {
                counts[i] = sends[i].count;
                callbacks[i] = sends[i].callback;
            }
            this.bytes = bytes;
            this.messages = messages;
        }

        /** The entry body; called once, before the proposal. */
        byte[] payload() {
            Send[] sends = toPack;
            Verify.state(sends != null, "batch packed twice", bytes, messages);
            toPack = null;
            if (sends.length == 1) {
                return sends[0].messages;
            }
            byte[] out = new byte[bytes];
            int at = 0;
            for (Send s : sends) {
                System.arraycopy(s.messages, 0, out, at, s.messages.length);
                at += s.messages.length;
            }
            Verify.state(at == bytes, "packed bytes", at, bytes);
            return out;
        }

        @Override
        public void onCommitted(long index, long term) {
            long[] physical = new long[messages];
            long[] queue = new long[messages];
            String error = null;
            if (stamped == null || !stamped.lookup(index, term, messages, physical, queue)) {
                entriesReadBack.increment();
                error = readOffsets(log, readBuffer, index, physical, queue);
            }
            entryDone(bytes);
            int from = 0;
            for (int i = 0; i < callbacks.length; i++) {
                if (error == null) {
                    sendsCommitted.increment();
                    callbacks[i].onCommitted(physical, queue, from, counts[i]);
                } else {
                    sendsFailed.increment();
                    callbacks[i].onFailed(ResponseCode.SYSTEM_ERROR, error);
                }
                from += counts[i];
            }
        }

        @Override
        public void onFailure(ProposalException cause) {
            entryDone(bytes);
            int code = failureCode(cause);
            String remark = failureRemark(cause);
            boolean moving = leaderMoving(cause);
            for (AppendCallback callback : callbacks) {
                if (moving) {
                    callback.onLeaderMoving(code, remark);
                } else {
                    sendsFailed.increment();
                    callback.onFailed(code, remark);
                }
            }
        }
    }
}
