package io.raftmq.broker.processor.pull;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.raftmq.broker.clients.ClientChannelInfo;
import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.clients.ConsumerIdsChangedNotifier;
import io.raftmq.broker.longpoll.HeldPullRequests;
import io.raftmq.broker.longpoll.LongPollConfig;
import io.raftmq.broker.metadata.Fixture;
import io.raftmq.broker.processor.store.StoreQueryProcessor;
import io.raftmq.broker.store.BrokerStats;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.broker.store.StoreReadConfig;
import io.raftmq.client.protocol.LanguageCode;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.body.SubscriptionData;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.commitlog.time.ManualClock;
import io.raftmq.client.testing.EmbeddedRemotingServer;
import io.raftmq.testsupport.Awaits;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Test harness: the pull and store-query processors of one broker on an {@link EmbeddedRemotingServer} (one
 * embedded connection, requests and responses through the wire codec, no socket) over a real MessageStore
 * ({@link StoreFixture}), the control plane from {@link Fixture} (synchronous fake proposer, manual clock), and long
 * polling on that manual clock (the test calls {@code held.expire()}). Mirrors the registration the wiring layer
 * does.
 */
public final class PullTestBroker implements AutoCloseable {
    public static final String GROUP = "cg";
    public final Fixture f = Fixture.leader();
    public final StoreFixture fx;
    public final BrokerStore store;
    public final AtomicBoolean leader = new AtomicBoolean(true);
    public final EmbeddedRemotingServer server = new EmbeddedRemotingServer();
    public final ClientManager clients;
    public final HeldPullRequests held;
    public final PullProgress progress = new PullProgress(1000);
    public final PullMessageProcessor pull;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final EmbeddedChannel consumerChannel = new EmbeddedChannel();

    public PullTestBroker(Path dir) throws Exception {
        fx = new StoreFixture(dir);
        store = new BrokerStore(fx.store, StoreReadConfig.defaults(), ByteBufAllocator.DEFAULT);
        held = new HeldPullRequests(new LongPollConfig(100, 30_000, 100), f.clock::get, executor, store);
        clients = new ClientManager(f.clock::get, 120_000, ConsumerIdsChangedNotifier.remoting(server, 1000),
                g -> false);
        pull = new PullMessageProcessor(store, held, f.topics, f.groups, clients, f.offsets, leader::get, progress,
                new BrokerStats(new ManualClock(0, f.clock.get()), ZoneOffset.UTC, store));
        register(PullMessageProcessor.CODES, pull);
        register(StoreQueryProcessor.CODES, new StoreQueryProcessor(store, f.topics, f.offsets, progress, "broker-a"));
        f.topics.createOrUpdate(new TopicConfig("T", 4, 4, 6, TopicConfig.SINGLE_TAG, 0, false, Map.of()))
                .get(5, TimeUnit.SECONDS);
        server.start();
    }

    private void register(int[] codes, RequestProcessor p) {
        for (int code : codes) {
            server.registerProcessor(code, p, executor);
        }
    }

    /** Registers GROUP's subscription to topic T as a heartbeat would. */
    public void subscribe(String expression, List<Integer> codes, long subVersion, String type) {
        SubscriptionData s = new SubscriptionData("T", expression, List.of(expression.split("\\|\\|")), codes,
                subVersion, type, false);
        clients.registerConsumer(GROUP, new ClientChannelInfo(consumerChannel, "c1@1", LanguageCode.JAVA, 479,
                f.clock.get()), "CONSUME_PASSIVELY", "CLUSTERING", "CONSUME_FROM_LAST_OFFSET", List.of(s), false);
    }

    public static RemotingCommand pullRequest(int code, int queueId, long offset, int sysFlag, String subscription,
                                              long subVersion, long suspendMs) {
        return RemotingCommand.createRequest(code, new PullMessageRequestHeader(GROUP, "T", queueId, offset, 32,
                sysFlag, -1, suspendMs, subscription, subVersion, null, 262_144, "broker-a"));
    }

    /** Sends {@code request} on the embedded connection and waits for the response (owned by the caller). */
    public RemotingCommand call(RemotingCommand request) throws Exception {
        return server.call(request);
    }

    /** Sends {@code request} on the embedded connection; the future completes with its response. */
    public CompletableFuture<RemotingCommand> callAsync(RemotingCommand request) {
        return server.callAsync(request);
    }

    /** Waits (bounded) for a condition another thread makes true. */
    public static void await(BooleanSupplier condition, String what) {
        Awaits.await(what).atMost(Duration.ofSeconds(5)).until(condition::getAsBoolean);
    }

    @Override
    public void close() throws Exception {
        held.close();
        server.close();
        executor.shutdownNow();
        consumerChannel.finishAndReleaseAll();
        fx.close();
    }

    /** The PullSysFlag of a push consumer that sends no subscription (2) and of lite pull (0x16). */
    public static final int PUSH = PullMessageRequestHeader.FLAG_SUSPEND;
    public static final int LITE = PullMessageRequestHeader.FLAG_SUSPEND | PullMessageRequestHeader.FLAG_SUBSCRIPTION
            | PullMessageRequestHeader.FLAG_LITE_PULL;
    public static final int SUB = PullMessageRequestHeader.FLAG_SUBSCRIPTION;
}
