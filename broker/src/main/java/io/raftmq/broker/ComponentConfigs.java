package io.raftmq.broker;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.longpoll.LongPollConfig;
import io.raftmq.broker.store.StoreReadConfig;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.commitlog.time.Clock;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The settings of the broker's components derived from its one {@link BrokerConfig}: what the properties file sets
 * is taken from it, the rest are the components' defaults. Pure functions, used by {@link BrokerController}'s wiring.
 */
final class ComponentConfigs {
    /** Longest a pull is held whatever longPollHoldMsMax says. */
    private static final long LONG_POLL_HOLD_MS_LIMIT = 60_000;

    private ComponentConfigs() {
    }

    /**
     * Outgoing connections (registration, forwarding to the leader) leave from the member's own address when it
     * listens on a specific one (127.0.0.2, ...), as the raft transport's do; a wildcard listener binds nothing.
     */
    static RemotingClientConfig client(BrokerConfig c) {
        RemotingClientConfig d = RemotingClientConfig.defaults();
        String host = c.listenHost();
        boolean wildcard = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
        return wildcard ? d : new RemotingClientConfig(host, d.ioThreads(), d.frameLengthMax(), d.connectTimeoutMs(),
            d.channelIdleMs(), d.inflightRequestsMax());
    }

    /** The store read limits: the pull caps from the config, the rest RocketMQ-like defaults. */
    static StoreReadConfig storeRead(BrokerConfig c) {
        StoreReadConfig d = StoreReadConfig.defaults();
        return new StoreReadConfig(c.pullMessagesMax(), c.pullBytesMax(), Math.max(d.pullScanUnitsMax(),
            c.pullMessagesMax()), d.readContextsPooledMax(), d.queryMessagesMax(), d.uniqKeyQueryMessagesMax());
    }

    /** Long polling: holds up to longPollHoldMsMax (at most a minute), checked at least that often. */
    static LongPollConfig longPoll(BrokerConfig c) {
        LongPollConfig d = LongPollConfig.defaults();
        return new LongPollConfig(d.heldRequestsMax(), Math.min(c.longPollHoldMsMax(), LONG_POLL_HOLD_MS_LIMIT),
            Math.min(d.checkIntervalMs(), c.longPollHoldMsMax()));
    }

    /** Milliseconds from the monotonic clock: deadlines and expiry, immune to wall-clock steps. */
    static LongSupplier monotonicMs(Clock clock) {
        return () -> TimeUnit.NANOSECONDS.toMillis(clock.nanoTime());
    }
}
