package io.raftmq.broker.sim;

import io.raftmq.broker.metadata.Names;
import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.broker.replication.AppendCallback;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.StoredMessageEncoder;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The workload of {@link BrokerSimulation}: single-message and batch sends to the topics of {@link SimTopics},
 * mostly to the leader, each through the chosen member's send batcher as the send processor submits it, refused
 * while the member has not applied the topic's creation; each message body starts with a unique send id and
 * carries a KEYS property. Consumer offset commits. Acknowledgements go to the {@link BrokerChecker}; the
 * first one after healing is the probe the end condition waits for (docs/simulation.md).
 */
final class SimWorkload {
    /** The topics and queue count of the consumer offset commits: the first two of {@link SimTopics#NAMES}. */
    static final String[] TOPICS = {SimTopics.NAMES[0], SimTopics.NAMES[1]};
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
    private final PullChecker pullChecker;
    private final StoredMessageEncoder encoder = new StoredMessageEncoder();
    private long sends;
    private long refused;
    private int batches;
    /** A violation seen inside a callback (where a throw would reach the batcher), reported after the event. */
    private String failure;
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
                BrokerChecker checker, SplittableRandom offsetRandom, OffsetChecker offsetChecker,
                PullChecker pullChecker) {
        this.sim = sim;
        this.pullChecker = pullChecker;
        this.offsetRandom = offsetRandom;
        this.offsetChecker = offsetChecker;
        this.random = random;
        this.faults = faults;
        this.clock = clock;
        this.checker = checker;
    }

    long sends() {
        return sends;
    }

    long refused() {
        return refused;
    }

    int batches() {
        return batches;
    }

    /** After every event: what a callback saw. */
    void afterEvent() {
        if (failure != null) {
            throw new AssertionError(failure);
        }
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
     * One send, to the leader most of the time (else to any member, which refuses it: not leader): a single message,
     * or one time in four a batch of 2-8 messages to one queue (as SEND_BATCH_MESSAGE stores it: consecutive queue
     * offsets in one entry), through that member's send batcher as the send processor submits it. The topic is one
     * of {@link SimTopics#NAMES} (an early one 7 times in 10); if the member has not applied its creation, the send
     * is refused as the processor refuses it (TOPIC_NOT_EXIST: the topic manager's send-path creation declines,
     * auto-creation being off) and never reaches the batcher. After healing, sends continue until one is
     * acknowledged (the probe).
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
        int t = random.nextInt(10) < 7 ? random.nextInt(SimTopics.EARLY)
            : SimTopics.EARLY + random.nextInt(SimTopics.NAMES.length - SimTopics.EARLY);
        int count = random.nextInt(4) == 0 ? 2 + random.nextInt(7) : 1;
        long firstId = sends + 1;
        sends += count;
        TopicConfig tc = m.topics.createTopicInSendIfAbsent(SimTopics.NAMES[t], Names.DEFAULT_TOPIC,
            SimTopics.QUEUES_MAX, 0).getNow(null);
        if (tc == null) {
            refused += count;
            for (int i = 0; i < count; i++) {
                pullChecker.onRefused(firstId + i);
            }
            return; // TOPIC_NOT_EXIST
        }
        int queueId = (int) Math.floorMod(queueChooser[m.id]++ + random.nextInt(tc.writeQueueNums()),
            tc.writeQueueNums());
        ByteBuffer encoded = ByteBuffer.allocate(count * (StoredMessage.FIXED_LENGTH_V1_IPV4 + 512));
        for (int i = 0; i < count; i++) {
            int bodyBytes = 8 + random.nextInt(200);
            encode(encoded, firstId + i, SimTopics.NAMES[t], queueId, m.id, bodyBytes);
            pullChecker.onSubmitted(firstId + i, t, queueId, bodyBytes);
        }
        if (count > 1) {
            batches++;
        }
        m.batcher.submit(Arrays.copyOf(encoded.array(), encoded.position()), count,
            new SendReply(firstId, count, SimTopics.NAMES[t], queueId, m.id));
        sim.driver().drain(m);
    }

    /** The body of send {@code sendId}: its id, then bytes that depend on the id and the position. */
    static byte[] body(long sendId, int bodyBytes) {
        byte[] body = new byte[bodyBytes];
        ByteBuffer.wrap(body).putLong(sendId);
        for (int i = 8; i < bodyBytes; i++) {
            body[i] = (byte) (sendId * 31 + i);
        }
        return body;
    }

    /** A stored message as the send processor encodes it (offsets 0: the store stamps them), appended to out. */
    private void encode(ByteBuffer out, long sendId, String topic, int queueId, int member, int bodyBytes) {
        HostAddress born = HostAddress.of(new byte[] {10, 0, 0, 9}, 40_000 + member);
        HostAddress store = HostAddress.of(new byte[] {10, 0, 1, (byte) member}, 10_911);
        MessageDraft d = new MessageDraft().topic(topic).queueId(queueId).flag(0).sysFlag(0)
            .bornTimestamp(clock.wallMillis()).bornHost(born).storeTimestamp(clock.wallMillis()).storeHost(store)
            .reconsumeTimes(0).preparedTransactionOffset(0).body(body(sendId, bodyBytes))
            .properties(MessageProperties.encode(Map.of(MessageProperties.KEYS, "k" + sendId)));
        encoder.encode(d, out);
    }

    /**
     * What the producer hears: SEND_OK with offsets is recorded with the checkers (one acknowledgement per message
     * of a batch, whose queue offsets must be consecutive), anything else is no promise.
     */
    private final class SendReply implements AppendCallback {
        private final long firstId;
        private final int count;
        private final String topic;
        private final int queueId;
        private final int member;

        SendReply(long firstId, int count, String topic, int queueId, int member) {
            this.firstId = firstId;
            this.count = count;
            this.topic = topic;
            this.queueId = queueId;
            this.member = member;
        }

        @Override
        public void onCommitted(long[] physicalOffsets, long[] queueOffsets, int from, int n) {
            if (n != count) {
                failure = "send " + firstId + " of " + count + " messages acknowledged with " + n + " offsets";
            }
            for (int i = 0; i < n; i++) {
                if (queueOffsets[from + i] != queueOffsets[from] + i) {
                    failure = "batch " + firstId + " acknowledged with queue offsets that do not follow each other: "
                        + Arrays.toString(Arrays.copyOfRange(queueOffsets, from, from + n));
                }
                BrokerChecker.Ack a = new BrokerChecker.Ack(firstId + i, topic, queueId, physicalOffsets[from + i],
                    queueOffsets[from + i], member, clock.nowMs());
                checker.onAck(a);
                pullChecker.onAck(a);
                if (sim.healed() && probe == null) {
                    probe = a;
                }
            }
        }

        @Override
        public void onFailed(int responseCode, String remark) {
            // not acknowledged: the producer would retry as a new send; nothing is promised
        }
    }
}
