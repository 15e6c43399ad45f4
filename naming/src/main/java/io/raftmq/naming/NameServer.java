package io.raftmq.naming;

import io.netty.channel.Channel;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmq.client.Verify;
import io.raftmq.client.metrics.MetricsServer;
import io.raftmq.client.metrics.RequestMetrics;
import io.raftmq.client.protocol.RemotingCommandCodec;
import io.raftmq.client.remoting.ChannelEventListener;
import io.raftmq.client.remoting.RemotingException;
import io.raftmq.client.remoting.RemotingServer;
import io.raftmq.client.remoting.RemotingServerConfig;
import io.raftmq.client.remoting.RequestProcessor;
import io.raftmq.naming.processor.BrokerRegistrationProcessor;
import io.raftmq.naming.processor.KvConfigProcessor;
import io.raftmq.naming.processor.RouteQueryProcessor;
import io.raftmq.naming.route.Clock;
import io.raftmq.naming.route.RouteRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One NameServer: a {@link RemotingServer} serving the naming processors over a {@link RouteRegistry}, plus the
 * lease scanner. Threads: Netty I/O loops (decode, dispatch); one registration thread (broker writes, in arrival
 * order); {@code queryThreads} for reads; one scanner that expires leases every {@code scanIntervalMs} and drops
 * the brokers of a closed connection as soon as the close is seen. Several NameServers run side by side with
 * no coordination: every broker registers with each of them.
 *
 * <p>Time: lease decisions read only the injected {@link Clock}; the scanner's period merely triggers
 * {@link RouteRegistry#expire()}, which compares leases against that clock (tests with a manual clock call it
 * directly).
 *
 * <p>Lifecycle: construct, {@link #start()}, ..., {@link #shutdown()} (idempotent). Thread-safe.
 */
public final class NameServer {
    private static final Logger LOG = LoggerFactory.getLogger(NameServer.class);

    private final NamingConfig config;
    private final RouteRegistry registry;
    private final RemotingServer server;
    private final ThreadPoolExecutor registerExecutor;
    private final ThreadPoolExecutor queryExecutor;
    private final ScheduledExecutorService scanner;
    private final AtomicLong scanErrors = new AtomicLong();
    private boolean started;
    /** The /metrics endpoint (docs/metrics.md); null when metricsPort is 0. */
    private MetricsServer metrics;

    /** A NameServer on the system's monotonic clock ({@link NamingMain#MONOTONIC_CLOCK}). */
    public NameServer(NamingConfig config) {
        this(config, NamingMain.MONOTONIC_CLOCK);
    }

    /** A NameServer whose broker leases run on {@code clock}. */
    public NameServer(NamingConfig config, Clock clock) {
        this.config = config;
        this.registry = new RouteRegistry(clock, config.replaceTopicsOnRegistration());
        this.server = new RemotingServer(new RemotingServerConfig(config.listenHost(), config.listenPort(),
                config.ioThreads(), RemotingCommandCodec.FRAME_LENGTH_MAX_DEFAULT, config.channelIdleMs(),
                RemotingServerConfig.INFLIGHT_REQUESTS_MAX_DEFAULT));
        if (config.tls().enabled()) {
            server.enableTls(config.tls()); // checks the files now: a bad setting fails the start (docs/security.md)
        }
        this.registerExecutor = executor("raftmq-naming-register", 1, config.requestQueueMax());
        this.queryExecutor = executor("raftmq-naming-query", config.queryThreads(), config.requestQueueMax());
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, daemon("raftmq-naming-scan"));
        s.setRemoveOnCancelPolicy(true);
        this.scanner = s;
        register(BrokerRegistrationProcessor.codes(),
                new BrokerRegistrationProcessor(registry, config.brokerExpiryMs()), registerExecutor);
        register(RouteQueryProcessor.codes(), new RouteQueryProcessor(registry), queryExecutor);
        register(KvConfigProcessor.codes(), new KvConfigProcessor(registry), registerExecutor);
        server.addChannelEventListener(new ChannelEventListener() {
            @Override
            public void onClose(Channel channel) {
                onConnectionClosed(channel);
            }
        });
    }

    /**
     * Binds and starts serving; the lease scanner starts too.
     *
     * @throws RemotingException    if the listen address cannot be bound
     * @throws InterruptedException if interrupted while binding
     */
    public synchronized void start() throws RemotingException, InterruptedException {
        Verify.state(!started, "NameServer already started");
        started = true;
        PrometheusRegistry scraped = config.metricsPort() == 0 ? null : metricsRegistry();
        server.start();
        if (scraped != null) {
            try {
                metrics = MetricsServer.start(config.metricsHost(), config.metricsPort(), scraped);
            } catch (IOException e) {
                server.shutdown();
                throw new RemotingException(e.getMessage(), e);
            }
        }
        long everyMs = config.scanIntervalMs();
        scanner.scheduleWithFixedDelay(() -> guarded("lease scan", registry::expire), everyMs, everyMs,
                TimeUnit.MILLISECONDS);
        LOG.info("NameServer listening on {} (broker expiry {} ms, scan every {} ms)", server.localAddress(),
                config.brokerExpiryMs(), config.scanIntervalMs());
    }

    /**
     * The NameServer's metrics (docs/metrics.md): requests per code (route queries, registrations and heartbeats
     * among them) on the server, and the registered brokers and topics read from the registry at scrape time.
     */
    private PrometheusRegistry metricsRegistry() {
        PrometheusRegistry scraped = new PrometheusRegistry();
        server.setResponseObserver(new RequestMetrics(scraped, "raftmq_naming"));
        GaugeWithCallback.builder().name("raftmq_naming_brokers").help("Broker members with a live registration")
            .callback(cb -> cb.call(registry.liveBrokerCount())).register(scraped);
        GaugeWithCallback.builder().name("raftmq_naming_topics").help("Topics with a route")
            .callback(cb -> cb.call(registry.snapshot().topicNames().size())).register(scraped);
        return scraped;
    }

    /** The metrics endpoint's port, or 0 when it is off. */
    public int metricsPort() {
        MetricsServer m = metrics;
        return m == null ? 0 : m.port();
    }

    /** The route state (for wiring and tests). */
    public RouteRegistry registry() {
        return registry;
    }

    /** The bound address (after start). */
    public InetSocketAddress localAddress() {
        return server.localAddress();
    }

    /** The bound port (the ephemeral one when configured with 0). */
    public int port() {
        return server.port();
    }

    /** Errors caught at the scanner's thread boundary. */
    public long scanErrorCount() {
        return scanErrors.get();
    }

    /** Stops serving and all threads this NameServer started. Idempotent. */
    public synchronized void shutdown() {
        if (metrics != null) {
            metrics.close();
        }
        server.shutdown();
        scanner.shutdownNow();
        registerExecutor.shutdownNow();
        queryExecutor.shutdownNow();
        try {
            scanner.awaitTermination(2, TimeUnit.SECONDS);
            registerExecutor.awaitTermination(2, TimeUnit.SECONDS);
            queryExecutor.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void register(int[] codes, RequestProcessor processor, ExecutorService executor) {
        for (int code : codes) {
            server.registerProcessor(code, processor, executor);
        }
    }

    private void onConnectionClosed(Channel channel) {
        try {
            scanner.execute(() -> guarded("drop on connection close", () -> registry.connectionClosed(channel)));
        } catch (RejectedExecutionException e) {
            LOG.debug("connection {} closed during shutdown", channel);
        }
    }

    /** The scanner thread's boundary: count and log, never let a task kill the periodic scan. */
    private void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            scanErrors.incrementAndGet();
            LOG.error("{} failed", what, e);
        }
    }

    private static ThreadPoolExecutor executor(String name, int threads, int queueMax) {
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queueMax),
                daemon(name));
    }

    private static ThreadFactory daemon(String name) {
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
