package io.raftmq.broker.sim;

import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.broker.transaction.TransactionNames;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.CheckTransactionStateRequestHeader;
import io.raftmq.client.protocol.header.EndTransactionRequestHeader;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.commitlog.message.MessageIds;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Transactional messages in a {@link BrokerSimulation} (docs/simulation.md "Faults and workload", "Invariants"):
 * a transactional producer (a stream of its own, off for one seed in three) sends half messages through the real
 * send processor, ends most of them with END_TRANSACTION commit or rollback to a member (a follower forwards it to
 * the leader over the simulated network), leaves some unended, and answers every check-back the leader's real
 * {@code TransactionCheckService} sends it with its decision. The invariants over the committed reference: a
 * transaction's message appears in its real topic only as the commit of its half, once, after the producer
 * decided to commit it; a rolled-back one never; at the end every half is resolved on every member and every
 * committed one is visible. Single thread.
 */
final class SimTransactions {
    static final int NONE = 0;
    static final int COMMIT = EndTransactionRequestHeader.TRANSACTION_COMMIT_TYPE;
    static final int ROLLBACK = EndTransactionRequestHeader.TRANSACTION_ROLLBACK_TYPE;

    /** A transactional send: what the producer will decide, and what it has told a broker so far. */
    private static final class Tx {
        final int decision;
        final boolean ended;
        int told = NONE;
        long halfPhysical = -1;
        long visible = -1;

        Tx(int decision, boolean ended) {
            this.decision = decision;
            this.ended = ended;
        }
    }

    private final BrokerSimulation sim;
    private final SplittableRandom random;
    private final boolean enabled;
    private final SimClock clock;
    private final BrokerChecker checker;
    private final PullChecker pullChecker;
    private final Map<Long, Tx> sends = new HashMap<>();
    /** Halves of the reference by position. */
    private final Map<Long, Long> halves = new TreeMap<>();
    private int committedVisible;
    private int checksAnswered;
    private String failure;

    SimTransactions(BrokerSimulation sim, SplittableRandom random, SimClock clock, BrokerChecker checker,
                    PullChecker pullChecker) {
        this.sim = sim;
        this.random = random;
        this.clock = clock;
        this.checker = checker;
        this.pullChecker = pullChecker;
        this.enabled = random.nextInt(3) != 0;
    }

    boolean enabled() {
        return enabled;
    }

    /** Whether send {@code sendId} is a transaction's half message. */
    boolean isTransaction(long sendId) {
        return sends.containsKey(sendId);
    }

    /** Schedules the first transaction, on seeds with transactions. */
    void start() {
        if (enabled) {
            sim.schedule(50 + random.nextInt(100), Kind.TRANSACTION, 0, null);
        }
    }

    int halvesCommitted() {
        return halves.size();
    }

    int visible() {
        return committedVisible;
    }

    int checksAnswered() {
        return checksAnswered;
    }

