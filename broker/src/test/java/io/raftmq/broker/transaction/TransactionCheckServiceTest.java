package io.raftmq.broker.transaction;

import io.raftmq.client.protocol.header.CheckTransactionStateRequestHeader;
import io.raftmq.commitlog.message.MessageIds;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the leader's check-back asks about exactly the halves that are due (transactionTimeoutMs or their
 * immunity, then every transactionCheckIntervalMs), records each check before sending it, discards after
 * transactionCheckMax checks, does nothing when not ready to lead, waits one interval after a failover before
 * re-asking, and never sends about a half resolved meanwhile. Time is passed to {@code tick}; no sleeps.
 */
class TransactionCheckServiceTest {
    private static final long TIMEOUT = 6_000;
    private static final long INTERVAL = 30_000;

    private final TxnLog log = new TxnLog();
    private final TransactionResolver resolver = new TransactionResolver(log.pending, log, () -> 1);
    private final List<CheckTransactionStateRequestHeader> sent = new ArrayList<>();
    private final List<byte[]> bodies = new ArrayList<>();
    private int topicEnsured;
    private boolean producerOnline = true;

    private TransactionCheckService service(int checkMax) {
        return new TransactionCheckService(log.pending, resolver, log, new CheckBackSender() {
            @Override
            public boolean send(String group, CheckTransactionStateRequestHeader header, byte[] body) {
                if (!producerOnline) {
                    return false;
                }
                assertThat(group).isEqualTo("pg");
                sent.add(header);
                bodies.add(body);
                return true;
            }

            @Override
            public boolean hasLiveProducer(String group) {
                return producerOnline;
            }
        }, new TransactionCheckService.Settings(TIMEOUT, INTERVAL, checkMax, "broker-a"), () -> topicEnsured++,
            Runnable::run);
    }

    @Test
    void dueHalfIsRecordedThenAsked() {
        TransactionCheckService s = service(15);
        long p = log.half("pg", 1_000, null, "U1");
        s.tick(1_000 + TIMEOUT - 1);
        assertThat(log.queued()).isZero();
        s.tick(1_000 + TIMEOUT);
        assertThat(log.queued()).isEqualTo(1);
        assertThat(sent).isEmpty();
        log.commitAll();
        assertThat(log.pending.get(p).checks()).isEqualTo(1);
        assertThat(sent).hasSize(1);
        CheckTransactionStateRequestHeader h = sent.get(0);
        assertThat(h.commitLogOffset()).isEqualTo(p);
        assertThat(h.tranStateTableOffset()).isZero();
        assertThat(h.topic()).isEqualTo("RealTopic");
        assertThat(h.msgId()).isEqualTo("U1");
        assertThat(h.transactionId()).isEqualTo("U1");
        assertThat(h.offsetMsgId()).isEqualTo(MessageIds.offsetMsgId(TxnLog.HOST, p));
        assertThat(h.bname()).isEqualTo("broker-a");
        StoredMessage body = TxnLog.wrap(bodies.get(0));
        assertThat(body.topic()).isEqualTo("RealTopic");
        assertThat(body.queueId()).isEqualTo(3);
        assertThat(body.physicalOffset()).isEqualTo(p);
    }

    @Test
    void checksRepeatEveryIntervalAndDiscardAtTheMax() {
        TransactionCheckService s = service(2);
        long p = log.half("pg", 0, null, "U1");
        long t = TIMEOUT;
        s.tick(t);
        log.commitAll();
        s.tick(t + INTERVAL - 1);
        assertThat(log.queued()).isZero();
        s.tick(t + INTERVAL);
        log.commitAll();
        assertThat(log.pending.get(p).checks()).isEqualTo(2);
        assertThat(sent).hasSize(2);
        s.tick(t + 2 * INTERVAL);
        assertThat(topicEnsured).isEqualTo(1);
        log.commitAll();
        assertThat(log.pending.isPending(p)).isFalse();
        StoredMessage copy = TxnLog.wrap(log.committedMessages.get(log.committedMessages.size() - 1));
        assertThat(copy.topic()).isEqualTo(TransactionNames.CHECK_MAX_TOPIC);
        assertThat(copy.preparedTransactionOffset()).isEqualTo(p);
        s.tick(t + 10 * INTERVAL);
        assertThat(log.queued()).isZero();
        assertThat(sent).hasSize(2);
    }

