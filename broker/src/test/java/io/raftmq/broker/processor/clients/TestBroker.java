package io.raftmq.broker.processor.clients;

import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.clients.ConsumerIdsChangedNotifier;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.metadata.Fixture;
import io.raftmq.broker.offset.StoreView;
import io.raftmq.broker.processor.admin.AdminProcessor;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.testing.EmbeddedRemotingServer;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Test harness: the control-plane processors of one broker hosted on an {@link EmbeddedRemotingServer} (one
 * embedded connection, requests and responses through the wire codec, no socket), backed by a {@link Fixture}
 * whose fake proposer commits synchronously. Mirrors the registration the wiring layer does.
 */
public final class TestBroker implements AutoCloseable {
    public final Fixture f = Fixture.leader();
    public final BrokerConfig config;
    public final EmbeddedRemotingServer server = new EmbeddedRemotingServer();
    public final ClientManager clients;
    public final AdminProcessor admin;
    public final ConsumerManageProcessor consumerProcessor;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    public TestBroker(StoreView store) throws Exception {
        config = BrokerConfig.fromProperties(Map.of("brokerName", "broker-a", "listenHost", "127.0.0.1",
                "storePathRootDir", "/tmp/unused", "namesrvAddr", "127.0.0.1:9876",
                "raftPeers", "n0-127.0.0.1:10915", "raftSelfId", "n0"), "test");
        clients = new ClientManager(f.clock::get, config.clientChannelExpiredTimeoutMs(),
                ConsumerIdsChangedNotifier.remoting(server, 1000), g -> {
                    var c = f.groups.get(g);
                    return c == null || c.notifyConsumerIdsChangedEnable();
                });
        server.addChannelEventListener(clients.channelListener());
        ClientManageProcessor cmp = new ClientManageProcessor(clients, f.groups, f.topics, f.proposer, 3000);
        consumerProcessor = new ConsumerManageProcessor(clients, f.offsets, store, 3000);
        admin = new AdminProcessor(config, f.topics, f.groups, f.offsets, clients, store, f.clock::get);
        register(ClientManageProcessor.CODES, cmp);
        register(ConsumerManageProcessor.CODES, consumerProcessor);
        register(AdminProcessor.CODES, admin);
        server.start();
        f.offsets.start(scheduler);
    }

    private void register(int[] codes, io.raftmq.client.remoting.RequestProcessor p) {
        for (int code : codes) {
            server.registerProcessor(code, p, executor);
        }
    }

    /** Sends {@code request} on the embedded connection and waits for the response (owned by the caller). */
    public RemotingCommand call(RemotingCommand request) throws Exception {
        return server.call(request);
    }

    @Override
    public void close() {
        f.offsets.stop();
        server.close();
        scheduler.shutdownNow();
        executor.shutdownNow();
    }
}
