package io.raftmq.broker;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingException;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RemotingServerConfig;

import java.util.concurrent.Executor;

/**
 * The remoting side of a broker's start (bind first, {@link BrokerController}): the remoting client (to the
 * NameServers and the leader), the remoting server on the client port behind its {@link ServingGate} (every code
 * reserved on its executor and answered 14 "starting" until the processors are installed; ACL in front when enabled,
 * {@link AclInstaller}), both with TLS when configured (docs/security.md), and the binding of the client port. Each
 * started part is recorded in the broker's {@link Lifecycle}. Part of {@link BrokerController}'s start.
 */
final class ClientPort {
    /**
     * Runs a processor on the I/O thread that decoded its request: for sends, which never block, this saves a thread
     * hand-off (a futex wake and two context switches) per request.
     */
    private static final Executor DIRECT = Runnable::run;

    private ClientPort() {
    }

    /** The remoting client, started (TLS to NameServers and the leader when tls.enable). */
    static RemotingClient startClient(BrokerConfig config, Lifecycle lifecycle) {
        RemotingClient client = new RemotingClient(ComponentConfigs.client(config));
        if (config.tls().clientEnable()) {
            client.useTls(config.tls().clientTls()); // tls.enable: to NameServers and the leader (docs/security.md)
        }
        client.start();
        lifecycle.add("remoting client", client::shutdown);
        return client;
    }

    /** The remoting server of the client port, not bound yet (TLS when enabled). */
    static RemotingServer newServer(BrokerConfig config) {
        RemotingServer server = new RemotingServer(RemotingServerConfig.defaults(config.listenHost(),
            config.listenPort()));
        if (config.tls().enabled()) {
            server.enableTls(config.tls());
        }
        return server;
    }

    /**
     * The gate in front of {@code server}: ACL installed (a bad ACL file fails the start here), every processor's
     * codes reserved on its executor (control plane, pulls, sends on the I/O thread).
     */
    static ServingGate gate(BrokerConfig config, RemotingServer server, RemotingClient client,
                            BrokerThreads threads) {
        ServingGate gate = new ServingGate(server, config.raftSelfId());
        AclInstaller.install(config.acl(), gate, client, threads.scheduler());
        FeatureInstallers.reserveCodes(gate, threads.control(), threads.pull(), DIRECT);
        return gate;
    }

    /**
     * Binds the client port.
     *
     * @throws BrokerBindException  the port cannot be bound
     * @throws InterruptedException interrupted while binding
     */
    static void bind(BrokerConfig config, RemotingServer server, Lifecycle lifecycle)
        throws BrokerBindException, InterruptedException {
        try {
            server.start();
        } catch (RemotingException e) {
            throw new BrokerBindException(config.listenHost(), config.listenPort(), "client port", e);
        }
        lifecycle.add("remoting server", server::shutdown);
    }
}
