package io.raftmq.broker.sim;

import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.LockBatchRequestBody;
import io.raftmq.client.protocol.body.LockBatchResponseBody;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.raft.core.Role;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Queue locks in a {@link BrokerSimulation} (docs/simulation.md "Faults and workload", "Invariants"): three
 * orderly consumers of one group lock and unlock queues of {@code sim-orders} with LOCK_BATCH_MQ / UNLOCK_BATCH_MQ
 * through the real {@code QueueLockProcessor} (a stream of its own, off for one seed in three). Each client keeps
 * what the answers of ready leaders told it: a queue in a lock answer is held from the answer until the request's
 * send time plus the lock expiry (the grant's lock time is the leader's clock at the call, no earlier), or until
 * the client sends an unlock for it (an answer to a lock sent before that unlock does not count). The
 * invariant (docs/messaging.md "Ordered consumption"): no queue is ever held by two clients at once. Single
 * thread.
 */
final class SimLocks {
    static final String GROUP = "sim-orderly";
    static final int CLIENTS = 3;
    /** The lock expiry the members use (queueLockExpiryMs, scaled down so that expiry happens within a run). */
    static final long EXPIRY_MS = 1_000;

    private final BrokerSimulation sim;
    private final SplittableRandom random;
    private final boolean enabled;
    private final SimClock clock;
    /** Per client and queue: the end of the hold it believes it has (0: none), and its start. */
    private final long[][] heldUntil = new long[CLIENTS][SimTopics.QUEUES[0]];
    private final long[][] heldFrom = new long[CLIENTS][SimTopics.QUEUES[0]];
    /** Per client and queue: when it last sent an unlock (a lock answer to an earlier request does not count). */
    private final long[][] unlockSent = new long[CLIENTS][SimTopics.QUEUES[0]];
    private int grants;
    private String failure;

    SimLocks(BrokerSimulation sim, SplittableRandom random, SimClock clock) {
        this.sim = sim;
        this.random = random;
        this.clock = clock;
        this.enabled = random.nextInt(3) != 0;
    }

    boolean enabled() {
        return enabled;
    }

    int grants() {
        return grants;
    }

    void start() {
        if (enabled) {
            sim.schedule(20 + random.nextInt(40), Kind.LOCK, 0, null);
        }
    }

    void afterEvent() {
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    /**
     * Before healing, every 10-40 ms a client locks 1-2 random queues (3 times in 4) or unlocks one it holds, on
     * the member it believes leads (the leader 9 times in 10, as a client that dials brokerId 0 with a stale route
     * now and then).
     */
    void onLock() {
        if (sim.healed()) {
            return;
        }
        sim.schedule(clock.nowMs() + 10 + random.nextInt(31), Kind.LOCK, 0, null);
        int c = random.nextInt(CLIENTS);
        int leader = sim.currentLeader();
        SimMember m = sim.member(leader != 0 && random.nextInt(10) < 9 ? leader
            : 1 + random.nextInt(sim.memberCount()));
        boolean lock = random.nextInt(4) != 0;
        List<MessageQueue> queues = new ArrayList<>();
        int first = random.nextInt(heldUntil[c].length);
        queues.add(queue(first));
        if (random.nextBoolean()) {
            queues.add(queue((first + 1) % heldUntil[c].length));
        }
        if (!m.up || m.paused() || m.endpoint == null) {
            return;
        }
        long sentMs = clock.nowMs();
        if (!lock) {
            for (MessageQueue q : queues) {
                heldUntil[c][q.queueId()] = Math.min(heldUntil[c][q.queueId()], sentMs); // let go before asking
                unlockSent[c][q.queueId()] = sentMs;
            }
        }
        // a member that is a ready leader when it takes the call grants (after the commit); others answer from
        // their table, which the docs promise nothing about: those answers are not counted as holds
        boolean grantPath = m.raft.role() == Role.LEADER && m.stateMachine.appliedTerm() == m.raft.term();
        RemotingCommand request = RemotingCommand.createRequest(lock ? RequestCode.LOCK_BATCH_MQ
            : RequestCode.UNLOCK_BATCH_MQ).setBody(new LockBatchRequestBody("lock-c" + c, GROUP, queues, true)
            .encode());
        m.endpoint.call(request).whenComplete((response, e) -> {
            if (e != null) {
                return;
            }
            try {
                if (lock && grantPath && response.code() == ResponseCode.SUCCESS) {
                    onGranted(c, sentMs, LockBatchResponseBody.decode(response.bodyBytes()).lockOKMQSet());
                }
            } catch (RemotingCommandException | RuntimeException x) {
                failure = failure != null ? failure : "lock answer to client " + c + ": " + x;
            } finally {
                response.release();
            }
        });
        sim.driver().drain(m);
    }

    private static MessageQueue queue(int id) {
        return new MessageQueue(SimTopics.NAMES[0], "sim-broker", id);
    }

    /** A ready leader's answer names {@code held}: no other client may hold any of them now. */
    private void onGranted(int c, long sentMs, List<MessageQueue> held) {
        long now = clock.nowMs();
        for (MessageQueue q : held) {
            int id = q.queueId();
            if (unlockSent[c][id] >= sentMs) {
                continue; // the client unlocked it since it asked: that unlock may release it any time
            }
            for (int o = 0; o < CLIENTS; o++) {
                if (o != c && heldUntil[o][id] > now) {
                    failure = failure != null ? failure : "queue " + q + " granted to client " + c + " at " + now
                        + " while client " + o + " holds it from " + heldFrom[o][id] + " until " + heldUntil[o][id];
                }
            }
            if (heldUntil[c][id] <= now) {
                heldFrom[c][id] = now;
            }
            heldUntil[c][id] = Math.max(heldUntil[c][id], sentMs + EXPIRY_MS);
            grants++;
        }
    }
}