    /** After every event: what a callback saw. */
    void afterEvent() {
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    /**
     * Before healing, every 10-40 ms: a half message (one of the first two topics, a random queue) to the leader
     * mostly, else any member. The producer's decision is drawn now: commit (1 in 2), rollback (1 in 3), or (1 in 6)
     * either, never ended: told only when the broker checks back; one in five of the first two is not ended either.
     */
    void onSend() {
        if (sim.healed()) {
            return;
        }
        sim.schedule(clock.nowMs() + 10 + random.nextInt(31), Kind.TRANSACTION, 0, null);
        int leader = sim.currentLeader();
        SimMember m = sim.member(leader != 0 && random.nextInt(10) < 8 ? leader
            : 1 + random.nextInt(sim.memberCount()));
        int t = random.nextInt(SimTopics.EARLY);
        int queueId = random.nextInt(SimTopics.QUEUES[t]);
        int size = 8 + random.nextInt(200);
        int d = random.nextInt(6);
        Tx tx = new Tx(d < 3 ? COMMIT : d < 5 ? ROLLBACK : random.nextBoolean() ? COMMIT : ROLLBACK,
            d < 5 && random.nextInt(5) != 0);
        if (!m.up || m.paused()) {
            return;
        }
        long sendId = sim.workload().nextSendId();
        sends.put(sendId, tx);
        pullChecker.onSubmitted(sendId, t, queueId, size);
        String topic = SimTopics.NAMES[t];
        RemotingCommand request = SimRequests.half(topic, queueId, sendId, size, clock.wallMillis());
        m.endpoint.call(request).whenComplete((response, e) -> {
            if (e != null) {
                return;
            }
            try {
                onHalfAnswer(sendId, tx, topic, response);
            } catch (AssertionError | RemotingCommandException | RuntimeException x) {
                failure = failure != null ? failure : "half " + sendId + ": " + x;
            } finally {
                response.release();
            }
        });
        sim.driver().drain(m);
    }

    /** SEND_OK for a half: an acknowledgement in the half topic; then, for ended ones, END_TRANSACTION soon. */
    private void onHalfAnswer(long sendId, Tx tx, String topic, RemotingCommand response)
        throws RemotingCommandException {
        if (response.code() != ResponseCode.SUCCESS) {
            return;
        }
        SendMessageResponseHeader h = SendMessageResponseHeader.decode(response.extFields());
        MessageIds.OffsetMsgId id = MessageIds.decodeOffsetMsgId(h.msgId());
        BrokerChecker.Ack a = new BrokerChecker.Ack(sendId, TransactionNames.HALF_TOPIC, 0, id.physicalOffset(),
            h.queueOffset(), SimEndpoint.memberOf(id.storeHost()), clock.nowMs());
        checker.onAck(a);
        pullChecker.onAck(a);
        if (!tx.ended) {
            return;
        }
        long at = clock.nowMs() + random.nextInt(200);
        long physical = id.physicalOffset();
        long queueOffset = h.queueOffset();
        String msgId = h.msgId();
        sim.schedule(at, Kind.TRANSACTION_END, 0, (Runnable) () -> {
            int leader = sim.currentLeader();
            SimMember m = sim.member(leader != 0 && random.nextInt(10) < 8 ? leader
                : 1 + random.nextInt(sim.memberCount()));
            if (!m.up || m.paused() || m.endpoint == null) {
                return; // the producer cannot reach it: the check-back will ask
            }
            tx.told = tx.decision;
            m.endpoint.sendOneway(SimRequests.endTransaction(sendId, topic, physical, queueOffset, tx.decision,
                false, msgId));
            sim.driver().drain(m);
        });
    }

    /**
     * The leader's check-back reached the producer (its CHECK_TRANSACTION_STATE, body the half in stored form):
     * the producer answers its decision with END_TRANSACTION to that member, a network delay later, if it still
     * runs the same process.
     */
    void onCheck(SimMember m, int incarnation, CheckTransactionStateRequestHeader header, byte[] body) {
        StoredMessage half = new StoredMessage().wrap(ByteBuffer.wrap(body), 0);
        long sendId = ByteBuffer.wrap(body).getLong(half.bodyOffset());
        Tx tx = sends.get(sendId);
        if (tx == null) {
            failure = failure != null ? failure : "check-back for half " + header.commitLogOffset()
                + " carries send " + sendId + ", not a transaction";
            return;
        }
        String topic = half.topic();
        long physical = header.commitLogOffset();
        long queueOffset = header.tranStateTableOffset();
        String msgId = header.offsetMsgId();
        sim.schedule(clock.nowMs() + 1 + random.nextInt(20), Kind.TRANSACTION_END, 0, (Runnable) () -> {
            if (!m.up || m.incarnation != incarnation || m.endpoint == null) {
                return;
            }
            checksAnswered++;
            tx.told = tx.decision;
            m.endpoint.sendOneway(SimRequests.endTransaction(sendId, topic, physical, queueOffset, tx.decision, true,
                msgId));
            sim.driver().drain(m);
        });
    }

    /**
     * A follower's EndTransactionProcessor forwards END_TRANSACTION oneway to the leader at {@code addr}: it arrives a
     * network delay later on that member's connection if the link is up and the member runs (else it is lost).
     */
    void forward(SimMember from, String addr, RemotingCommand request) {
        int to = Integer.parseInt(addr.substring(1));
        sim.schedule(clock.nowMs() + 1 + random.nextInt(10), Kind.TRANSACTION_END, 0, (Runnable) () -> {
            SimMember m = sim.member(to);
            if (!m.up || m.endpoint == null || sim.cut(from.id, to)) {
                request.release();
                return;
            }
            m.endpoint.sendOneway(request);
            sim.driver().drain(m);
        });
    }

    /**
     * A message joins the committed reference. A half: recorded. A transactional send's message in its real topic:
     * the commit of its own half (transaction bits 8, PREPAREDTRANSACTIONOFFSET the half's position), the first, and
     * only after the producer told a broker to commit it.
     */
    void onReference(BrokerChecker.Ref r, StoredMessage m) {
        Tx tx = sends.get(r.sendId());
        if (TransactionNames.HALF_TOPIC.equals(r.topic())) {
            check(tx != null, "half " + r + " of a send that is not a transaction");
            check(m.properties() != null && "true".equals(MessageProperties.get(m.properties(), "TRAN_MSG")),
                "half " + r + " without TRAN_MSG");
            tx.halfPhysical = r.physical();
            halves.put(r.physical(), r.sendId());
            return;
        }
        if (tx == null) {
            return;
        }
        check(SysFlag.transactionType(m.sysFlag()) == SysFlag.TRANSACTION_COMMIT
            && m.preparedTransactionOffset() == tx.halfPhysical && tx.halfPhysical >= 0, "transaction "
            + r.sendId() + " visible as " + r + " with sysFlag " + m.sysFlag() + " and source "
            + m.preparedTransactionOffset() + ", its half is at " + tx.halfPhysical);
        check(tx.visible < 0, "transaction " + r.sendId() + " visible twice: at " + tx.visible + " and " + r);
        check(tx.decision == COMMIT, "rolled-back transaction " + r.sendId() + " visible: " + r);
        check(tx.told == COMMIT, "transaction " + r.sendId() + " visible before the producer committed it: " + r);
        tx.visible = r.physical();
        committedVisible++;
    }

    /** Every half of the reference is resolved on every running member, each commit visible. */
    boolean allResolved() {
        for (Map.Entry<Long, Long> e : halves.entrySet()) {
            if (sends.get(e.getValue()).decision == COMMIT && sends.get(e.getValue()).visible < 0) {
                return false;
            }
            for (int i = 1; i <= sim.memberCount(); i++) {
                SimMember m = sim.member(i);
                if (sim.removed(i)) {
                    continue; // decommissioned (SimMembership): out of the end checks
                }
                if (!m.up || m.transactions.pending().isPending(e.getKey())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The first unresolved half (for a liveness failure's report), or "none". */
    String describeUnresolved() {
        for (Map.Entry<Long, Long> e : halves.entrySet()) {
            Tx tx = sends.get(e.getValue());
            StringBuilder pending = new StringBuilder();
            for (int i = 1; i <= sim.memberCount(); i++) {
                SimMember m = sim.member(i);
                pending.append(m.up && m.transactions.pending().isPending(e.getKey()) ? " n" + i : "");
            }
            if (tx.decision == COMMIT && tx.visible < 0 || pending.length() > 0) {
                return "half " + e.getKey() + " of send " + e.getValue() + ": decision " + tx.decision + ", told "
                    + tx.told + ", ended " + tx.ended + ", visible " + tx.visible + ", pending on" + pending;
            }
        }
        return "none";
    }

    /** The end: every half resolved everywhere, each committed one visible once. */
    void checkFinal() {
        for (Map.Entry<Long, Long> e : halves.entrySet()) {
            Tx tx = sends.get(e.getValue());
            check(tx.decision != COMMIT || tx.visible >= 0, "committed transaction " + e.getValue() + " (half at "
                + e.getKey() + ") never visible");
            for (int i = 1; i <= sim.memberCount(); i++) {
                check(sim.removed(i) || !sim.member(i).transactions.pending().isPending(e.getKey()), "member " + i
                    + ": half " + e.getKey() + " of send " + e.getValue() + " still pending");
            }
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
