package io.raftmq.broker.sim;

import io.raftmq.broker.config.DelayLevels;
import io.raftmq.broker.schedule.DueRoute;
import io.raftmq.broker.schedule.DueTime;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Delayed and timer messages in a {@link BrokerSimulation} (docs/simulation.md "Faults and workload", "Invariants"):
 * which single sends carry a DELAY level or a timer property (a stream of its own, and off for one seed in three),
 * and the invariants of the due-message engine (docs/messaging.md "Delay levels and timer messages") over the
 * committed reference log: every parked message is delivered to its real topic and queue exactly once, its copy
 * committed no earlier than its due time on the simulated clock, and every parked message is delivered before the
 * run may end. The leader's delivery itself is the real {@code DueDelivery}, ticked by {@link SimEndpoint}.
 * Single thread.
 */
final class SimDelays {
    /** The delay levels of the simulated members (RocketMQ's default: level 1 is 1 s). */
    static final DelayLevels LEVELS = SimEndpoint.CONFIG.messageDelayLevel();

    /** A parked message of the reference: its send, due time and destination; {@code copy} once delivered. */
    private static final class Parked {
        final long sendId;
        final long dueMs;
        final String realTopic;
        final int realQueue;
        long copy = -1;

        Parked(long sendId, long dueMs, String realTopic, int realQueue) {
            this.sendId = sendId;
            this.dueMs = dueMs;
            this.realTopic = realTopic;
            this.realQueue = realQueue;
        }
    }

    private final SplittableRandom random;
    private final boolean enabled;
    private final SimClock clock;
    /** Delayed sends: send id to the parking topic its SEND_OK's queue offset belongs to. */
    private final Map<Long, String> parkingTopic = new HashMap<>();
    /** TIMER_DELIVER_MS sends: send id to the deliver time the producer asked for. */
    private final Map<Long, Long> deliverAt = new HashMap<>();
    /** Sends of {@link #deliverAt} the leader stored as sent (routed less than the timer precision ahead). */
    private final Map<Long, Long> storedAsSent = new HashMap<>();
    private PullChecker pullChecker;
    /** Parked messages of the reference by position (the copies' PREPAREDTRANSACTIONOFFSET). */
    private final Map<Long, Parked> parked = new TreeMap<>();
    private int delivered;

    SimDelays(SplittableRandom random, SimClock clock) {
        this.random = random;
        this.clock = clock;
        this.enabled = random.nextInt(3) != 0;
    }

    /** Whether this seed sends delayed messages (the members then tick their due-message delivery). */
    boolean enabled() {
        return enabled;
    }

    int delayedSends() {
        return parkingTopic.size();
    }

    int delivered() {
        return delivered;
    }

    /** Told when an acknowledgement moves to the real topic ({@link #onAckMoved}). */
    void watch(PullChecker p) {
        this.pullChecker = p;
    }

    /** Whether delayed send {@code sendId} was stored unparked in its real topic (a timer within its precision). */
    boolean storedAsSent(long sendId) {
        return storedAsSent.containsKey(sendId);
    }

    /** A SEND_OK of a send stored as sent named its real topic's queue offset (the checker moved it). */
    void onAckMoved(BrokerChecker.Ack before, BrokerChecker.Ack after) {
        pullChecker.onAckMoved(before, after);
    }

    int storedAsSentCount() {
        return storedAsSent.size();
    }

    /**
     * The delay property of single send {@code sendId}, or null for a plain one: before healing one single send
     * in four, a DELAY level of 1 (1 s), TIMER_DELAY_SEC 1-2, TIMER_DELAY_MS 1,000-2,500 or TIMER_DELIVER_MS 2.5-3.5 s
     * ahead of the producer's clock. Each is at least the 1 s timer precision ahead when the leader routes it (a
     * send reaches the leader at most about a second late: a stall, then the hold), so each is parked.
     */
    String[] draw(long sendId, boolean healed) {
        if (!enabled || healed || random.nextInt(4) != 0) {
            return null;
        }
        String[] p = switch (random.nextInt(4)) {
            case 0 -> new String[] {DueTime.DELAY, "1"};
            case 1 -> new String[] {DueTime.TIMER_DELAY_SEC, Integer.toString(1 + random.nextInt(2))};
            case 2 -> new String[] {DueTime.TIMER_DELAY_MS, Integer.toString(1000 + random.nextInt(1501))};
            default -> new String[] {DueTime.TIMER_DELIVER_MS, Long.toString(clock.wallMillis() + 2500
                + random.nextInt(1001))};
        };
        if (p[0].equals(DueTime.TIMER_DELIVER_MS)) {
            deliverAt.put(sendId, Long.parseLong(p[1]));
        }
        parkingTopic.put(sendId, p[0].equals(DueTime.DELAY) ? DueTime.SCHEDULE_TOPIC : DueTime.TIMER_TOPIC);
        return p;
    }