    @Test
    void immunityDelaysTheFirstCheckButNeverBelowTheTimeout() {
        TransactionCheckService s = service(15);
        long late = log.half("pg", 0, "20", "U1");
        long early = log.half("pg", 0, "1", "U2");
        s.tick(TIMEOUT);
        log.commitAll();
        assertThat(sent).extracting(CheckTransactionStateRequestHeader::commitLogOffset).containsExactly(early);
        s.tick(19_999);
        assertThat(log.queued()).isZero();
        s.tick(20_000);
        log.commitAll();
        assertThat(sent).extracting(CheckTransactionStateRequestHeader::commitLogOffset).containsExactly(early, late);
    }

    @Test
    void notReadyDoesNothingAndAFailoverWaitsOneInterval() {
        TransactionCheckService s = service(15);
        long checked = log.half("pg", 0, null, "U1");
        log.term = 0;
        s.tick(TIMEOUT);
        assertThat(log.queued()).isZero();
        log.term = 1;
        s.tick(TIMEOUT);
        log.commitAll();
        long fresh = log.half("pg", TIMEOUT, null, "U2");
        TransactionCheckService next = service(15); // the new leader: replicated counts, no soft state
        log.term = 2;
        long ready = 10 * TIMEOUT;
        next.tick(ready);
        log.commitAll();
        assertThat(sent).extracting(CheckTransactionStateRequestHeader::commitLogOffset)
            .containsExactly(checked, fresh);
        next.tick(ready + INTERVAL - 1);
        assertThat(log.queued()).isZero();
        next.tick(ready + INTERVAL);
        log.commitAll();
        assertThat(log.pending.get(checked).checks()).isEqualTo(2);
        assertThat(log.pending.get(fresh).checks()).isEqualTo(2);
    }

