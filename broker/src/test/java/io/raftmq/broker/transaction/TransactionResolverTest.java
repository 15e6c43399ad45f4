package io.raftmq.broker.transaction;

import io.raftmq.broker.entry.ProposalFailedException;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;
import io.raftmq.raft.driver.ProposalRejectedException;
import io.raftmq.raft.driver.ProposalTimeoutException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: END_TRANSACTION decisions resolve a half at most once whatever the interleaving: a second commit, a
 * rollback racing a commit, a decision about an unknown or resolved half, or one arriving before this member is
 * ready to lead change nothing; the committed message has exactly the fields RocketMQ gives it
 * (docs/protocol.md §2.9). Every race is played step by step on an in-memory log ({@link TxnLog}).
 */
class TransactionResolverTest {
    private final TxnLog log = new TxnLog();
    private final TransactionResolver resolver = new TransactionResolver(log.pending, log, () -> 77_000);

    @Test
    void commitWritesTheVisibleMessage() {
        long p = log.half("pg", 1_000, null, "U1");
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        log.commitAll();
        StoredMessage m = TxnLog.wrap(log.committedMessages.get(log.committedMessages.size() - 1));
        assertThat(m.topic()).isEqualTo("RealTopic");
        assertThat(m.queueId()).isEqualTo(3);
        assertThat(SysFlag.transactionType(m.sysFlag())).isEqualTo(SysFlag.TRANSACTION_COMMIT);
        assertThat(m.preparedTransactionOffset()).isEqualTo(p);
        assertThat(m.storeTimestamp()).isEqualTo(77_000);
        assertThat(new String(m.body(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("body-U1");
        assertThat(MessageProperties.decode(m.properties())).containsEntry("UNIQ_KEY", "U1")
            .containsEntry("PGROUP", "pg").containsEntry("TAGS", "TagA")
            .doesNotContainKeys("REAL_TOPIC", "REAL_QID", "TRAN_MSG");
        assertThat(log.pending.isPending(p)).isFalse();
        assertThat(resolver.inFlight(p)).isFalse();
    }

    @Test
    void secondCommitWhileInFlightAndAfterwardsChangesNothing() {
        long p = log.half("pg", 1_000, null, "U1");
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.IN_FLIGHT);
        assertThat(log.queued()).isEqualTo(1);
        log.commitAll();
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.NOT_PENDING);
        assertThat(log.queued()).isZero();
        assertThat(visible()).isEqualTo(1);
    }

    @Test
    void commitRacingRollback() {
        long p = log.half("pg", 1_000, null, "U1");
        long q = log.half("pg", 1_000, null, "U2");
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        assertThat(resolver.rollback(p, "pg")).isEqualTo(TransactionResolver.Outcome.IN_FLIGHT);
        assertThat(resolver.rollback(q, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        assertThat(resolver.commit(q, "pg")).isEqualTo(TransactionResolver.Outcome.IN_FLIGHT);
        log.commitAll();
        assertThat(visible()).isEqualTo(1);
        assertThat(log.committedOps).containsExactly(TransactionOp.rollback(q));
        assertThat(log.pending.size()).isZero();
    }

    @Test
    void unknownWrongGroupAndNotReadyChangeNothing() {
        long p = log.half("pg", 1_000, null, "U1");
        assertThat(resolver.commit(p + 1, "pg")).isEqualTo(TransactionResolver.Outcome.NOT_PENDING);
        assertThat(resolver.commit(p, "other")).isEqualTo(TransactionResolver.Outcome.WRONG_GROUP);
        log.term = 0;
        assertThat(resolver.rollback(p, "pg")).isEqualTo(TransactionResolver.Outcome.NOT_READY);
        assertThat(log.queued()).isZero();
        assertThat(log.pending.isPending(p)).isTrue();
    }

    @Test
    void refusedProposalReleasesTheMarkButAnUnknownOutcomeKeepsItForTheTerm() {
        long p = log.half("pg", 1_000, null, "U1");
        resolver.commit(p, "pg");
        log.failNext(ResponseCode.SYSTEM_BUSY);
        assertThat(resolver.inFlight(p)).isFalse();
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        log.failNext(ResponseCode.SYSTEM_ERROR);
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.IN_FLIGHT);
        log.term = 2;
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        log.commitAll();
        assertThat(visible()).isEqualTo(1);
    }

    /**
     * A rollback whose TRANSACTION_OP the metadata proposer reports refused before it entered the log (a leadership
     * transfer in progress: the leader keeps its term) releases the mark, so the next decision or check-back can
     * roll the half back in the same term; a commit timeout through that proposer still keeps it. Found by the
     * broker simulation (a half never resolved after a transfer that did not happen).
     */
    @Test
    void rollbackRefusedBeforeTheLogReleasesTheMark() {
        long p = log.half("pg", 1_000, null, "U1");
        assertThat(resolver.rollback(p, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        log.failNext(new ProposalFailedException("refused", new ProposalRejectedException(
            ProposalRejectedException.Reason.TRANSFERRING_LEADERSHIP)));
        assertThat(resolver.inFlight(p)).isFalse();
        assertThat(resolver.rollback(p, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        log.failNext(new ProposalFailedException("timeout", new ProposalTimeoutException(2000)));
        assertThat(resolver.rollback(p, "pg")).isEqualTo(TransactionResolver.Outcome.IN_FLIGHT);
        log.term = 2;
        assertThat(resolver.rollback(p, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        log.commitAll();
        assertThat(log.pending.isPending(p)).isFalse();
        assertThat(visible()).isZero();
    }

    /**
     * A commit still unanswered when the term changes (waiting in the send batcher: it may be proposed once this
     * member leads again) keeps the half in flight in the new term: a second commit or a check-back's answer does
     * not write a second visible message. Found by the broker simulation.
     */
    @Test
    void commitUnansweredAcrossATermChangeIsNotWrittenTwice() {
        long p = log.half("pg", 1_000, null, "U1");
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        log.term = 2;
        assertThat(resolver.inFlight(p)).isTrue();
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.IN_FLIGHT);
        log.commitAll();
        assertThat(visible()).isEqualTo(1);
        assertThat(resolver.inFlight(p)).isFalse();
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.NOT_PENDING);
    }

    private int visible() {
        int n = 0;
        for (byte[] b : log.committedMessages) {
            n += TxnLog.wrap(b).topic().equals("RealTopic") ? 1 : 0;
        }
        return n;
    }
}
