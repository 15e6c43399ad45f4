package io.raftmq.broker.config;

import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.raft.driver.DurabilityMode;

import static io.raftmq.broker.config.BrokerConfigValidator.fail;

/**
 * The checks of {@link BrokerConfigValidator} on timing: the raft tick, heartbeat and election timeout (and the
 * flush mode quorum-fsync durability needs), the NameServer registration and client expiry periods, and the delays
 * and timeouts of timers, transactions and queue locks. Failures read {@code "<file>: <key>: <problem>"}.
 */
final class TimingChecks {
    private TimingChecks() {
    }

    static void checkRaftTiming(BrokerConfig c, String source) throws BrokerConfigException {
        long tick = c.raftTickMs();
        long hb = c.raftHeartbeatIntervalMs();
        long el = c.raftElectionTimeoutMs();
        if (hb % tick != 0) {
            throw fail(source, "raftHeartbeatIntervalMs", "must be a multiple of raftTickMs (" + tick + "), got "
                    + hb);
        }
        if (el % tick != 0) {
            throw fail(source, "raftElectionTimeoutMs", "must be a multiple of raftTickMs (" + tick + "), got " + el);
        }
        if (hb * 3 >= el) {
            throw fail(source, "raftElectionTimeoutMs", "must exceed 3 x raftHeartbeatIntervalMs (" + hb * 3
                    + "), got " + el);
        }
        if (c.durability() == DurabilityMode.QUORUM_FSYNC && c.flushMode() != FlushMode.SYNC) {
            throw fail(source, "flushMode", "must be SYNC when durability=quorum-fsync, got " + c.flushMode());
        }
    }

    static void checkPeriods(BrokerConfig c, String source) throws BrokerConfigException {
        long period = c.registerNameServerPeriodMs();
        if (period < 1000 || period > 60_000) {
            throw fail(source, "registerNameServerPeriodMs", "must be in [1000, 60000], got " + period);
        }
        if (c.registerNameServerTimeoutMs() >= period) {
            throw fail(source, "registerNameServerTimeoutMs", "must be < registerNameServerPeriodMs (" + period
                    + "), got " + c.registerNameServerTimeoutMs());
        }
        if (period * 2 >= c.nameServerExpiryMs()) {
            throw fail(source, "nameServerExpiryMs", "must exceed 2 x registerNameServerPeriodMs (" + period * 2
                    + "), got " + c.nameServerExpiryMs());
        }
        if (c.clientExpiryScanIntervalMs() >= c.clientChannelExpiredTimeoutMs()) {
            throw fail(source, "clientExpiryScanIntervalMs", "must be < clientChannelExpiredTimeoutMs ("
                    + c.clientChannelExpiredTimeoutMs() + "), got " + c.clientExpiryScanIntervalMs());
        }
    }

    static void checkMessaging(BrokerConfig c, String source) throws BrokerConfigException {
        if (c.timerMaxDelaySec() < 1 || c.timerMaxDelaySec() > 366L * 86_400) {
            throw fail(source, "timerMaxDelaySec", "must be in [1, 31622400] (one year), got " + c.timerMaxDelaySec());
        }
        if (c.transactionTimeoutMs() < 1 || c.transactionCheckIntervalMs() < 1) {
            throw fail(source, c.transactionTimeoutMs() < 1 ? "transactionTimeoutMs" : "transactionCheckIntervalMs",
                "must be positive");
        }
        if (c.transactionCheckMax() < 1) {
            throw fail(source, "transactionCheckMax", "must be at least 1, got " + c.transactionCheckMax());
        }
        if (c.queueLockExpiryMs() < 1000) {
            throw fail(source, "queueLockExpiryMs", "must be at least 1000, got " + c.queueLockExpiryMs());
        }
    }
}