    @Test
    void checkRacingEndTransaction() {
        TransactionCheckService s = service(15);
        long p = log.half("pg", 0, null, "U1");
        long q = log.half("pg", 0, null, "U2");
        assertThat(resolver.rollback(q, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        s.tick(TIMEOUT); // q's rollback is in flight: q is skipped; p's CHECKED is proposed
        assertThat(log.queued()).isEqualTo(2);
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.STARTED);
        log.commitAll(); // rollback(q), CHECKED(p) (its check goes out), then the commit of p
        assertThat(log.committedOps).containsExactly(TransactionOp.rollback(q), TransactionOp.checked(p, 1));
        assertThat(sent).extracting(CheckTransactionStateRequestHeader::commitLogOffset).containsExactly(p);
        assertThat(log.pending.size()).isZero();
        // the producer's answer to that check arrives after the commit: it changes nothing
        assertThat(resolver.commit(p, "pg")).isEqualTo(TransactionResolver.Outcome.NOT_PENDING);
        assertThat(resolver.rollback(p, "pg")).isEqualTo(TransactionResolver.Outcome.NOT_PENDING);
        assertThat(log.queued()).isZero();
        s.tick(TIMEOUT + INTERVAL);
        assertThat(log.queued()).isZero();
    }

    @Test
    void aCheckCommittedAfterTheHalfWasResolvedIsNotSent() {
        TransactionCheckService s = service(15);
        long p = log.half("pg", 0, null, "U1");
        s.tick(TIMEOUT);
        assertThat(log.queued()).isEqualTo(1);
        // an entry ahead of the CHECKED one in the log (e.g. a former leader's rollback) resolves the half first
        log.pending.apply(1_000_000, TransactionOpCodec.encode(TransactionOp.rollback(p)));
        log.commitAll();
        assertThat(log.pending.isPending(p)).isFalse();
        assertThat(sent).isEmpty();
    }

    @Test
    void withoutALiveProducerANewLeaderWaitsForProducersBeforeCountingChecks() {
        TransactionCheckService s = service(15);
        producerOnline = false;
        long p = log.half("pg", 0, null, "U1");
        s.tick(TIMEOUT); // ready from here
        log.commitAll();
        assertThat(log.pending.get(p).checks()).as("no producer known yet: not counted").isZero();
        s.tick(TIMEOUT + TransactionCheckService.PRODUCER_GRACE_MS - 1);
        log.commitAll();
        assertThat(log.pending.get(p).checks()).isZero();
        s.tick(TIMEOUT + TransactionCheckService.PRODUCER_GRACE_MS);
        log.commitAll();
        assertThat(log.pending.get(p).checks()).as("after the grace, counted as RocketMQ counts").isEqualTo(1);
        assertThat(sent).isEmpty();
    }

    @Test
    void aProducerThatHeartbeatsDuringTheGraceIsAskedAtOnce() {
        TransactionCheckService s = service(15);
        producerOnline = false;
        long p = log.half("pg", 0, null, "U1");
        s.tick(TIMEOUT);
        producerOnline = true;
        s.tick(TIMEOUT + 1_000);
        log.commitAll();
        assertThat(log.pending.get(p).checks()).isEqualTo(1);
        assertThat(sent).hasSize(1);
    }

    /**
     * Seeded random interleavings of sends, decisions, ticks and commits: every half ends resolved exactly once,
     * no half is checked more than checkMax times, and a committed half has exactly one visible message.
     */
    @Test
    void randomInterleavingsResolveEachHalfOnce() {
        long seed = Seeds.seed("raftmq.txn.seed");
        SplittableRandom rnd = new SplittableRandom(seed);
        int checkMax = 3;
        TransactionCheckService s = service(checkMax);
        List<Long> halves = new ArrayList<>();
        long now = 0;
        for (int step = 0; step < 2_000; step++) {
            now += rnd.nextInt(5_000);
            int action = rnd.nextInt(6);
            if (action == 0 && halves.size() < 50) {
                halves.add(log.half("pg", now, rnd.nextBoolean() ? null : "" + rnd.nextInt(30), "U" + step));
            } else if (action == 1 && !halves.isEmpty()) {
                long h = halves.get(rnd.nextInt(halves.size()));
                if (rnd.nextBoolean()) {
                    resolver.commit(h, "pg");
                } else {
                    resolver.rollback(h, "pg");
                }
            } else if (action == 2) {
                s.tick(now);
            } else if (log.queued() > 0) {
                log.commitNext();
            }
        }
        for (int i = 0; i < (checkMax + 2) * 2; i++) {
            now += INTERVAL;
            s.tick(now);
            log.commitAll();
        }
        assertThat(log.pending.size()).as("seed %d", seed).isZero();
        Map<Long, Integer> resolutions = new HashMap<>();
        for (byte[] b : log.committedMessages) {
            StoredMessage m = TxnLog.wrap(b);
            if (m.preparedTransactionOffset() != 0) {
                resolutions.merge(m.preparedTransactionOffset(), 1, Integer::sum);
            }
        }
        Map<Long, Integer> checks = new HashMap<>();
        for (TransactionOp op : log.committedOps) {
            if (op.kind() == TransactionOp.Kind.ROLLBACK) {
                resolutions.merge(op.halfOffset(), 1, Integer::sum);
            } else {
                checks.merge(op.halfOffset(), 1, Integer::sum);
            }
        }
        for (long h : halves) {
            assertThat(resolutions.get(h)).as("resolutions of %d, seed %d", h, seed).isEqualTo(1);
            assertThat(checks.getOrDefault(h, 0)).as("checks of %d, seed %d", h, seed).isLessThanOrEqualTo(checkMax);
        }
    }
}
