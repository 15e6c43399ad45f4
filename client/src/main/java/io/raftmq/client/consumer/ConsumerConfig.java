package io.raftmq.client.consumer;

import io.raftmq.client.instance.ClientConfig;
import io.raftmq.client.protocol.Credentials;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Immutable settings of a {@link PushConsumer}, made with {@link #builder()} and validated once by
 * {@link Builder#build()} with a message naming the bad setting. Defaults follow the official push consumer
 * (docs/protocol.md §5.1) where it has one.
 *
 * @param client              the client instance settings (NameServers, threads, route refresh, fault backoff)
 * @param group               consumer group
 * @param subscriptions       topic to tag filter, in subscription order (a push consumer needs one at least)
 * @param model               CLUSTERING (queues divided, offsets on the broker) or BROADCASTING (local offsets)
 * @param allocation          how CLUSTERING divides queues
 * @param consumeFrom         where a queue without a stored offset starts
 * @param consumeTimestampMs  the start time of {@link ConsumeFrom#TIMESTAMP}
 * @param consumeThreads      threads running listeners
 * @param consumeBatchMax     messages per listener call (the official default is 1)
 * @param pullBatchMax        messages per pull (32)
 * @param pullBytesMax        bytes per pull (256 KiB)
 * @param cachedMessagesMax   pulled but unconsumed messages per queue before its pulls pause (1000)
 * @param cachedBytesMax      pulled but unconsumed bytes per queue before its pulls pause (100 MiB)
 * @param reconsumeTimesMax   deliveries after the first before a message goes to the DLQ (16)
 * @param suspendTimeoutMs    how long the broker holds a pull that finds nothing (15 s)
 * @param pullRetryMs         pause before retrying a pull that failed (1 s)
 * @param commitIntervalMs    period of offset commits (5 s)
 * @param rebalanceIntervalMs period of rebalancing (20 s; also at once when the broker says the group changed)
 * @param heartbeatIntervalMs period of heartbeats to every member of every group in use (30 s)
 * @param orderlySuspendMs    pause before an orderly listener gets a failed batch again (1 s)
 * @param consumeQueueMax     listener tasks queued before new ones wait (bounded consume executor)
 * @param offsetDir           where BROADCASTING keeps its offsets ({@code <offsetDir>/<group>.offsets})
 * @param autoCommit          lite pull: commit every {@code commitIntervalMs} what {@code poll} returned (true)
 */
public record ConsumerConfig(ClientConfig client, String group, Map<String, TagFilter> subscriptions,
                             MessageModel model, AllocationStrategy allocation, ConsumeFrom consumeFrom,
                             long consumeTimestampMs, int consumeThreads, int consumeBatchMax, int pullBatchMax,
                             int pullBytesMax, int cachedMessagesMax, long cachedBytesMax, int reconsumeTimesMax,
                             long suspendTimeoutMs, long pullRetryMs, long commitIntervalMs, long rebalanceIntervalMs,
                             long heartbeatIntervalMs, long orderlySuspendMs, int consumeQueueMax, Path offsetDir,
                             boolean autoCommit) {
    public ConsumerConfig {
        check(client != null, "client settings are needed (namesrv addresses)");
        check(group != null && group.matches("[%|a-zA-Z0-9_-]{1,255}"), "group must be 1..255 of letters, digits,"
                + " '%', '|', '_', '-', got " + group);
        check(subscriptions != null, "subscriptions: null");
        subscriptions = Collections.unmodifiableMap(new LinkedHashMap<>(subscriptions));
        check(model != null && allocation != null && consumeFrom != null, "model, allocation and consumeFrom are"
                + " needed");
        check(consumeThreads >= 1 && consumeThreads <= 1000, "consumeThreads must be 1..1000, got " + consumeThreads);
        check(consumeBatchMax >= 1 && consumeBatchMax <= 1024, "consumeBatchMax must be 1..1024, got "
                + consumeBatchMax);
        check(pullBatchMax >= 1 && pullBatchMax <= 1024, "pullBatchMax must be 1..1024, got " + pullBatchMax);
        check(pullBytesMax >= 1024, "pullBytesMax must be >= 1024, got " + pullBytesMax);
        check(cachedMessagesMax >= pullBatchMax, "cachedMessagesMax (" + cachedMessagesMax
                + ") must be >= pullBatchMax (" + pullBatchMax + ")");
        check(cachedBytesMax >= pullBytesMax, "cachedBytesMax (" + cachedBytesMax + ") must be >= pullBytesMax ("
                + pullBytesMax + ")");
        check(reconsumeTimesMax >= 0 && reconsumeTimesMax <= 100, "reconsumeTimesMax must be 0..100, got "
                + reconsumeTimesMax);
        check(suspendTimeoutMs >= 100 && suspendTimeoutMs <= 60_000, "suspendTimeoutMs must be 100..60000, got "
                + suspendTimeoutMs);
        check(pullRetryMs >= 1 && pullRetryMs <= 60_000, "pullRetryMs must be 1..60000, got " + pullRetryMs);
        check(commitIntervalMs >= 10, "commitIntervalMs must be >= 10, got " + commitIntervalMs);
        check(rebalanceIntervalMs >= 10, "rebalanceIntervalMs must be >= 10, got " + rebalanceIntervalMs);
        check(heartbeatIntervalMs >= 10, "heartbeatIntervalMs must be >= 10, got " + heartbeatIntervalMs);
        check(orderlySuspendMs >= 1, "orderlySuspendMs must be >= 1, got " + orderlySuspendMs);
        check(consumeQueueMax >= 1, "consumeQueueMax must be >= 1, got " + consumeQueueMax);
        check(model != MessageModel.BROADCASTING || offsetDir != null, "BROADCASTING keeps offsets in a local file:"
                + " offsetDir is needed");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link ConsumerConfig}; unset settings take the defaults of the record's description. */
    public static final class Builder {
        private String namesrv;
        private ClientConfig client;
        private String group;
        private final Map<String, TagFilter> subscriptions = new LinkedHashMap<>();
        private MessageModel model = MessageModel.CLUSTERING;
        private AllocationStrategy allocation = AllocationStrategy.AVERAGE;
        private ConsumeFrom consumeFrom = ConsumeFrom.LAST;
        private long consumeTimestampMs = System.currentTimeMillis() - 30 * 60_000L;
        private int consumeThreads = 20;
        private int consumeBatchMax = 1;
        private int pullBatchMax = 32;
        private int pullBytesMax = 256 << 10;
        private int cachedMessagesMax = 1000;
        private long cachedBytesMax = 100L << 20;
        private int reconsumeTimesMax = 16;
        private long suspendTimeoutMs = 15_000;
        private long pullRetryMs = 1_000;
        private long commitIntervalMs = 5_000;
        private long rebalanceIntervalMs = 20_000;
        private long heartbeatIntervalMs = 30_000;
        private long orderlySuspendMs = 1_000;
        private int consumeQueueMax = 65_536;
        private boolean autoCommit = true;
        private Credentials credentials;
        private Path offsetDir = Path.of(System.getProperty("user.home", "."), ".raftmq", "offsets");

        /** NameServers, {@code ;}-separated (other client settings default). */
        public Builder namesrv(String addrs) {
            this.namesrv = addrs;
            return this;
        }

        /** All client instance settings (instead of {@link #namesrv}). */
        public Builder client(ClientConfig c) {
            this.client = c;
            return this;
        }

        public Builder group(String g) {
            this.group = g;
            return this;
        }

        /** Subscribes {@code topic} with a tag expression ({@code *}, or {@code TagA || TagB}). */
        public Builder subscribe(String topic, String tagExpression) {
            subscriptions.put(topic, TagFilter.parse(tagExpression));
            return this;
        }

        public Builder model(MessageModel m) {
            this.model = m;
            return this;
        }

        public Builder allocation(AllocationStrategy a) {
            this.allocation = a;
            return this;
        }

        public Builder consumeFrom(ConsumeFrom f) {
            this.consumeFrom = f;
            return this;
        }

        /** Start at the first message stored at or after {@code ms} (sets {@link ConsumeFrom#TIMESTAMP}). */
        public Builder consumeFromTimestamp(long ms) {
            this.consumeFrom = ConsumeFrom.TIMESTAMP;
            this.consumeTimestampMs = ms;
            return this;
        }

        public Builder consumeThreads(int n) {
            this.consumeThreads = n;
            return this;
        }

        public Builder consumeBatchMax(int n) {
            this.consumeBatchMax = n;
            return this;
        }

        public Builder pullBatchMax(int n) {
            this.pullBatchMax = n;
            return this;
        }

        public Builder pullBytesMax(int n) {
            this.pullBytesMax = n;
            return this;
        }

        /** Flow control per queue: pulls pause while more messages or bytes than these wait for a listener. */
        public Builder cachedMax(int messages, long bytes) {
            this.cachedMessagesMax = messages;
            this.cachedBytesMax = bytes;
            return this;
        }

        public Builder reconsumeTimesMax(int n) {
            this.reconsumeTimesMax = n;
            return this;
        }

        public Builder suspendTimeoutMs(long ms) {
            this.suspendTimeoutMs = ms;
            return this;
        }

        public Builder pullRetryMs(long ms) {
            this.pullRetryMs = ms;
            return this;
        }

        public Builder commitIntervalMs(long ms) {
            this.commitIntervalMs = ms;
            return this;
        }

        public Builder rebalanceIntervalMs(long ms) {
            this.rebalanceIntervalMs = ms;
            return this;
        }

        public Builder heartbeatIntervalMs(long ms) {
            this.heartbeatIntervalMs = ms;
            return this;
        }

        public Builder orderlySuspendMs(long ms) {
            this.orderlySuspendMs = ms;
            return this;
        }

        public Builder consumeQueueMax(int n) {
            this.consumeQueueMax = n;
            return this;
        }

        public Builder offsetDir(Path dir) {
            this.offsetDir = dir;
            return this;
        }

        /** Signs every request with this ACL 1.0 account (docs/security.md "ACL"). */
        public Builder credentials(String accessKey, String secretKey) {
            this.credentials = new Credentials(accessKey, secretKey);
            return this;
        }

        /** Lite pull: whether offsets of polled messages are committed every {@code commitIntervalMs}. */
        public Builder autoCommit(boolean on) {
            this.autoCommit = on;
            return this;
        }

        /** @throws IllegalArgumentException naming the first bad setting */
        public ConsumerConfig build() {
            ClientConfig c = client != null ? client
                    : namesrv == null ? null : ClientConfig.defaults(ClientConfig.parseNamesrv(namesrv));
            if (c != null && credentials != null) {
                c = c.withCredentials(credentials);
            }
            return new ConsumerConfig(c, group, subscriptions, model, allocation, consumeFrom, consumeTimestampMs,
                    consumeThreads, consumeBatchMax, pullBatchMax, pullBytesMax, cachedMessagesMax, cachedBytesMax,
                    reconsumeTimesMax, suspendTimeoutMs, pullRetryMs, commitIntervalMs, rebalanceIntervalMs,
                    heartbeatIntervalMs, orderlySuspendMs, consumeQueueMax, offsetDir, autoCommit);
        }
    }
}
