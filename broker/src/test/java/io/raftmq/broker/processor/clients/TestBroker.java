package io.raftmq.broker.processor.clients;

import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.clients.ConsumerIdsChangedNotifier;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.metadata.Fixture;
import io.raftmq.broker.offset.StoreView;
import io.raftmq.broker.processor.admin.AdminProcessor;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RemotingServerConfig;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Test harness: the control-plane processors of one broker hosted on a real RemotingServer on an ephemeral
 * 127.0.0.1 port, backed by a {@link Fixture} whose fake proposer commits synchronously, plus a RemotingClient.
 * Mirrors the registration the wiring layer will do.
 */
public final class TestBroker implements AutoCloseable {
    public final Fixture f = Fixture.leader();
    public final BrokerConfig config;
    public final RemotingServer server = new RemotingServer(RemotingServerConfig.defaults("127.0.0.1", 0));
    public final ClientManager clients;
    public final AdminProcessor admin;
    public final ConsumerManageProcessor consumerProcessor;
    public final RemotingClient client = new RemotingClient(RemotingClientConfig.defaults());
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

    public String addr() {
        return "127.0.0.1:" + server.port();
    }

    /** Starts the client (after registering client-side processors). */
    public void startClient() {
        client.start();
    }

    public RemotingCommand call(RemotingCommand request) throws Exception {
        return client.invokeSync(addr(), request, 5000);
    }

    @Override
    public void close() {
        f.offsets.stop();
        client.shutdown();
        server.shutdown();
        scheduler.shutdownNow();
        executor.shutdownNow();
    }
}