    /** The parking topic of delayed send {@code sendId} (queue 0: level 1, or the timer queue), else null. */
    String parkingTopic(long sendId) {
        return parkingTopic.get(sendId);
    }

    /**
     * A message joins the reference log (committed; applied by a member in the event that just ran, so at the
     * simulated time now). A parked message is recorded with its due time; a delivered copy must name a parked
     * message of the same send, go to its real topic and queue, be its first copy, and be committed and stamped no
     * earlier than its due time.
     */
    void onReference(BrokerChecker.Ref r, StoredMessage m) {
        String props = m.properties();
        String topic = parkingTopic.get(r.sendId());
        if (DueTime.isParkingTopic(r.topic())) {
            check(r.topic().equals(topic), "send " + r.sendId() + " parked in " + r.topic() + ", sent for " + topic);
            long due = DueTime.dueMs(r.topic(), r.queueId(), m.storeTimestamp(), props, LEVELS);
            check(due > 0, "parked " + r + " has no due time: " + props);
            parked.put(r.physical(), new Parked(r.sendId(), due, MessageProperties.get(props, DueTime.REAL_TOPIC),
                Integer.parseInt(MessageProperties.get(props, DueTime.REAL_QID))));
            return;
        }
        if (topic == null) {
            return; // a plain send
        }
        long source = m.preparedTransactionOffset();
        Long at = deliverAt.get(r.sendId());
        if (source == 0 && at != null && at - m.storeTimestamp() < DueRoute.PRECISION_MS) {
            // docs/messaging.md: a timer less than the precision ahead when routed is stored as sent (the
            // documented tolerance: up to 1 s before its deliver time); its send reached the leader late
            check(storedAsSent.put(r.sendId(), m.storeTimestamp()) == null, "send " + r.sendId() + " stored twice");
            return;
        }
        check(source > 0 && (m.sysFlag() & SysFlag.TRANSACTION_MASK) == SysFlag.TRANSACTION_NOT,
            "delayed send " + r.sendId() + " stored in its real topic unparked: " + r + " at "
            + (m.storeTimestamp() - SimClock.EPOCH_MS) + " with " + props);
        Parked p = parked.get(source);
        check(p != null && p.sendId == r.sendId(), "copy " + r + " names no parked message of its send: " + source);
        check(p.copy < 0, "parked send " + r.sendId() + " delivered twice: at " + p.copy + " and " + r);
        check(p.realTopic.equals(r.topic()) && p.realQueue == r.queueId(), "parked send " + r.sendId()
            + " for " + p.realTopic + "/" + p.realQueue + " delivered to " + r);
        check(MessageProperties.get(props, DueTime.DELAY) == null, "copy " + r + " still carries DELAY");
        long now = clock.wallMillis();
        check(now >= p.dueMs && m.storeTimestamp() >= p.dueMs, "parked send " + r.sendId() + " due at "
            + (p.dueMs - SimClock.EPOCH_MS) + " delivered early: committed at " + clock.nowMs() + ", stored at "
            + (m.storeTimestamp() - SimClock.EPOCH_MS));
        p.copy = r.physical();
        delivered++;
    }

    /** Every parked message of the reference is delivered (the end condition waits for it). */
    boolean allDelivered() {
        return delivered == parked.size();
    }

    /** The end: every parked message delivered once (checked as each copy joined the reference). */
    void checkFinal() {
        for (Map.Entry<Long, Parked> e : parked.entrySet()) {
            Parked p = e.getValue();
            check(p.copy >= 0, "parked send " + p.sendId + " at " + e.getKey() + " due at "
                + (p.dueMs - SimClock.EPOCH_MS) + " never delivered");
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
