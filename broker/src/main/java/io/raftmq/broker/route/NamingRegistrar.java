package io.raftmq.broker.route;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.RegisterBrokerBody;
import io.raftmq.client.protocol.header.RegisterBrokerRequestHeader;
import io.raftmq.client.protocol.header.UnregisterBrokerRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.zip.CRC32;

/**
 * Keeps this broker registered with every NameServer (docs/protocol.md §2.1, 3.10): REGISTER_BROKER (103) every
 * {@code registerNameServerPeriodMs}, at once on a leadership change and on a topic table change, with the leader
 * as brokerId 0 and a follower as its own id ({@link BrokerConfig#followerBrokerId()}), body = RegisterBrokerBody
 * with the topic table. UNREGISTER_BROKER (104) on {@link #shutdown()}.
 *
 * <p>Calls are asynchronous and independent per NameServer, so a dead or slow NameServer never delays the others.
 * Per NameServer at most one registration is in flight; a request for another one meanwhile is coalesced into a
 * single re-registration when the current one completes (so the latest role and topics are always sent). When the
 * brokerId changes, the NameServer is expected to replace the entry of the same address (as RocketMQ's does).
 *
 * <p>Threads: scheduling on the caller's {@link ScheduledExecutorService}; completions on the client's event loop.
 */
public final class NamingRegistrar {
    private static final Logger LOG = LoggerFactory.getLogger(NamingRegistrar.class);

    private final BrokerConfig config;
    private final RemotingClient client;
    private final TopicConfigManager topics;
    private final BooleanSupplier isLeader;
    private final ScheduledExecutorService scheduler;
    private final Map<String, AddressState> states = new LinkedHashMap<>();
    private final AtomicLong registrationsOk = new AtomicLong();
    private final AtomicLong registrationsFailed = new AtomicLong();
    private volatile ScheduledFuture<?> periodic;
    private volatile LongSupplier raftTerm;
    private volatile boolean stopped;

    /** Per NameServer: at most one registration in flight, plus a coalesced "again" request. */
    private static final class AddressState {
        boolean inflight;
        boolean again;
        CompletableFuture<Boolean> current = CompletableFuture.completedFuture(false);
    }

    public NamingRegistrar(BrokerConfig config, RemotingClient client, TopicConfigManager topics,
                           BooleanSupplier isLeader, ScheduledExecutorService scheduler) {
        this.config = config;
        this.client = client;
        this.topics = topics;
        this.isLeader = isLeader;
        this.scheduler = scheduler;
        for (String addr : config.namesrvAddr()) {
            states.put(addr, new AddressState());
        }
    }

    /**
     * Adds the extField {@code raftTerm} (this member's current Raft term) to every registration, so a NameServer
     * or an operator can tell a stale leader's registration from the current one. Call before {@link #start}.
     */
    public void setRaftTerm(LongSupplier term) {
        this.raftTerm = term;
    }

    /** Registers now, then every registerNameServerPeriodMs. */
    public void start() {
        periodic = scheduler.scheduleAtFixedRate(this::registerAll, 0, config.registerNameServerPeriodMs(),
                TimeUnit.MILLISECONDS);
    }

    /** Call when this node became leader or stopped being leader: re-registers with the new brokerId at once. */
    public void onLeadershipChange() {
        registerAll();
    }

    /** Call after the topic table changed (e.g. a TopicConfigManager change listener): re-registers at once. */
    public void onTopicsChanged() {
        registerAll();
    }

    /** The brokerId this node registers with now. */
    public long currentBrokerId() {
        return isLeader.getAsBoolean() ? 0 : config.followerBrokerId();
    }

