package io.raftmq.broker.transaction;

import io.raftmq.broker.entry.ProposalFailedException;
import io.raftmq.broker.produce.InternalSendException;
import io.raftmq.broker.produce.Redraft;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;
import io.raftmq.raft.driver.NotLeaderException;
import io.raftmq.raft.driver.ProposalRejectedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Resolves half messages on the leader, at most once each (docs/messaging.md "Transactions"):
 * <ul>
 *   <li>{@link #commit}: writes the visible message (real topic and queue, REAL_TOPIC / REAL_QID / TRAN_MSG dropped,
 *       transaction bits 8, PREPAREDTRANSACTIONOFFSET = the half); applying it resolves the half;</li>
 *   <li>{@link #rollback}: proposes TRANSACTION_OP ROLLBACK;</li>
 *   <li>{@link #discard}: copies the half to TRANS_CHECK_MAX_TIME_TOPIC (PREPAREDTRANSACTIONOFFSET = the half).</li>
 * </ul>
 * Each acts only when this member is ready to lead ({@link HalfStore#readyTerm}), the half is pending, and no other
 * resolution of it is in flight: the in-flight set admits one resolution per half. A resolution that fails
 * before it was proposed (not leader, busy, malformed) releases its mark; one whose outcome is unknown (it may
 * still commit in this term) keeps it until the term changes, so a retry can never make a second visible message.
 * Everything else is refused with a reason ({@link Outcome}), which the callers log as RocketMQ's broker would answer.
 *
 * <p>Threads: any (the in-flight set is concurrent); completions run on the raft agent thread.
 */
public final class TransactionResolver {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionResolver.class);

    private final PendingHalves pending;
    private final HalfStore store;
    private final LongSupplier clockMs;
    /** Half offset -> the term in which its resolution was proposed. */
    private final Map<Long, Long> inFlight = new ConcurrentHashMap<>();
    /**
     * Halves whose resolution is not answered yet, whatever the term: still waiting in the send batcher or the
     * agent's queue, it may be proposed and commit in a later term of this member, so a new term must not resolve
     * the half a second time meanwhile (docs/messaging.md "Transactions").
     */
    private final Set<Long> unanswered = ConcurrentHashMap.newKeySet();

    /** Why a resolution was or was not started. */
    public enum Outcome {
        STARTED, NOT_READY, NOT_PENDING, IN_FLIGHT, WRONG_GROUP, UNREADABLE
    }

    /**
     * @param clockMs the store time of the messages this writes (the leader's wall clock, ms)
     */
    public TransactionResolver(PendingHalves pending, HalfStore store, LongSupplier clockMs) {
        this.pending = pending;
        this.store = store;
        this.clockMs = clockMs;
    }

    /**
     * Commits the half at {@code offset} if it is pending and belongs to {@code producerGroup} (null: any group).
     */
    public Outcome commit(long offset, String producerGroup) {
        return resolve(offset, producerGroup, half -> store.write(committed(half, offset, clockMs.getAsLong())));
    }

    /** Rolls the half at {@code offset} back if it is pending and belongs to {@code producerGroup} (null: any). */
    public Outcome rollback(long offset, String producerGroup) {
        return resolve(offset, producerGroup, half -> store.propose(TransactionOp.rollback(offset)));
    }

    /** Copies the half at {@code offset} to TRANS_CHECK_MAX_TIME_TOPIC, which resolves it. */
    public Outcome discard(long offset) {
        return resolve(offset, null, half -> store.write(discarded(half, offset, clockMs.getAsLong())));
    }

    /** Whether a resolution of the half at {@code offset} is in flight in the current term. */
    public boolean inFlight(long offset) {
        Long term = inFlight.get(offset);
        return unanswered.contains(offset) || term != null && term == store.readyTerm();
    }

    private interface Action {
        CompletableFuture<?> start(StoredMessage half);
    }

    private Outcome resolve(long offset, String producerGroup, Action action) {
        long term = store.readyTerm();
        if (term == 0) {
            return Outcome.NOT_READY;
        }
        PendingHalves.Half h = pending.get(offset);
        if (h == null) {
            return Outcome.NOT_PENDING;
        }
        if (producerGroup != null && h.producerGroup() != null && !producerGroup.equals(h.producerGroup())) {
            return Outcome.WRONG_GROUP;
        }
        if (unanswered.contains(offset)) {
            return Outcome.IN_FLIGHT;
        }
        Long previous = inFlight.put(offset, term);
        if (previous != null && previous == term) {
            return Outcome.IN_FLIGHT;
        }
        forgetOtherTerms(term);
        byte[] bytes = store.read(offset);
        if (bytes == null) {
            inFlight.remove(offset, term);
            return Outcome.UNREADABLE;
        }
        StoredMessage half = new StoredMessage().wrap(ByteBuffer.wrap(bytes), 0);
        CompletableFuture<?> f;
        try {
            f = action.start(half);
        } catch (IllegalArgumentException | IllegalStateException e) {
            inFlight.remove(offset, term);
            LOG.warn("cannot resolve half {}: {}", offset, e.toString());
            return Outcome.UNREADABLE;
        }
        unanswered.add(offset);
        f.whenComplete((v, e) -> {
            unanswered.remove(offset);
            finished(offset, term, e);
        });
        return Outcome.STARTED;
    }

    private void forgetOtherTerms(long term) {
        Set<Map.Entry<Long, Long>> entries = inFlight.entrySet();
        entries.removeIf(e -> e.getValue() != term && !unanswered.contains(e.getKey()));
    }

    private void finished(long offset, long term, Throwable e) {
        if (e == null || refusedBeforeProposal(e)) {
            inFlight.remove(offset, term);
        }
        if (e != null) {
            LOG.info("resolution of half {} failed: {}", offset, e.toString());
        }
    }

    /**
     * Failures after which the record cannot commit in this term any more. A rollback's TRANSACTION_OP refused
     * before it entered the log (the metadata proposer's {@link ProposalFailedException} over a
     * {@link ProposalRejectedException}: a leadership transfer, back-pressure) is one: kept in flight, the half
     * would be neither rolled back nor checked again until the term changed (docs/messaging.md "Transactions").
     */
    private static boolean refusedBeforeProposal(Throwable e) {
        Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (c instanceof NotLeaderException) {
            return true;
        }
        if (c instanceof ProposalFailedException f && f.getCause() instanceof ProposalRejectedException) {
            return true;
        }
        if (c instanceof InternalSendException s) {
            int code = s.responseCode();
            return code == ResponseCode.SERVICE_NOT_AVAILABLE || code == ResponseCode.SYSTEM_BUSY
                || code == ResponseCode.MESSAGE_ILLEGAL;
        }
        return false;
    }

    /**
     * The visible message of a committed transaction: the half with its real topic and queue, without REAL_TOPIC,
     * REAL_QID and TRAN_MSG, transaction bits 8 and PREPAREDTRANSACTIONOFFSET = {@code offset}
     * (docs/protocol.md §2.9).
     */
    static MessageDraft committed(StoredMessage half, long offset, long nowMs) {
        Map<String, String> props = MessageProperties.decode(half.properties());
        String topic = props.remove(TransactionNames.REAL_TOPIC);
        String qid = props.remove(TransactionNames.REAL_QID);
        props.remove(TransactionNames.TRAN_MSG);
        if (topic == null || qid == null) {
            throw new IllegalArgumentException("the half message has no REAL_TOPIC / REAL_QID");
        }
        return Redraft.from(half).topic(topic).queueId(Integer.parseInt(qid))
            .properties(MessageProperties.encode(props))
            .sysFlag((half.sysFlag() & ~SysFlag.TRANSACTION_MASK) | SysFlag.TRANSACTION_COMMIT)
            .storeTimestamp(nowMs).preparedTransactionOffset(offset);
    }

    /** The copy of a half kept in TRANS_CHECK_MAX_TIME_TOPIC queue 0 (properties kept, for the operator). */
    static MessageDraft discarded(StoredMessage half, long offset, long nowMs) {
        return Redraft.from(half).topic(TransactionNames.CHECK_MAX_TOPIC).queueId(0)
            .sysFlag(half.sysFlag() & ~SysFlag.TRANSACTION_MASK).storeTimestamp(nowMs)
            .preparedTransactionOffset(offset);
    }
}
