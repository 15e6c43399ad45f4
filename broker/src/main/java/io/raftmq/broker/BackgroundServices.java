package io.raftmq.broker;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.metadata.SystemTopics;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.broker.replication.BrokerStateMachine;
import io.raftmq.broker.replication.LeaderReadiness;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.broker.retention.DiskUsage;
import io.raftmq.broker.retention.RetentionService;
import io.raftmq.broker.retention.RetentionSettings;
import io.raftmq.broker.route.NamingRegistrar;
import io.raftmq.broker.route.RoleRegistration;
import io.raftmq.broker.schedule.DueMessages;
import io.raftmq.broker.snapshot.FileSnapshotStore;
import io.raftmq.broker.snapshot.SnapshotCatalog;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.raft.driver.FollowerProgress;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Starts the broker's periodic work on the {@code broker-scheduler} thread: NameServer registration with offset
 * flushing and the role watchers, retention, consume-queue unit writes, and due-message delivery (delay levels and
 * timers). Each is recorded in the controller's {@link Lifecycle} so it stops with the member. Used by
 * {@link BrokerController} while it starts; not thread-safe.
 */
final class BackgroundServices {
    private static final Logger LOG = LoggerFactory.getLogger(BackgroundServices.class);
    /** How often the consume-queue units held only in memory are written to their files (docs/storage.md). */
    private static final long UNIT_WRITE_INTERVAL_MS = 1000;

    private final BrokerConfig config;
    private final Clock clock;
    private final Lifecycle lifecycle;
    private final ScheduledExecutorService scheduler;
    private final RaftGroupNode raft;
    private final BooleanSupplier isLeader;

    BackgroundServices(BrokerConfig config, Clock clock, Lifecycle lifecycle, ScheduledExecutorService scheduler,
                       RaftGroupNode raft, BooleanSupplier isLeader) {
        this.config = config;
        this.clock = clock;
        this.lifecycle = lifecycle;
        this.scheduler = scheduler;
        this.raft = raft;
        this.isLeader = isLeader;
    }

    /**
     * Delay levels and timers (docs/messaging.md): the timer index and delivery state, fed by the log replay (so
     * registered before the agent starts), and the leader's delivery ticked on the scheduler once serving
     * ({@code batcher} answers null until then).
     */
    void installDueDelivery(MessageStore store, BrokerStateMachine sm, FileSnapshotStore snapshots,
                            Supplier<SendBatcher> batcher, TopicConfigManager topics, LeaderReadiness readiness) {
        DueMessages due;
        try {
            due = DueMessages.open(Path.of(config.storePathRootDir(), "timer"), config.messageDelayLevel(),
                store.commitLog());
        } catch (IOException e) {
            throw new UncheckedIOException("the timer index cannot be opened", e);
        }
        lifecycle.add("timer index", due::close);
        due.register(sm);
        snapshots.addFloor(due::floor);
        snapshots.addBeforeWrite(due.index());
        ScheduledFuture<?> ticks = due.startTicking(scheduler, batcher,
            payload -> raft.agent().propose(EntryType.TIMER_PROGRESS, payload), t -> topics.get(t) != null,
            readiness::readyTerm, clock::wallMillis);
        lifecycle.add("due-message delivery", () -> ticks.cancel(false));
    }

    /**
     * Retention on the scheduler every cleanResourceInterval; deletions run on the raft agent thread
     * (docs/snapshots.md "Retention"). A null {@code disk} is the real file system of storePathRootDir.
     */
    RetentionService startRetention(DiskUsage disk, SnapshotCatalog catalog, MessageStore store,
                                    BrokerStateMachine stateMachine) {
        DiskUsage usage = disk != null ? disk : DiskUsage.of(Path.of(config.storePathRootDir()));
        RetentionService retention = new RetentionService(RetentionSettings.from(config, ZoneId.systemDefault()),
            clock, usage, catalog, store, new RetentionRaft(stateMachine));
        ScheduledFuture<?> runs = retention.start(scheduler);
        lifecycle.add("retention", () -> runs.cancel(false));
        return retention;
    }

    /**
     * Once a second the agent thread writes the consume-queue units held only in memory to their files (the
     * dispatcher writes a queue's units in pieces of many; a queue that receives little would otherwise wait for the
     * next checkpoint). A write failure stops the member like any storage failure. {@code store} is read at each run
     * (the controller's current store).
     */
    void startUnitWrites(Supplier<MessageStore> store) {
        RaftAgent agent = raft.agent();
        ScheduledFuture<?> writes = scheduler.scheduleWithFixedDelay(() -> agent.runOnAgentThread(() -> {
            try {
                store.get().writeHeldUnits();
            } catch (IOException e) {
                throw new UncheckedIOException("consume-queue units could not be written", e);
            }
        }), UNIT_WRITE_INTERVAL_MS, UNIT_WRITE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        lifecycle.add("unit writes", () -> writes.cancel(false));
    }

    /** Periodic registration, offset flushing, and the role watcher that re-registers on a leadership change. */
    void startRegistration(RemotingClient client, TopicConfigManager topics, ConsumerOffsetManager offsets,
                           RoleWatchers roleWatchers, LeaderReadiness readiness) {
        NamingRegistrar registrar = new NamingRegistrar(config, client, topics, isLeader, scheduler);
        registrar.setRaftTerm(() -> raft.agent().status().term());
        topics.addChangeListener(registrar::onTopicsChanged);
        registrar.start();
        lifecycle.addGraceful("registration (unregister)", registrar::shutdown);
        offsets.start(scheduler);
        lifecycle.addGraceful("offset flushing (final proposals)", offsets::stop);
        RoleRegistration roles = new RoleRegistration(registrar::registerAll, isLeader, this::logRole,
            scheduler, (task, delayMs) -> scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS), clock);
        scheduler.execute(roles::requestRegistration); // the first one is retried like a role change
        roleWatchers.add(roles::tick);
        roleWatchers.add(new SystemTopics(topics, readiness::readyTerm, config.brokerClusterName())::observe);
        ScheduledFuture<?> watcher = scheduler.scheduleWithFixedDelay(roleWatchers::runAll,
            RoleWatchers.SAFETY_POLL_MS, RoleWatchers.SAFETY_POLL_MS, TimeUnit.MILLISECONDS);
        roleWatchers.signal(); // what changed before the watchers were added
        lifecycle.add("role watchers", () -> watcher.cancel(false));
    }

    private void logRole(boolean leader) {
        RaftStatus s = raft.agent().status();
        LOG.info("member {} is now {} (term {}, commit {})", config.raftSelfId(), s.role(), s.term(), s.commitIndex());
    }

    /** Retention's view of the raft side: status from any thread; applied index and compaction on the agent's. */
    private final class RetentionRaft implements RetentionService.RaftSide {
        private final BrokerStateMachine stateMachine;

        RetentionRaft(BrokerStateMachine stateMachine) {
            this.stateMachine = stateMachine;
        }

        @Override
        public boolean isLeader() {
            return isLeader.getAsBoolean();
        }

        @Override
        public List<FollowerProgress> followers() {
            return raft.agent().followers();
        }

        @Override
        public long appliedIndex() {
            return stateMachine.appliedIndex();
        }

        @Override
        public void runOnAgentThread(Runnable task) {
            raft.agent().runOnAgentThread(task);
        }

        @Override
        public int compactTo(long index) {
            return raft.raftLog().compactTo(index);
        }

        @Override
        public void requestSnapshot() {
            raft.agent().requestSnapshot();
        }
    }
}