    /**
     * Registers with every NameServer in parallel. The future completes when each attempt finished (true for an
     * address = its NameServer answered SUCCESS); it never fails.
     */
    public CompletableFuture<Map<String, Boolean>> registerAll() {
        Map<String, CompletableFuture<Boolean>> fs = new LinkedHashMap<>();
        for (String addr : states.keySet()) {
            fs.put(addr, registerTo(addr));
        }
        return CompletableFuture.allOf(fs.values().toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            Map<String, Boolean> out = new LinkedHashMap<>();
            fs.forEach((a, f) -> out.put(a, f.join()));
            return out;
        });
    }

    private CompletableFuture<Boolean> registerTo(String addr) {
        AddressState s = states.get(addr);
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        synchronized (s) {
            if (stopped) {
                return CompletableFuture.completedFuture(false);
            }
            if (s.inflight) {
                s.again = true;
                return s.current;
            }
            s.inflight = true;
            s.current = result;
        }
        send(addr, buildRegister()).whenComplete((ok, e) -> {
            boolean again;
            synchronized (s) {
                s.inflight = false;
                again = s.again;
                s.again = false;
            }
            result.complete(ok);
            if (again) {
                registerTo(addr);
            }
        });
        return result;
    }

    private RemotingCommand buildRegister() {
        byte[] body = new RegisterBrokerBody(topics.wrapper(), List.of()).encode();
        CRC32 crc = new CRC32();
        crc.update(body, 0, body.length);
        RegisterBrokerRequestHeader h = new RegisterBrokerRequestHeader(config.brokerName(), config.brokerAddr(),
                config.brokerClusterName(), config.brokerAddr(), currentBrokerId(), config.nameServerExpiryMs(),
                null, false, (int) (crc.getValue() & 0x7FFFFFFF));
        RemotingCommand r = RemotingCommand.createRequest(RequestCode.REGISTER_BROKER, h).setBody(body);
        LongSupplier term = raftTerm;
        if (term != null) {
            r.addExtField("raftTerm", Long.toString(term.getAsLong()));
        }
        return r;
    }

    private CompletableFuture<Boolean> send(String addr, RemotingCommand request) {
        int code = request.code();
        return client.invokeAsync(addr, request, config.registerNameServerTimeoutMs()).handle((r, e) -> {
            if (e != null) {
                registrationsFailed.incrementAndGet();
                LOG.warn("request {} to NameServer {} failed: {}", code, addr, e.toString());
                return false;
            }
            boolean ok = r.code() == ResponseCode.SUCCESS;
            if (!ok) {
                registrationsFailed.incrementAndGet();
                LOG.warn("NameServer {} answered {} to request {}: {}", addr, r.code(), code, r.remark());
            } else if (code == RequestCode.REGISTER_BROKER) {
                registrationsOk.incrementAndGet();
            }
            r.release();
            return ok;
        });
    }

    /**
     * Stops the periodic registration and unregisters from every NameServer in parallel, waiting at most
     * registerNameServerTimeoutMs (a dead NameServer just times out).
     */
    public void shutdown() {
        ScheduledFuture<?> p = periodic;
        if (p != null) {
            p.cancel(false);
        }
        List<CompletableFuture<Boolean>> fs = new ArrayList<>();
        for (Map.Entry<String, AddressState> e : states.entrySet()) {
            synchronized (e.getValue()) {
                stopped = true;
            }
            UnregisterBrokerRequestHeader h = new UnregisterBrokerRequestHeader(config.brokerName(),
                    config.brokerAddr(), config.brokerClusterName(), currentBrokerId());
            fs.add(send(e.getKey(), RemotingCommand.createRequest(RequestCode.UNREGISTER_BROKER, h)));
        }
        try {
            CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0]))
                    .get(config.registerNameServerTimeoutMs() + 500, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
            LOG.warn("unregistering from the NameServers did not finish: {}", e.toString());
        }
    }

    /** Successful registrations so far. */
    public long registrationsOk() {
        return registrationsOk.get();
    }

    /** Failed registration/unregistration calls so far. */
    public long registrationsFailed() {
        return registrationsFailed.get();
    }
}
