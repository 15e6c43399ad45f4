package io.raftmq.broker.metadata;

import io.raftmq.broker.offset.ConsumerOffsetManager;

import java.util.concurrent.atomic.AtomicLong;

/** One member's control-plane state wired to a {@link FakeProposer} and a manual clock (tests only). */
public final class Fixture {
    public final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    public final FakeProposer proposer;
    public final TopicConfigManager topics;
    public final SubscriptionGroupManager groups;
    public final ConsumerOffsetManager offsets;
    public final MetadataStateMachine sm;

    public Fixture(boolean autoCreate, int batchUpdatesMax, int pendingMax, int inflightMax) {
        this(new FakeProposer(), autoCreate, batchUpdatesMax, pendingMax, inflightMax);
    }

    public Fixture(FakeProposer proposer, boolean autoCreate, int batchUpdatesMax, int pendingMax, int inflightMax) {
        this.proposer = proposer;
        this.topics = new TopicConfigManager(proposer, clock::get, autoCreate, 8);
        this.groups = new SubscriptionGroupManager(proposer, clock::get, autoCreate);
        this.offsets = new ConsumerOffsetManager(proposer, 100, batchUpdatesMax, pendingMax, inflightMax);
        this.sm = new MetadataStateMachine(topics, groups, offsets);
    }

    /** A leader fixture whose proposer applies to its own state machine. */
    public static Fixture leader() {
        Fixture f = new Fixture(true, 1024, 65_536, 4);
        f.proposer.attach(f.sm);
        return f;
    }

    /** A fresh, unattached member (a follower replaying the log). */
    public static Fixture member() {
        return new Fixture(true, 1024, 65_536, 4);
    }
}
