package io.raftmq.client.instance;

import io.netty.channel.EventLoopGroup;
import io.raftmq.client.Verify;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.route.FaultTracker;
import io.raftmq.client.route.RouteCache;
import io.raftmq.client.route.TopicRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * What the SDK's producers, consumers and admin clients of one process share: one {@link RemotingClient}
 * (one connection per broker or NameServer address, {@code ioThreads} event loops), the NameServer list, the
 * {@link RouteCache}, the {@link FaultTracker}, the {@link LeaderLocator} and a bounded callback executor.
 *
 * <p>Threads: the event loops do all network work and the timers (route refresh every second for the topics whose
 * route is due, retry backoffs); the callback executor ({@code raftmq-sdk-callback-N}, bounded queue) runs user
 * callbacks of asynchronous calls so they cannot stall the event loop. No thread per request.
 * Lifecycle: {@link #start()}, ..., {@link #shutdown()}, which closes every connection, stops both pools and waits
 * for their threads to end.
 */
public final class ClientInstance {
    private static final Logger LOG = LoggerFactory.getLogger(ClientInstance.class);
    private static final long REFRESH_TICK_MS = 1_000;
    /** A provisional route (from TBW102) is fetched again this often until the NameServer knows the topic. */
    private static final long PROVISIONAL_REFRESH_MS = 1_000;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ClientConfig config;
    private final RemotingClient remoting;
    private final RouteCache routes = new RouteCache();
    private final FaultTracker faults;
    private final LeaderLocator leaders;
    private final ConcurrentHashMap<String, CompletableFuture<TopicRoute>> fetching = new ConcurrentHashMap<>();
    private final AtomicInteger namesrvIndex = new AtomicInteger();
    private final int id = INSTANCES.incrementAndGet();
    private final List<Consumer<String>> consumerIdsListeners = new CopyOnWriteArrayList<>();
    private final List<TransactionCheckHandler> transactionCheckers = new CopyOnWriteArrayList<>();
    private ThreadPoolExecutor callbacks;
    /** Every callback thread started, so shutdown can join them: a terminated pool's last worker may still run. */
    private final List<Thread> callbackThreads = new CopyOnWriteArrayList<>();
    private ScheduledFuture<?> refreshTask;
    private volatile boolean running;

    public ClientInstance(ClientConfig config) {
        this.config = config;
        this.remoting = new RemotingClient(new RemotingClientConfig(null, config.ioThreads(),
                RemotingClientConfig.defaults().frameLengthMax(), RemotingClientConfig.CONNECT_TIMEOUT_MS_DEFAULT,
                RemotingClientConfig.defaults().channelIdleMs(), config.inflightRequestsMax()), true);
        if (config.tls() != null) {
            remoting.useTls(config.tls());
        }
        if (config.credentials() != null) {
            remoting.setRequestSigner(config.credentials()::sign);
        }
        this.faults = new FaultTracker(config.faultBackoffMsMin(), config.faultBackoffMsMax(), System::nanoTime);
        this.leaders = new LeaderLocator(remoting, routes, faults);
        remoting.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, this::consumerIdsChanged, Runnable::run);
        remoting.registerProcessor(RequestCode.CHECK_TRANSACTION_STATE, this::transactionCheck, this::runCallback);
    }

    /**
     * A transactional producer's answer to CHECK_TRANSACTION_STATE (39, docs/protocol.md §2.9): called on the callback
     * executor with the broker's request (valid during the call only) and its answering context; returns whether
     * the request was its own (the half message's PGROUP is its group).
     */
    @FunctionalInterface
    public interface TransactionCheckHandler {
        boolean handle(RequestContext ctx, RemotingCommand request);
    }

    /** Adds a handler of the brokers' transaction checks (a transactional producer registers at start). */
    public void addTransactionCheckHandler(TransactionCheckHandler handler) {
        transactionCheckers.add(handler);
    }

    public void removeTransactionCheckHandler(TransactionCheckHandler handler) {
        transactionCheckers.remove(handler);
    }

    /** Oneway 39 from a broker: offered to each handler until one takes it; no answer (the taker sends 37). */
    private RemotingCommand transactionCheck(RequestContext ctx, RemotingCommand req) {
        for (TransactionCheckHandler h : transactionCheckers) {
            if (h.handle(ctx, req)) {
                return null;
            }
        }
        LOG.debug("transaction check from {} for no producer of this instance", ctx.remoteAddress());
        return null;
    }

    /**
     * Calls {@code listener} with the group name of every NOTIFY_CONSUMER_IDS_CHANGED (40) a broker sends (on an
     * event loop: it must not block). Consumers register here to rebalance at once (docs/protocol.md §2.6).
     */
    public void addConsumerIdsListener(Consumer<String> listener) {
        consumerIdsListeners.add(listener);
    }

    public void removeConsumerIdsListener(Consumer<String> listener) {
        consumerIdsListeners.remove(listener);
    }

    /** Oneway 40 from a broker: extFields {@code consumerGroup}; no answer. */
    private RemotingCommand consumerIdsChanged(RequestContext ctx, RemotingCommand req) {
        String group = req.extFieldsOrEmpty().get("consumerGroup");
        if (group != null) {
            for (Consumer<String> l : consumerIdsListeners) {
                l.accept(group);
            }
        }
        return null;
    }

    /** Starts the event loops, the callback executor and the route refresh timer. */
    public synchronized void start() {
        Verify.state(!running && callbacks == null, "client instance already started");
        remoting.start();
        AtomicInteger n = new AtomicInteger();
        callbacks = new ThreadPoolExecutor(config.callbackThreads(), config.callbackThreads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(config.callbackQueueMax()), r -> {
                    Thread t = new Thread(r, "raftmq-sdk-callback-" + id + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    callbackThreads.add(t);
                    return t;
                });
        callbacks.allowCoreThreadTimeOut(true);
        refreshTask = remoting.eventLoops().scheduleWithFixedDelay(this::refreshDue, REFRESH_TICK_MS,
                REFRESH_TICK_MS, TimeUnit.MILLISECONDS);
        running = true;
    }

    /**
     * Stops the refresh timer, fails pending calls, closes every connection, stops the event loops and the callback
     * executor and waits for their threads to end. Idempotent.
     */
    public synchronized void shutdown() {
        running = false;
        if (refreshTask != null) {
            refreshTask.cancel(false);
        }
        remoting.shutdown();
        if (callbacks != null) {
            callbacks.shutdown();
            try {
                if (!callbacks.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("callback executor still busy 5 s after shutdown; interrupting it");
                    callbacks.shutdownNow();
                }
                joinCallbackThreads();
            } catch (InterruptedException e) {
                callbacks.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A pool counts as terminated once its workers leave their loop, a moment before their threads end. */
    private void joinCallbackThreads() throws InterruptedException {
        for (Thread t : callbackThreads) {
            t.join(1_000);
        }
        callbackThreads.clear();
    }

    public boolean isRunning() {
        return running;
    }

    public ClientConfig config() {
        return config;
    }

    public RemotingClient remoting() {
        return remoting;
    }

    public RouteCache routes() {
        return routes;
    }

    public FaultTracker faults() {
        return faults;
    }

    /** The event loops, for short timers (retry backoff). */
    public EventLoopGroup timers() {
        return remoting.eventLoops();
    }

    /**
     * Runs {@code task} on the callback executor; when its queue is full (or it is shut down), runs it on the calling
     * thread, an event loop: a completion is never dropped.
     */
    public void runCallback(Runnable task) {
        Executor e = callbacks;
        if (e == null) {
            task.run();
            return;
        }
        try {
            e.execute(task);
        } catch (RejectedExecutionException full) {
            task.run();
        }
    }

    /** The cached route of {@code topic}, fetched first if none is cached. */
    public CompletableFuture<TopicRoute> route(String topic) {
        TopicRoute r = routes.route(topic);
        return r != null ? CompletableFuture.completedFuture(r) : refreshRoute(topic);
    }

    /**
     * Fetches {@code topic}'s route now (one fetch per topic at a time: callers during a fetch share it). Falls back to
     * TBW102's route when the NameServer does not know the topic; fails with {@link RouteException} when neither is
     * known or no NameServer answers.
     */
    public CompletableFuture<TopicRoute> refreshRoute(String topic) {
        CompletableFuture<TopicRoute> mine = new CompletableFuture<>();
        CompletableFuture<TopicRoute> running = fetching.putIfAbsent(topic, mine);
        if (running != null) {
            return running;
        }
        fetchRoute(topic, 0).whenComplete((route, e) -> {
            fetching.remove(topic, mine);
            if (e != null) {
                mine.completeExceptionally(e);
            } else {
                routes.update(route, System.nanoTime());
                mine.complete(route);
            }
        });
        return mine;
    }

    /** Asks the members of {@code group} who leads (see {@link LeaderLocator}); never completes exceptionally. */
    public CompletableFuture<LeaderProbe> locateLeader(String group) {
        return leaders.locate(group, config.probeTimeoutMs());
    }

    /**
     * As {@link #locateLeader(String)}, each member given at most {@code timeoutMs} to answer (a slow send's probe: a
     * paused member must not hold the answer for long). A probe of the group already running is shared.
     */
    public CompletableFuture<LeaderProbe> locateLeader(String group, long timeoutMs) {
        return leaders.locate(group, timeoutMs);
    }

    private CompletableFuture<TopicRoute> fetchRoute(String topic, int tried) {
        return queryRoute(topic, tried).thenCompose(data -> {
            if (data != null) {
                return CompletableFuture.completedFuture(TopicRoute.of(topic, data));
            }
            return queryRoute(TopicRoute.DEFAULT_TOPIC, 0).thenApply(def -> {
                if (def == null) {
                    throw new RouteException("no route for topic " + topic + " and no " + TopicRoute.DEFAULT_TOPIC
                            + " route to create it (is the topic created, or auto-creation on?)");
                }
                return TopicRoute.fromDefault(topic, def, 4);
            });
        });
    }

    /**
     * GET_ROUTEINFO_BY_TOPIC to the current NameServer, moving to the next one on a failure of the call (each tried
     * once). Completes with the route, or null when the NameServer answers that it has none (17).
     */
    private CompletableFuture<TopicRouteData> queryRoute(String topic, int tried) {
        List<String> ns = config.namesrvAddrs();
        int idx = namesrvIndex.get();
        String addr = ns.get(Math.floorMod(idx, ns.size()));
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC,
                new GetRouteInfoRequestHeader(topic, null));
        return remoting.invokeAsync(addr, req, config.namesrvTimeoutMs()).handle((r, e) -> {
            if (e != null) {
                namesrvIndex.compareAndSet(idx, idx + 1);
                if (tried + 1 < ns.size() && running) {
                    return queryRoute(topic, tried + 1);
                }
                return CompletableFuture.<TopicRouteData>failedFuture(new RouteException("no NameServer of " + ns
                        + " answered for topic " + topic + ": " + e.getMessage(), e));
            }
            try {
                if (r.code() == ResponseCode.TOPIC_NOT_EXIST || (r.code() == ResponseCode.SUCCESS
                        && r.bodyLength() == 0)) {
                    return CompletableFuture.<TopicRouteData>completedFuture(null);
                }
                if (r.code() != ResponseCode.SUCCESS) {
                    return CompletableFuture.<TopicRouteData>failedFuture(new RouteException("NameServer " + addr
                            + " answered " + r.code() + " (" + r.remark() + ") for topic " + topic));
                }
                return CompletableFuture.completedFuture(TopicRouteData.decode(r.bodyBytes()));
            } catch (Exception bad) { // call boundary: an unreadable route fails this fetch only
                return CompletableFuture.<TopicRouteData>failedFuture(new RouteException("unreadable route of "
                        + topic + " from " + addr + ": " + bad, bad));
            } finally {
                r.release();
            }
        }).thenCompose(f -> f);
    }

    /** Timer: refreshes every cached route older than the refresh period (provisional ones after 1 s). */
    private void refreshDue() {
        if (!running) {
            return;
        }
        long now = System.nanoTime();
        for (RouteCache.Entry e : routes.entries()) {
            long ageMs = (now - e.fetchedNs()) / 1_000_000;
            long dueMs = e.route().provisional() ? PROVISIONAL_REFRESH_MS : config.routeRefreshMs();
            if (ageMs >= dueMs) {
                refreshRoute(e.route().topic()).exceptionally(err -> {
                    LOG.debug("route refresh of {} failed: {}", e.route().topic(), err.toString());
                    return null;
                });
            }
        }
    }
}
