package io.raftmq.broker.sim;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * The consumer offset invariants of {@link BrokerSimulation}, checked after every event: committed consumer
 * offsets never move backward and are equal on every member that applied them. A reference maps each applied
 * index seen to the offset table there (one offset per topic and queue of {@link SimWorkload#GROUP}, -1 when none),
 * taken from the first member seen at that index; every member's table must equal the reference at its applied
 * index (a restarted member's replay included), and along the reference every queue's offset only grows. An
 * acknowledged commit (its future completed) must be what the member that acknowledged it now serves.
 */
final class OffsetChecker {
    private final TreeMap<Long, long[]> reference = new TreeMap<>();
    private long acknowledged;

    /** Offset table of {@code m}: topic-major, then queue; -1 where nothing is stored. */
    static long[] table(SimMember m) {
        long[] t = new long[SimWorkload.TOPICS.length * SimWorkload.QUEUES];
        for (int i = 0; i < t.length; i++) {
            t[i] = m.offsets.query(SimWorkload.GROUP, SimWorkload.TOPICS[i / SimWorkload.QUEUES],
                i % SimWorkload.QUEUES);
        }
        return t;
    }

    void afterEvent(SimMember[] members) {
        for (int i = 1; i < members.length; i++) {
            SimMember m = members[i];
            if (m.up && m.offsets != null) {
                check(m, m.stateMachine.appliedIndex(), table(m));
            }
        }
    }

    private void check(SimMember m, long applied, long[] t) {
        long[] ref = reference.get(applied);
        if (ref != null) {
            if (!Arrays.equals(ref, t)) {
                throw new AssertionError("member " + m.id + " consumer offsets at applied index " + applied + " "
                    + Arrays.toString(t) + " differ from the reference " + Arrays.toString(ref));
            }
            return;
        }
        Map.Entry<Long, long[]> before = reference.floorEntry(applied);
        Map.Entry<Long, long[]> after = reference.ceilingEntry(applied);
        for (int q = 0; q < t.length; q++) {
            if (before != null && t[q] < before.getValue()[q] || after != null && t[q] > after.getValue()[q]) {
                throw new AssertionError("consumer offset moved backward: queue slot " + q + " is " + t[q]
                    + " at index " + applied + " (member " + m.id + ") but " + (before != null
                    ? before.getValue()[q] + " at index " + before.getKey() : "-") + " / " + (after != null
                    ? after.getValue()[q] + " at index " + after.getKey() : "-"));
            }
        }
        reference.put(applied, t);
    }

    /** A commit of {@code offset} to {@code slot} was acknowledged by member {@code m}: it must serve it now. */
    void onAck(SimMember m, int slot, long offset) {
        acknowledged++;
        long served = table(m)[slot];
        if (served != offset) {
            throw new AssertionError("member " + m.id + " acknowledged consumer offset " + offset + " for slot "
                + slot + " but serves " + served);
        }
    }

    /** At the end: every member's table equals the reference at its applied index (checked as every event). */
    void checkFinal(SimMember[] members) {
        afterEvent(members);
    }

    long acknowledged() {
        return acknowledged;
    }
}
