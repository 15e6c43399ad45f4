package io.raftmq.broker.transaction;

import io.raftmq.broker.replication.AppliedMessageListener;
import io.raftmq.broker.replication.ReplicatedEntryHandler;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The half messages not yet resolved, derived on every member from the committed log alone (docs/messaging.md
 * "Transactions"), so a new leader knows exactly the halves its predecessors left open:
 * <pre>
 *  committed record                                               | effect
 * ----------------------------------------------------------------+------------------------------------------
 *  message in RMQ_SYS_TRANS_HALF_TOPIC at offset P                 | P pending (store time, PGROUP, immunity)
 *  message with transaction bits 8 (commit), PREPAREDTRANSACTION-  | P resolved (the visible message of a
 *    OFFSET = P                                                    |   committed transaction)
 *  message in TRANS_CHECK_MAX_TIME_TOPIC, PREPAREDTRANSACTION-     | P resolved (discarded after check-max)
 *    OFFSET = P                                                    |
 *  TRANSACTION_OP ROLLBACK(P)                                      | P resolved
 *  TRANSACTION_OP CHECKED(P, n)                                    | P's check count = n
 * </pre>
 * A record naming an offset that is not pending changes nothing (already resolved, or not a half at all), so one
 * half has at most one resolution whatever races happened on the leader.
 *
 * <p>Threads: written on the raft agent thread only (both hooks); read from any thread (a concurrent sorted map of
 * immutable {@link Half}s).
 */
public final class PendingHalves implements AppliedMessageListener, ReplicatedEntryHandler {
    private static final int HALF_TOPIC_LENGTH =
        TransactionNames.HALF_TOPIC.getBytes(StandardCharsets.UTF_8).length;
    private static final Logger LOG = LoggerFactory.getLogger(PendingHalves.class);

    private final ConcurrentSkipListMap<Long, Half> pending = new ConcurrentSkipListMap<>();

    /**
     * One pending half message.
     *
     * @param offset         physical offset in the commit log (the transaction's identity)
     * @param storeTimestamp when the leader stored it (ms, the leader's clock, written in the message)
     * @param producerGroup  PGROUP: the group asked about the outcome (may be null)
     * @param immunitySec    CHECK_IMMUNITY_TIME_IN_SECONDS, or -1 when absent or not a number
     * @param checks         check-backs so far (replicated through CHECKED ops)
     */
    public record Half(long offset, long storeTimestamp, String producerGroup, long immunitySec, int checks) {
        Half withChecks(int n) {
            return new Half(offset, storeTimestamp, producerGroup, immunitySec, n);
        }
    }

    @Override
    public void onApplied(long index, long physicalOffset, StoredMessage message) {
        long source = message.preparedTransactionOffset();
        if (source != 0) {
            boolean commit = SysFlag.transactionType(message.sysFlag()) == SysFlag.TRANSACTION_COMMIT;
            if (commit || TransactionNames.CHECK_MAX_TOPIC.equals(message.topic())) {
                resolve(index, source, commit ? "commit" : "check-max discard");
            }
            return;
        }
        if (message.topicLength() != HALF_TOPIC_LENGTH || !TransactionNames.HALF_TOPIC.equals(message.topic())) {
            return; // the length check first: most applied messages are ordinary, and topic() decodes a String
        }
        String props = message.properties();
        Half h = new Half(physicalOffset, message.storeTimestamp(),
            MessageProperties.get(props, TransactionNames.PGROUP),
            parseSeconds(MessageProperties.get(props, TransactionNames.CHECK_IMMUNITY_TIME_IN_SECONDS)), 0);
        pending.put(physicalOffset, h);
    }

    @Override
    public void apply(long index, byte[] payload) {
        TransactionOp op = TransactionOpCodec.decode(payload);
        if (op.kind() == TransactionOp.Kind.ROLLBACK) {
            resolve(index, op.halfOffset(), "rollback");
            return;
        }
        Half h = pending.get(op.halfOffset());
        if (h == null) {
            LOG.debug("entry {}: CHECKED for half {} which is not pending", index, op.halfOffset());
            return;
        }
        pending.put(h.offset(), h.withChecks(Math.max(h.checks(), op.checks())));
    }

    private void resolve(long index, long halfOffset, String how) {
        if (pending.remove(halfOffset) == null) {
            LOG.debug("entry {}: {} of half {} which is not pending", index, how, halfOffset);
        }
    }

    /** The pending half at {@code offset}, or null. Any thread. */
    public Half get(long offset) {
        return pending.get(offset);
    }

    /** Whether the half at {@code offset} is pending. Any thread. */
    public boolean isPending(long offset) {
        return pending.containsKey(offset);
    }

    /** The pending halves in offset order (a copy). Any thread. */
    public List<Half> snapshot() {
        return new ArrayList<>(pending.values());
    }

    /** Replaces every pending half with {@code halves} (a snapshot's). Agent thread. */
    void replaceAll(List<Half> halves) {
        pending.clear();
        for (Half h : halves) {
            pending.put(h.offset(), h);
        }
    }

    /**
     * The lowest physical offset of a pending half ({@link Long#MAX_VALUE}: none): the check-back and a commit
     * still read it from the commit log (docs/snapshots.md rule 3). Any thread.
     */
    public long lowestOffset() {
        Map.Entry<Long, Half> first = pending.firstEntry();
        return first == null ? Long.MAX_VALUE : first.getKey();
    }

    /** The number of pending halves. Any thread. */
    public int size() {
        return pending.size();
    }

    private static long parseSeconds(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
