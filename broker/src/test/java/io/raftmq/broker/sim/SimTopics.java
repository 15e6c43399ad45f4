package io.raftmq.broker.sim;

import io.raftmq.broker.metadata.Names;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.sim.BrokerSimulation.Kind;
import io.raftmq.client.protocol.body.TopicConfig;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Topic creation in {@link BrokerSimulation}, as UPDATE_AND_CREATE_TOPIC submits it: a {@code TOPIC_PUT} proposed
 * through the member's real {@link TopicConfigManager} (the metadata proposal path, {@link SimMetadataProposer}),
 * mostly to the leader (a follower refuses). The first {@link #EARLY} topics are created at the start, the others
 * mid-run at a seeded time; each creation is retried until one is acknowledged, one attempt outstanding at a time;
 * an attempt whose member died meanwhile is never answered (its proposals die with it), so the admin gives it up
 * (outcome unknown) and tries again, as its request would time out. Until a member applied a topic's
 * creation, a send to it through that member is refused as TOPIC_NOT_EXIST ({@link SimWorkload}). At the end every
 * member's topic table must hold exactly the topics whose creation was acknowledged (and maybe ones whose outcome
 * was unknown). Draws from a stream of its own.
 */
final class SimTopics {
    /** The topics of the run, with their queue counts; the offset-commit topics are the first two. */
    static final String[] NAMES = {"sim-orders", "sim-audit", "sim-late-a", "sim-late-b"};
    static final int[] QUEUES = {4, 4, 2, 3};
    static final int EARLY = 2;
    /** The largest queue count of {@link #QUEUES}. */
    static final int QUEUES_MAX = 4;

    private final BrokerSimulation sim;
    private final SplittableRandom random;
    private final SimClock clock;
    private final boolean[] acknowledged = new boolean[NAMES.length];
    private final boolean[] outstanding = new boolean[NAMES.length];
    /** The member an outstanding attempt went to, and its incarnation then. */
    private final SimMember[] outstandingOn = new SimMember[NAMES.length];
    private final int[] outstandingIncarnation = new int[NAMES.length];
    private int proposals;
    /** A violation seen inside a future's callback (where a throw would be swallowed), reported after the event. */
    private String failure;

    SimTopics(BrokerSimulation sim, SplittableRandom random, SimClock clock) {
        this.sim = sim;
        this.random = random;
        this.clock = clock;
    }

    /** Schedules each topic's first creation attempt: the early ones at once, the late ones mid-run. */
    void start() {
        for (int t = 0; t < NAMES.length; t++) {
            long at = t < EARLY ? 10 + random.nextInt(50) : 300 + random.nextInt(2_200);
            sim.schedule(at, Kind.CREATE_TOPIC, 0, t);
        }
    }

    int proposals() {
        return proposals;
    }

    /** One creation attempt of topic {@code t}; another follows unless one was acknowledged. */
    void onCreate(int t) {
        if (acknowledged[t]) {
            return;
        }
        sim.schedule(clock.nowMs() + 50 + random.nextInt(150), Kind.CREATE_TOPIC, 0, t);
        if (outstanding[t] && outstandingOn[t].incarnation == outstandingIncarnation[t]) {
            return;
        }
        int leader = sim.currentLeader();
        SimMember m = sim.member(leader != 0 && random.nextInt(10) < 8 ? leader
            : 1 + random.nextInt(sim.memberCount()));
        if (!m.up || m.paused()) {
            return; // the admin tool cannot reach it now
        }
        proposals++;
        outstanding[t] = true;
        outstandingOn[t] = m;
        outstandingIncarnation[t] = m.incarnation;
        m.topics.createOrUpdate(config(t)).whenComplete((c, e) -> {
            outstanding[t] = false;
            if (e == null) {
                if (!config(t).equals(c)) {
                    failure = "topic creation acknowledged by member " + m.id + " but it serves " + c;
                }
                acknowledged[t] = true;
            }
        });
        sim.driver().drain(m);
    }

    /** After every event: what a callback saw. */
    void afterEvent() {
        check(failure == null, failure);
    }

    /** The config the admin creates topic {@code t} with. */
    static TopicConfig config(int t) {
        return new TopicConfig(NAMES[t], QUEUES[t], QUEUES[t], TopicConfigManager.PERM_RW, TopicConfig.SINGLE_TAG,
            0, false, Map.of());
    }

    /**
     * The end: every member's table holds each acknowledged topic with its config, nothing but the run's topics and
     * the built-in ones, and all members hold the same table.
     */
    void checkFinal(SimMember[] members) {
        Map<String, TopicConfig> first = members[1].topics.all();
        for (int i = 1; i < members.length; i++) {
            Map<String, TopicConfig> table = members[i].topics.all();
            check(table.equals(first), "member " + i + " topic table " + table.keySet() + " differs from member 1's "
                + first.keySet());
            for (int t = 0; t < NAMES.length; t++) {
                TopicConfig c = table.get(NAMES[t]);
                check(!acknowledged[t] || config(t).equals(c), "member " + i + ": acknowledged topic " + NAMES[t]
                    + " is " + c);
                check(c == null || config(t).equals(c), "member " + i + ": topic " + NAMES[t] + " is " + c);
            }
            for (String name : table.keySet()) {
                check(name.equals(Names.DEFAULT_TOPIC) || List.of(NAMES).contains(name), "member " + i
                    + " holds a topic nobody created: " + name);
            }
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }
}
