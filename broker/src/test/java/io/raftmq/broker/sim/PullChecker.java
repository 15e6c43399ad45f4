package io.raftmq.broker.sim;

import io.netty.buffer.ByteBuf;
import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.broker.store.PullResult;
import io.raftmq.broker.store.PullStatus;
import io.raftmq.broker.store.StoreReadException;
import io.raftmq.broker.store.MessageFilter;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Pulls in {@link BrokerSimulation} and their invariants. Every 1-6 ms (a stream of its own) a consumer pulls from a
 * random running member through {@code BrokerStore.pull}, the store call the PULL_MESSAGE processor makes, for a
 * random topic, queue and offset (mostly near the queue's end, sometimes from anywhere, sometimes past the end).
 * Each pull must show:
 * <ul>
 *   <li>the status the queue's bounds imply (FOUND below the member's max offset, OFFSET_OVERFLOW_ONE at it,
 *       OFFSET_OVERFLOW_BADLY past it, NO_MESSAGE_IN_QUEUE for an empty queue), and a max offset no larger than the
 *       committed log's count for that queue;</li>
 *   <li>nothing uncommitted: each message is in the reference log of {@link BrokerChecker} (committed), at an
 *       index no larger than the highest commit index the member ever knew (a restarted member's ConsumeQueues
 *       keep what it dispatched before the crash, which its raft node learns again as committed later), at the
 *       position and queue offset the reference holds; queue offsets run on from the requested one;</li>
 *   <li>each message byte-identical (body and KEYS) to the send it carries (its id opens the body), which was
 *       submitted to this topic and queue and not refused; when a SEND_OK named this queue offset, it is that
 *       send, and a send acknowledged at another offset is never found here.</li>
 * </ul>
 * At the end, after healing, every acknowledged send is pulled at the queue offset its SEND_OK named, on every
 * member ({@link #checkFinal}).
 */
final class PullChecker {
    private static final int MAX_MESSAGES = 32;

    private final BrokerSimulation sim;
    private final SplittableRandom random;
    private final SimClock clock;
    private final BrokerChecker checker;
    private final StoredMessage reader = new StoredMessage();
    /** Per send id: the topic index (-1 refused before the batcher), queue id and body length. */
    private int[] sentTopic = new int[1024];
    private int[] sentQueue = new int[1024];
    private int[] sentBody = new int[1024];
    /** "topic/queue/queueOffset" -> the send its SEND_OK named there. */
    private final Map<String, Long> ackAt = new HashMap<>();
    private final Map<Long, BrokerChecker.Ack> acks = new HashMap<>();
    private int pulls;
    private long pulledMessages;

    PullChecker(BrokerSimulation sim, SplittableRandom random, SimClock clock, BrokerChecker checker) {
        this.sim = sim;
        this.random = random;
        this.clock = clock;
        this.checker = checker;
    }

    int pulls() {
        return pulls;
    }

    long pulledMessages() {
        return pulledMessages;
    }

    /** Send {@code sendId} was handed to a member's batcher for this topic and queue. */
    void onSubmitted(long sendId, int topic, int queueId, int bodyBytes) {
        grow(sendId);
        sentTopic[(int) sendId] = topic;
        sentQueue[(int) sendId] = queueId;
        sentBody[(int) sendId] = bodyBytes;
    }

    /** Send {@code sendId} was refused before the batcher (its topic does not exist there): it must never appear. */
    void onRefused(long sendId) {
        grow(sendId);
        sentTopic[(int) sendId] = -1;
    }

    void onAck(BrokerChecker.Ack a) {
        acks.put(a.sendId(), a);
        ackAt.put(a.topic() + "/" + a.queueId() + "/" + a.queueOffset(), a.sendId());
    }

    private void grow(long sendId) {
        if (sendId >= sentTopic.length) {
            int n = (int) Math.max(sendId + 1, sentTopic.length * 2L);
            sentTopic = Arrays.copyOf(sentTopic, n);
            sentQueue = Arrays.copyOf(sentQueue, n);
            sentBody = Arrays.copyOf(sentBody, n);
        }
    }

    /** One pull from a random running member, then the next one is scheduled. */
    void onPull() {
        sim.schedule(clock.nowMs() + 1 + random.nextInt(6), Kind.PULL, 0, null);
        SimMember m = sim.member(1 + random.nextInt(BrokerSimulation.MEMBERS));
        int t = random.nextInt(SimTopics.NAMES.length);
        String topic = SimTopics.NAMES[t];
        int queueId = random.nextInt(SimTopics.QUEUES_MAX);
        int choice = random.nextInt(8);
        int maxMessages = 1 + random.nextInt(MAX_MESSAGES);
        if (!m.up || m.paused()) {
            return; // the consumer cannot reach it now
        }
        long max = m.view.maxOffset(topic, queueId);
        long offset = choice == 0 ? random.nextLong(max + 1) : choice == 1 ? max + 1 + random.nextInt(3)
            : Math.max(0, max - random.nextInt(8));
        pulls++;
        try {
            pull(m, topic, queueId, offset, maxMessages, max);
        } catch (StoreReadException e) {
            throw new AssertionError("member " + m.id + ": pull " + topic + "/" + queueId + "@" + offset
                + " failed: " + e, e);
        }
    }

    private void pull(SimMember m, String topic, int queueId, long offset, int maxMessages, long max)
            throws StoreReadException {
        long committed = checker.queueSize(topic, queueId);
        check(max <= committed, "member " + m.id + " serves " + topic + "/" + queueId + " up to offset " + max
            + ", the committed log holds " + committed);
        PullResult r = m.view.pull(topic, queueId, offset, maxMessages, 1 << 20, MessageFilter.ALL);
        PullStatus expected = max == 0 ? PullStatus.NO_MESSAGE_IN_QUEUE : offset < max ? PullStatus.FOUND
            : offset == max ? PullStatus.OFFSET_OVERFLOW_ONE : PullStatus.OFFSET_OVERFLOW_BADLY;
        if (r.status() != PullStatus.FOUND) {
            r.release();
            check(r.status() == expected, "member " + m.id + ": pull " + topic + "/" + queueId + "@" + offset
                + " (max " + max + ") gave " + r + ", expected " + expected);
            return;
        }
        check(expected == PullStatus.FOUND, "member " + m.id + ": pull " + topic + "/" + queueId + "@" + offset
            + " (max " + max + ") found messages");
        ByteBuf body = r.takeBody();
        long q = offset;
        try {
            ByteBuffer b = body.nioBuffer();
            for (int at = b.position(); at < b.limit(); at += reader.totalSize()) {
                reader.wrap(b, at);
                checkMessage(m, topic, queueId, q, b);
                q++;
            }
        } finally {
            body.release();
        }
        check(q > offset && q <= offset + maxMessages && r.nextBeginOffset() == q, "member " + m.id + ": pull "
            + topic + "/" + queueId + "@" + offset + " returned offsets up to " + q + ", next begin offset "
            + r.nextBeginOffset());
        pulledMessages += q - offset;
    }

    /** The message the reader holds, pulled from {@code m} at {@code topic/queueId@q}. */
    private void checkMessage(SimMember m, String topic, int queueId, long q, ByteBuffer b) {
        if (reader.queueOffset() != q || reader.queueId() != queueId || !reader.topic().equals(topic)) {
            throw fail(m, topic, queueId, q, "holds " + reader.topic() + "/" + reader.queueId() + "@"
                + reader.queueOffset());
        }
        BrokerChecker.Ref ref = checker.refAt(reader.physicalOffset());
        if (ref == null) {
            throw fail(m, topic, queueId, q, "at position " + reader.physicalOffset() + " is not in the committed log");
        }
        if (ref.index() > m.commitKnown) {
            throw fail(m, topic, queueId, q, "is entry " + ref.index() + ", beyond the highest commit index the"
                + " member ever knew, " + m.commitKnown);
        }
        long sendId = BrokerChecker.sendId(reader, b);
        if (ref.queueOffset() != q || ref.sendId() != sendId || !ref.topic().equals(topic)
            || ref.queueId() != queueId) {
            throw fail(m, topic, queueId, q, "is send " + sendId + ", the committed log holds " + ref);
        }
        Long acked = ackAt.get(topic + "/" + queueId + "/" + q);
        if (acked != null && acked != sendId) {
            throw fail(m, topic, queueId, q, "is send " + sendId + " but SEND_OK named send " + acked);
        }
        BrokerChecker.Ack ack = acks.get(sendId);
        if (ack != null && (ack.queueOffset() != q || !ack.topic().equals(topic) || ack.queueId() != queueId)) {
            throw fail(m, topic, queueId, q, "is send " + sendId + ", acknowledged elsewhere: " + ack);
        }
        checkContent(m, topic, queueId, q, b, sendId);
    }

    /** The message is byte for byte (body, KEYS) the send it carries, submitted to this topic and queue. */
    private void checkContent(SimMember m, String topic, int queueId, long q, ByteBuffer b, long sendId) {
        int s = (int) sendId;
        if (sendId <= 0 || sendId >= sentTopic.length || sentBody[s] == 0 && sentTopic[s] != -1) {
            throw fail(m, topic, queueId, q, "carries send id " + sendId + ", which was never submitted");
        }
        if (sentTopic[s] == -1) {
            throw fail(m, topic, queueId, q, "carries send " + sendId + ", refused: its topic did not exist");
        }
        if (!SimTopics.NAMES[sentTopic[s]].equals(topic) || sentQueue[s] != queueId) {
            throw fail(m, topic, queueId, q, "carries send " + sendId + ", submitted to "
                + SimTopics.NAMES[sentTopic[s]] + "/" + sentQueue[s]);
        }
        byte[] expected = SimWorkload.body(sendId, sentBody[s]);
        boolean same = reader.bodyLength() == expected.length;
        for (int i = 0; same && i < expected.length; i++) {
            same = b.get(reader.bodyOffset() + i) == expected[i];
        }
        if (!same) {
            throw fail(m, topic, queueId, q, "the body of send " + sendId + " differs from what was sent");
        }
        String keys = MessageProperties.get(reader.properties(), MessageProperties.KEYS);
        if (!("k" + sendId).equals(keys)) {
            throw fail(m, topic, queueId, q, "send " + sendId + " has KEYS " + keys);
        }
    }

    private static AssertionError fail(SimMember m, String topic, int queueId, long q, String what) {
        return new AssertionError("member " + m.id + ": pulled " + topic + "/" + queueId + "@" + q + " " + what);
    }

    /** The end: every acknowledged send is pulled at its SEND_OK offset on every member. */
    void checkFinal(SimMember[] members) {
        for (int i = 1; i < members.length; i++) {
            SimMember m = members[i];
            for (BrokerChecker.Ack a : acks.values()) {
                try {
                    PullResult r = m.view.pull(a.topic(), a.queueId(), a.queueOffset(), 1, 1 << 20, MessageFilter.ALL);
                    check(r.status() == PullStatus.FOUND, "member " + m.id + ": acknowledged " + a + " not pullable: "
                        + r);
                    ByteBuf body = r.takeBody();
                    try {
                        ByteBuffer b = body.nioBuffer();
                        reader.wrap(b, b.position());
                        checkMessage(m, a.topic(), a.queueId(), a.queueOffset(), b);
                        check(reader.physicalOffset() == a.physical(), "member " + m.id + ": acknowledged " + a
                            + " pulled at position " + reader.physicalOffset());
                    } finally {
                        body.release();
                    }
                } catch (StoreReadException e) {
                    throw new AssertionError("member " + m.id + ": pull of acknowledged " + a + " failed: " + e, e);
                }
            }
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
