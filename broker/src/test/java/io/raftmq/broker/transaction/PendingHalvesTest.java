package io.raftmq.broker.transaction;

import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.SysFlag;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the pending-half table is a pure function of the applied records (docs/messaging.md "Transactions"): a
 * half makes its offset pending with store time, PGROUP and immunity; a commit-type message or a check-max copy
 * naming it, or a ROLLBACK op, resolves it once; CHECKED sets its count; records naming anything else change
 * nothing. Replaying the same records into a second table gives the same state.
 */
class PendingHalvesTest {
    @Test
    void halfBecomesPendingWithItsFields() {
        TxnLog log = new TxnLog();
        long p = log.half("pg", 5_000, "12", "U1");
        PendingHalves.Half h = log.pending.get(p);
        assertThat(h).isEqualTo(new PendingHalves.Half(p, 5_000, "pg", 12, 0));
        long q = log.half("pg", 6_000, "x", "U2");
        assertThat(log.pending.get(q).immunitySec()).isEqualTo(-1);
        assertThat(log.pending.snapshot()).extracting(PendingHalves.Half::offset).containsExactly(p, q);
    }

    @Test
    void commitRecordResolvesItsHalfOnly() {
        TxnLog log = new TxnLog();
        long p = log.half("pg", 1, null, "U1");
        long q = log.half("pg", 2, null, "U2");
        log.write(TransactionResolver.committed(TxnLog.wrap(log.read(p)), p, 10));
        log.commitAll();
        assertThat(log.pending.isPending(p)).isFalse();
        assertThat(log.pending.isPending(q)).isTrue();
    }

    @Test
    void messagesNamingASourceWithoutCommitBitsDoNotResolve() {
        TxnLog log = new TxnLog();
        long p = log.half("pg", 1, null, "U1");
        MessageDraft redelivered = TransactionResolver.committed(TxnLog.wrap(log.read(p)), p, 10)
            .sysFlag(SysFlag.TRANSACTION_NOT);
        log.write(redelivered);
        log.commitAll();
        assertThat(log.pending.isPending(p)).isTrue();
    }

    @Test
    void checkMaxCopyAndRollbackResolve() {
        TxnLog log = new TxnLog();
        long p = log.half("pg", 1, null, "U1");
        long q = log.half("pg", 2, null, "U2");
        log.write(TransactionResolver.discarded(TxnLog.wrap(log.read(p)), p, 10));
        log.propose(TransactionOp.rollback(q));
        log.commitAll();
        assertThat(log.pending.size()).isZero();
    }

    @Test
    void checkedSetsTheCountAndUnknownOffsetsAreNoOps() {
        TxnLog log = new TxnLog();
        long p = log.half("pg", 1, null, "U1");
        log.propose(TransactionOp.checked(p, 1));
        log.propose(TransactionOp.checked(p, 2));
        log.propose(TransactionOp.checked(p + 1, 1));
        log.propose(TransactionOp.rollback(p + 1));
        log.commitAll();
        assertThat(log.pending.get(p).checks()).isEqualTo(2);
        assertThat(log.pending.size()).isEqualTo(1);
        log.propose(TransactionOp.rollback(p));
        log.propose(TransactionOp.rollback(p));
        log.commitAll();
        assertThat(log.pending.size()).isZero();
    }

    @Test
    void malformedOpStopsTheApply() {
        assertThatThrownBy(() -> new PendingHalves().apply(1, new byte[] {1, 2}))
            .isInstanceOf(io.raftmq.broker.entry.EntryFormatException.class);
    }
}
