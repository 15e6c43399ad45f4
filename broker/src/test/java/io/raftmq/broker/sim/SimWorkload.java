package io.raftmq.broker.sim;

import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.broker.replication.AppendCallback;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessageEncoder;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The workload of {@link BrokerSimulation}: single-message sends to {@link #TOPICS} x {@link #QUEUES}, mostly to
 * the leader, each through the chosen member's send batcher as the SEND_MESSAGE processor submits it; each body
 * starts with a unique send id and carries a KEYS property. Acknowledgements go to the {@link BrokerChecker}; the
 * first one after healing is the probe the end condition waits for (docs/simulation.md).
 */
final class SimWorkload {
    static final String[] TOPICS = {"sim-orders", "sim-audit"};
    static final int QUEUES = 4;
    /** The consumer group whose offsets the workload commits. */
    static final String GROUP = "sim-consumers";
    /** A commit without an outcome this long is given up (its member died): the consumer commits again. */
    static final long OFFSET_COMMIT_GIVE_UP_MS = 3_000;

    private final BrokerSimulation sim;
    private final SplittableRandom random;
    private final BrokerSimulation.Faults faults;
    private final SimClock clock;
    private final BrokerChecker checker;
    private final long[] queueChooser = new long[BrokerSimulation.MEMBERS + 1];
    private int sends;
    /** The first send acknowledged after healing, or null. */
    private BrokerChecker.Ack probe;
    /**
     * Consumer offset commits draw from a stream of their own. Per topic and queue (a slot) the consumer has one
     * commit outstanding at a time, each higher than the last, as a consumer that advances through its queue.
     */
    private final SplittableRandom offsetRandom;
    private final OffsetChecker offsetChecker;
    private final long[] lastOffset = new long[TOPICS.length * QUEUES];
    private final long[] outstanding = new long[TOPICS.length * QUEUES];
    private final long[] giveUpAt = new long[TOPICS.length * QUEUES];
    private long commitSeq;
    private int offsetCommits;

    SimWorkload(BrokerSimulation sim, SplittableRandom random, BrokerSimulation.Faults faults, SimClock clock,
                BrokerChecker checker, SplittableRandom offsetRandom, OffsetChecker offsetChecker) {
        this.sim = sim;
        this.offsetRandom = offsetRandom;
        this.offsetChecker = offsetChecker;
        this.random = random;
        this.faults = faults;
        this.clock = clock;
        this.checker = checker;
    }

    int sends() {
        return sends;
    }

    BrokerChecker.Ack probe() {
        return probe;
    }

    int offsetCommits() {
        return offsetCommits;
    }

    /**
     * One consumer offset commit, as the UPDATE_CONSUMER_OFFSET processor submits it: into the member's real
     * offset manager, then its batch is flushed (proposed through the member's proposals, as sends are). Mostly to
     * the leader; a follower refuses it. Before healing only.
     */
    void onOffsetCommit() {
        if (sim.healed()) {
            return;
        }
        sim.schedule(clock.nowMs() + 5 + offsetRandom.nextInt(30), Kind.OFFSET_COMMIT, 0, null);
        int slot = offsetRandom.nextInt(lastOffset.length);
        if (outstanding[slot] != 0 && clock.nowMs() < giveUpAt[slot]) {
            return;
        }
        int leader = sim.currentLeader();
        SimMember m = sim.member(leader != 0 && offsetRandom.nextInt(10) < 8 ? leader
            : 1 + offsetRandom.nextInt(BrokerSimulation.MEMBERS));
        if (!m.up || m.paused()) {
            return; // the client cannot reach it now
        }
        long offset = lastOffset[slot] + 1 + offsetRandom.nextInt(5);
        lastOffset[slot] = offset;
        long token = ++commitSeq;
        outstanding[slot] = token;
        giveUpAt[slot] = clock.nowMs() + OFFSET_COMMIT_GIVE_UP_MS;
        offsetCommits++;
        var f = m.offsets.commit(GROUP, TOPICS[slot / QUEUES], slot % QUEUES, offset);
        m.offsets.flush();
        f.whenComplete((v, e) -> {
            if (outstanding[slot] != token) {
                return; // given up already
            }
            outstanding[slot] = 0;
            if (e == null) {
                offsetChecker.onAck(m, slot, offset);
            }
        });
        sim.driver().drain(m);
    }

    /**
     * One single-message send, to the leader most of the time (else to any member, which refuses it: not leader),
     * through that member's send batcher as the SEND_MESSAGE processor submits it. After healing, sends continue
     * until one is acknowledged (the probe).
     */
    void onSend() {
        if (!sim.healed() || probe == null) {
            int gap = sim.healed() ? 20 : faults.sendGapMaxMs();
            sim.schedule(clock.nowMs() + 1 + random.nextInt(gap), Kind.SEND, 0, null);
        }
        int leader = sim.currentLeader();
        SimMember m = sim.member(leader != 0 && random.nextInt(10) < 8 ? leader
            : 1 + random.nextInt(BrokerSimulation.MEMBERS));
        if (!m.up) {
            return; // the client cannot connect
        }
        long sendId = ++sends;
        String topic = TOPICS[random.nextInt(TOPICS.length)];
        int queueId = (int) Math.floorMod(queueChooser[m.id]++ + random.nextInt(QUEUES), QUEUES);
        byte[] encoded = encode(sendId, topic, queueId, m.id, 8 + random.nextInt(200));
        m.batcher.submit(encoded, 1, new SendReply(sendId, topic, queueId, m.id));
        sim.driver().drain(m);
    }

    /** A stored message as the send processor encodes it (offsets 0: the store stamps them); body starts with id. */
    private byte[] encode(long sendId, String topic, int queueId, int member, int bodyBytes) {
        byte[] body = new byte[bodyBytes];
        ByteBuffer.wrap(body).putLong(sendId);
        for (int i = 8; i < bodyBytes; i++) {
            body[i] = (byte) (sendId * 31 + i);
        }
        HostAddress born = HostAddress.of(new byte[] {10, 0, 0, 9}, 40_000 + member);
        HostAddress store = HostAddress.of(new byte[] {10, 0, 1, (byte) member}, 10_911);
        MessageDraft d = new MessageDraft().topic(topic).queueId(queueId).flag(0).sysFlag(0)
            .bornTimestamp(clock.wallMillis()).bornHost(born).storeTimestamp(clock.wallMillis()).storeHost(store)
            .reconsumeTimes(0).preparedTransactionOffset(0).body(body)
            .properties(MessageProperties.encode(Map.of(MessageProperties.KEYS, "k" + sendId)));
        return new StoredMessageEncoder().encode(d);
    }

    /** What the producer hears: SEND_OK with offsets is recorded with the checker, anything else is no promise. */
    private final class SendReply implements AppendCallback {
        private final long sendId;
        private final String topic;
        private final int queueId;
        private final int member;

        SendReply(long sendId, String topic, int queueId, int member) {
            this.sendId = sendId;
            this.topic = topic;
            this.queueId = queueId;
            this.member = member;
        }

        @Override
        public void onCommitted(long[] physicalOffsets, long[] queueOffsets, int from, int count) {
            BrokerChecker.Ack a = new BrokerChecker.Ack(sendId, topic, queueId, physicalOffsets[from],
                queueOffsets[from], member, clock.nowMs());
            checker.onAck(a);
            if (sim.healed() && probe == null) {
                probe = a;
            }
        }

        @Override
        public void onFailed(int responseCode, String remark) {
            // not acknowledged: the producer would retry as a new send; nothing is promised
        }
    }
}
