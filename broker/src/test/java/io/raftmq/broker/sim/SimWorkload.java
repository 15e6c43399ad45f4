package io.raftmq.broker.sim;

import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.commitlog.message.MessageIds;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * The workload of {@link BrokerSimulation}: single-message and batch sends to the topics of {@link SimTopics},
 * mostly to the leader, each a request to the chosen member's real send processor ({@link SimEndpoint}), refused
 * while the leader has not applied the topic's creation; each message body starts with a unique send id and
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
    private final long[] queueChooser = new long[SimMembership.JOINING + 1];
    private final PullChecker pullChecker;
    private long sends;
    private long refused;
    private int batches;
    /** A violation seen inside a callback (where a throw would be lost in a future), reported after the event. */
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

    /** A send id for another producer (the transactional one): ids stay unique across the run. */
    long nextSendId() {
        return ++sends;
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
            : 1 + offsetRandom.nextInt(sim.memberCount()));
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
     * One send, to the leader most of the time (else to any member, whose send processor forwards it to the leader
     * it knows, or holds it while it knows none): a single message (SEND_MESSAGE or SEND_MESSAGE_V2, by the parity
     * of its id) or one time in four a batch of 2-8 messages to one queue (SEND_BATCH_MESSAGE: one entry,
     * consecutive queue offsets), as a request on the member's connection to its real send processor
     * ({@link SimEndpoint}). The topic is one of {@link SimTopics#NAMES} (an early one 7 times in 10), the queue
     * below its queue count; a member that has not applied the topic's creation answers TOPIC_NOT_EXIST
     * (auto-creation is off). After healing, sends continue until one is acknowledged (the probe).
     */
    void onSend() {
        if (!sim.healed() || probe == null) {
            int gap = sim.healed() ? 20 : faults.sendGapMaxMs();
            sim.schedule(clock.nowMs() + 1 + random.nextInt(gap), Kind.SEND, 0, null);
        }
        int leader = sim.currentLeader();
        SimMember m = sim.member(leader != 0 && random.nextInt(10) < 8 ? leader
            : 1 + random.nextInt(sim.memberCount()));
        if (!m.up || m.paused()) {
            return; // the client cannot connect, or its request waits unread (it gives up: no promise)
        }
        int t = random.nextInt(10) < 7 ? random.nextInt(SimTopics.EARLY)
            : SimTopics.EARLY + random.nextInt(SimTopics.NAMES.length - SimTopics.EARLY);
        int count = random.nextInt(4) == 0 ? 2 + random.nextInt(7) : 1;
        long firstId = sends + 1;
        sends += count;
        int queues = SimTopics.QUEUES[t];
        int queueId = (int) Math.floorMod(queueChooser[m.id]++ + random.nextInt(queues), queues);
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = 8 + random.nextInt(200);
            pullChecker.onSubmitted(firstId + i, t, queueId, sizes[i]);
        }
        if (count > 1) {
            batches++;
        }
        String[] delay = count == 1 ? sim.delays().draw(firstId, sim.healed()) : null;
        RemotingCommand request = SimRequests.send(SimTopics.NAMES[t], queueId, firstId, sizes, clock.wallMillis(),
            delay);
        m.endpoint.call(request).whenComplete(new SendReply(firstId, count, SimTopics.NAMES[t], queueId));
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

    /**
     * What the producer hears, decoded from the processor's response: SUCCESS names each message's offset msgId
     * (a delayed send's queue offset is its parking queue's, as RocketMQ answers; docs/messaging.md)
     * (its store host names the member that stored it, its physical offset), the queue and the first queue offset;
     * each message is recorded with the checkers (a batch's queue offsets follow the first). TOPIC_NOT_EXIST: the
     * messages were refused and must never appear. Any other code, or a connection that closed first, is no
     * promise. The response is released here.
     */
    private final class SendReply implements BiConsumer<RemotingCommand, Throwable> {
        private final long firstId;
        private final int count;
        private final String topic;
        private final int queueId;

        SendReply(long firstId, int count, String topic, int queueId) {
            this.firstId = firstId;
            this.count = count;
            this.topic = topic;
            this.queueId = queueId;
        }

        @Override
        public void accept(RemotingCommand response, Throwable e) {
            if (e != null) {
                return; // the member died: no answer
            }
            try {
                onResponse(response);
            } catch (AssertionError | RemotingCommandException | RuntimeException x) {
                failure = failure != null ? failure : "send " + firstId + ": " + x;
            } finally {
                response.release();
            }
        }

        private void onResponse(RemotingCommand response) throws RemotingCommandException {
            if (response.code() == ResponseCode.TOPIC_NOT_EXIST) {
                refused += count;
                for (int i = 0; i < count; i++) {
                    pullChecker.onRefused(firstId + i);
                }
                return;
            }
            if (response.code() != ResponseCode.SUCCESS) {
                return; // not acknowledged: the producer would retry as a new send; nothing is promised
            }
            SendMessageResponseHeader h = SendMessageResponseHeader.decode(response.extFields());
            String[] ids = h.msgId().split(",");
            if (ids.length != count || h.queueId() != queueId
                || count == 1 && !SimRequests.uniqKey(firstId).equals(h.transactionId())) {
                throw new AssertionError("acknowledged as " + h + " (" + count + " messages to queue " + queueId + ")");
            }
            for (int i = 0; i < count; i++) {
                MessageIds.OffsetMsgId id = MessageIds.decodeOffsetMsgId(ids[i]);
                int member = SimEndpoint.memberOf(id.storeHost());
                if (member == 0) {
                    throw new AssertionError("msgId " + ids[i] + " names no member");
                }
                String parking = sim.delays().parkingTopic(firstId + i);
                BrokerChecker.Ack a = new BrokerChecker.Ack(firstId + i, parking != null ? parking : topic,
                    parking != null ? 0 : queueId, id.physicalOffset(), h.queueOffset() + i, member, clock.nowMs());
                checker.onAck(a);
                pullChecker.onAck(a);
                if (sim.healed() && probe == null) {
                    probe = a;
                }
            }
        }
    }
}
