package io.raftmq.broker.sim;

import io.netty.buffer.ByteBuf;
import io.raftmq.broker.schedule.DueTime;
import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.broker.store.PullResult;
import io.raftmq.broker.transaction.TransactionNames;
import io.raftmq.broker.store.PullStatus;
import io.raftmq.broker.store.StoreReadException;
import io.raftmq.broker.store.MessageFilter;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.header.PullMessageResponseHeader;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Pulls in {@link BrokerSimulation} and their invariants. Every 1-6 ms (a stream of its own) a consumer sends a
 * PULL_MESSAGE to a random running member's real pull processor ({@link SimEndpoint}), for a random topic, queue and
 * offset (mostly near the queue's end, sometimes from anywhere, sometimes past the end), one time in four with
 * long polling (the processor holds it until data comes or its suspend time is up). Each decoded answer must show:
 * <ul>
 *   <li>17 for a topic the member has not applied, 29 for a queue past its read queue count, both at once;</li>
 *   <li>the status (remark) and code the queue's bounds imply when it is answered (FOUND below the member's max
 *       offset, OFFSET_OVERFLOW_ONE at it, OFFSET_OVERFLOW_BADLY past it, NO_MESSAGE_IN_QUEUE for an empty queue;
 *       with retention, OFFSET_TOO_SMALL below the queue's min offset, MESSAGE_WAS_REMOVING at a unit whose
 *       message retention deleted),
 *       the nextBeginOffset the status implies, and a max offset that is the member's and no larger than the
 *       committed log's count for that queue; a held pull answered not found only at or after its deadline, one
 *       whose queue got data answered at once (within {@link #WAKE_MS}), none held past its deadline and the
 *       long-poll check period;</li>
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
    /** How soon a held pull whose queue got data must be answered (its wake-up is a task run at once). */
    private static final long WAKE_MS = 20;

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
    /** Pulls answered after being held (long polling). */
    private int heldAnswered;
    /** Pulls sent and not answered yet (held, or waiting for a member that died). */
    private final Set<Call> held = new LinkedHashSet<>();
    /** A violation seen in a pull's answer, thrown after the event. */
    private AssertionError failure;

    /** One pull in flight. */
    private static final class Call {
        final SimMember member;
        final int incarnation;
        final String topic;
        final int queueId;
        final long offset;
        final int maxMessages;
        final long suspendMs;
        final long sentMs;
        /** Answered within the call (not held). */
        boolean inCall = true;
        /** When data beyond its offset was first seen here while it was held; -1 before. */
        long dataSeenMs = -1;

        Call(SimMember member, int incarnation, String topic, int queueId, long offset, int maxMessages,
             long suspendMs, long sentMs) {
            this.member = member;
            this.incarnation = incarnation;
            this.topic = topic;
            this.queueId = queueId;
            this.offset = offset;
            this.maxMessages = maxMessages;
            this.suspendMs = suspendMs;
            this.sentMs = sentMs;
        }

        /** When the broker answers a held pull anyway (docs/protocol.md §5.6; holdMsMax is far longer). */
        long deadlineMs() {
            return sentMs + suspendMs;
        }

        String describe() {
            return "member " + member.id + ": pull " + topic + "/" + queueId + "@" + offset + " (sent at " + sentMs
                + (suspendMs > 0 ? ", suspend " + suspendMs + " ms" : "") + ")";
        }
    }

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

    int heldAnswered() {
        return heldAnswered;
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

    /** A timer stored as sent: its SEND_OK named a queue offset of its real topic, not of the parking one. */
    void onAckMoved(BrokerChecker.Ack before, BrokerChecker.Ack after) {
        ackAt.remove(before.topic() + "/" + before.queueId() + "/" + before.queueOffset());
        onAck(after);
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

    /**
     * One pull from a random running member, then the next one is scheduled: a PULL_MESSAGE request to its real
     * pull processor ({@link SimEndpoint}), held by long polling one time in four (20-420 ms) when it finds
     * nothing new. Also checks the pulls held so far.
     */
    void onPull() {
        int gap = 1 + random.nextInt(6);
        // only the due times of delayed messages keep the run going: a consumer polling at an eighth of the rate
        sim.schedule(clock.nowMs() + (sim.waitingForDueTimes() ? 8 * gap : gap), Kind.PULL, 0, null);
        checkHeld();
        SimMember m = sim.member(1 + random.nextInt(sim.memberCount()));
        int t = random.nextInt(SimTopics.NAMES.length);
        String topic = SimTopics.NAMES[t];
        int queueId = random.nextInt(SimTopics.QUEUES_MAX);
        int choice = random.nextInt(8);
        int maxMessages = 1 + random.nextInt(MAX_MESSAGES);
        long suspendMs = random.nextInt(4) == 0 ? 20 + random.nextInt(400) : 0;
        if (!m.up || m.paused()) {
            return; // the consumer cannot reach it now
        }
        long max = m.view.maxOffset(topic, queueId);
        long offset = choice == 0 ? random.nextLong(max + 1) : choice == 1 ? max + 1 + random.nextInt(3)
            : Math.max(0, max - random.nextInt(8));
        pulls++;
        Call c = new Call(m, m.incarnation, topic, queueId, offset, maxMessages, suspendMs, clock.nowMs());
        held.add(c);
        m.endpoint.call(SimRequests.pull(topic, queueId, offset, maxMessages, suspendMs)).whenComplete((r, e) ->
            answered(c, r, e));
        c.inCall = false;
    }

    /** After every event: what a pull's answer showed (a throw inside the future's callback would be lost). */
    void afterEvent() {
        if (failure != null) {
            throw failure;
        }
    }

    private void answered(Call c, RemotingCommand response, Throwable e) {
        held.remove(c);
        if (e != null) {
            return; // the member died: the connection closed unanswered
        }
        try {
            check(c, response);
        } catch (AssertionError | RemotingCommandException | RuntimeException x) {
            if (failure == null) {
                failure = x instanceof AssertionError a ? a : new AssertionError(c.describe() + ": " + x, x);
            }
        } finally {
            response.release();
        }
    }

    /**
     * The answer to one pull, decoded: a topic the member has not applied is 17, a queue past its read queue count
     * 29; else the status (the remark) and the code the member's queue bounds imply at the answer, with the header's
     * max offset the member's own and no larger than the committed log's count, nextBeginOffset as the status
     * says; a held pull is answered only once data came or at its deadline (not before it, and as not found then);
     * what was found is checked message by message.
     */
    private void check(Call c, RemotingCommand r) throws RemotingCommandException {
        SimMember m = c.member;
        TopicConfig tc = m.topics.get(c.topic);
        if (tc == null || c.queueId >= tc.readQueueNums()) {
            int expected = tc == null ? ResponseCode.TOPIC_NOT_EXIST : ResponseCode.INVALID_PARAMETER;
            if (r.code() != expected || !c.inCall) {
                throw new AssertionError(c.describe() + ": answered " + r.code() + " (" + r.remark() + "), expected "
                    + expected + " at once");
            }
            return;
        }
        if (r.code() == ResponseCode.SYSTEM_ERROR || r.code() == ResponseCode.SYSTEM_BUSY) {
            throw new AssertionError(c.describe() + ": failed: " + r.code() + " " + r.remark());
        }
        PullMessageResponseHeader h = PullMessageResponseHeader.decode(r.extFields());
        long max = m.view.maxOffset(c.topic, c.queueId);
        long committed = checker.queueSize(c.topic, c.queueId);
        if (h.maxOffset() != max || max > committed) {
            throw new AssertionError(c.describe() + ": answered max offset " + h.maxOffset() + ", the member's is "
                + max + ", the committed log holds " + committed);
        }
        PullStatus status = checkStatus(c, r, max);
        long next = status == PullStatus.FOUND ? checkFound(c, r) : status == PullStatus.OFFSET_OVERFLOW_ONE
            ? c.offset : status == PullStatus.NO_MESSAGE_IN_QUEUE ? 0 : status == PullStatus.OFFSET_TOO_SMALL
            ? m.view.minOffset(c.topic, c.queueId) : status == PullStatus.MESSAGE_WAS_REMOVING ? c.offset + 1 : max;
        if (h.nextBeginOffset() != next || status != PullStatus.FOUND && r.body() != null) {
            throw new AssertionError(c.describe() + ": " + status + " with nextBeginOffset " + h.nextBeginOffset()
                + ", expected " + next);
        }
        pulledMessages += status == PullStatus.FOUND ? next - c.offset : 0;
    }

    /**
     * The status (the remark) and code the member's bounds imply now; a holdable answer (not found, with a suspend
     * time) comes from the hold, at or after its deadline.
     */
    private PullStatus checkStatus(Call c, RemotingCommand r, long max) {
        PullStatus status = PullStatus.valueOf(r.remark());
        long offset = c.offset;
        PullStatus expected = max == 0 ? PullStatus.NO_MESSAGE_IN_QUEUE : offset < max ? retained(c)
            : offset == max ? PullStatus.OFFSET_OVERFLOW_ONE : PullStatus.OFFSET_OVERFLOW_BADLY;
        int code = expected == PullStatus.FOUND ? ResponseCode.SUCCESS : expected == PullStatus.OFFSET_OVERFLOW_ONE
            || expected == PullStatus.NO_MESSAGE_IN_QUEUE && offset == 0 ? ResponseCode.PULL_NOT_FOUND
            : expected == PullStatus.MESSAGE_WAS_REMOVING ? ResponseCode.PULL_RETRY_IMMEDIATELY
            : ResponseCode.PULL_OFFSET_MOVED;
        if (status != expected || r.code() != code) {
            throw new AssertionError(c.describe() + " (max " + max + ") answered " + r.code() + " " + status
                + ", expected " + code + " " + expected);
        }
        if (c.suspendMs > 0 && code == ResponseCode.PULL_NOT_FOUND && (c.inCall || clock.nowMs() < c.deadlineMs())) {
            throw new AssertionError(c.describe() + ": a holdable pull answered not found at " + clock.nowMs()
                + (c.inCall ? ", at once" : ", before its deadline"));
        }
        if (!c.inCall) {
            heldAnswered++;
        }
        return status;
    }

    /**
     * Below the max offset: OFFSET_TOO_SMALL under the member's min offset, MESSAGE_WAS_REMOVING when retention
     * deleted the message at the offset (its entry is below the member's log start), else FOUND.
     */
    private PullStatus retained(Call c) {
        if (c.offset < c.member.view.minOffset(c.topic, c.queueId)) {
            return PullStatus.OFFSET_TOO_SMALL;
        }
        BrokerChecker.Ref ref = checker.refAt(c.topic, c.queueId, c.offset);
        boolean removed = ref != null && ref.index() < c.member.store.commitLog().firstIndex();
        return removed ? PullStatus.MESSAGE_WAS_REMOVING : PullStatus.FOUND;
    }

    /** The messages of a FOUND answer, checked one by one; returns the queue offset after the last. */
    private long checkFound(Call c, RemotingCommand r) {
        ByteBuffer b = r.body().nioBuffer();
        long q = c.offset;
        for (int at = b.position(); at < b.limit(); at += reader.totalSize()) {
            reader.wrap(b, at);
            checkMessage(c.member, c.topic, c.queueId, q, b);
            q++;
        }
        if (q <= c.offset || q > c.offset + c.maxMessages) {
            throw new AssertionError(c.describe() + " returned " + (q - c.offset) + " messages");
        }
        return q;
    }

    /**
     * Held pulls are answered in time: on a member that ran since (not paused, same process), one whose queue got
     * data beyond its offset is answered within {@link #WAKE_MS} of that being seen here, and every one by its
     * deadline plus the long-poll check period and {@link #WAKE_MS}.
     */
    private void checkHeld() {
        long now = clock.nowMs();
        for (Call c : held) {
            SimMember m = c.member;
            if (!m.up || m.incarnation != c.incarnation || m.pausedUntil > c.sentMs) {
                continue; // its answer was delayed by a pause, or it will never come (the member died)
            }
            if (now > c.deadlineMs() + SimEndpoint.LONG_POLL_CHECK_MS + WAKE_MS) {
                throw new AssertionError(c.describe() + ": held past its deadline " + c.deadlineMs() + " at " + now);
            }
            if (c.dataSeenMs < 0 && m.view.maxOffset(c.topic, c.queueId) > c.offset) {
                c.dataSeenMs = now;
            }
            if (c.dataSeenMs >= 0 && now > c.dataSeenMs + WAKE_MS) {
                throw new AssertionError(c.describe() + ": still held at " + now + ", data beyond its offset since "
                    + c.dataSeenMs);
            }
        }
    }

    /** A parking topic or the half topic: a send acknowledged there is delivered to its real topic later. */
    private static boolean systemTopic(String topic) {
        return DueTime.isParkingTopic(topic) || TransactionNames.HALF_TOPIC.equals(topic);
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
        boolean copy = ack != null && systemTopic(ack.topic()) && !systemTopic(topic);
        if (ack != null && !copy
            && (ack.queueOffset() != q || !ack.topic().equals(topic) || ack.queueId() != queueId)) {
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
        boolean parked = queueId == 0 && (topic.equals(sim.delays().parkingTopic(sendId))
            || TransactionNames.HALF_TOPIC.equals(topic) && sim.transactions().isTransaction(sendId));
        if (!parked && (!SimTopics.NAMES[sentTopic[s]].equals(topic) || sentQueue[s] != queueId)) {
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

    /** The end: every acknowledged send the member's log still holds is pulled at its SEND_OK offset there. */
    void checkFinal(SimMember[] members) {
        for (int i = 1; i < members.length; i++) {
            SimMember m = members[i];
            for (BrokerChecker.Ack a : acks.values()) {
                if (checker.refAt(a.physical()).index() < m.store.commitLog().firstIndex()) {
                    continue; // retention deleted it (BrokerChecker checks the answers below the retained log)
                }
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
