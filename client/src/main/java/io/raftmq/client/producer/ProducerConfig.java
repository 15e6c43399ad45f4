package io.raftmq.client.producer;

import io.raftmq.client.instance.ClientConfig;
import io.raftmq.client.protocol.Credentials;
import io.raftmq.client.tls.ClientTls;

import java.util.List;

/**
 * Immutable settings of a {@link Producer}, made with {@link #builder()} and validated once by {@link Builder#build()}
 * with a message naming the bad setting. Defaults follow the official client where it has one (docs/protocol.md
 * §5.1): 3 s send timeout, 2 retries, 4 MiB bodies, compression from 4 KiB.
 *
 * @param client                 the client instance settings (NameServers, threads, route refresh, fault backoff)
 * @param group                  producer group
 * @param sendTimeoutMs          the whole time a send may take, retries included
 * @param retriesMax             further attempts after a failed one (sync and async; oneway sends never retry)
 * @param retryBackoffMsMin      pause before the first retry; doubles per retry
 * @param retryBackoffMsMax      the longest pause between retries
 * @param compressThresholdBytes bodies of at least this size are compressed (zlib); Integer.MAX_VALUE = never
 * @param bodyBytesMax           the largest body (or encoded batch) accepted
 * @param slowSendProbeMs        a send unanswered this long makes the producer ask the group's members who leads, and
 *                               resend to another member that leads now (a paused or partitioned leader: docs/sdk.md
 *                               "Failover"); asked again as long as it stays unanswered; 0 = never
 */
public record ProducerConfig(ClientConfig client, String group, long sendTimeoutMs, int retriesMax,
                             long retryBackoffMsMin, long retryBackoffMsMax, int compressThresholdBytes,
                             int bodyBytesMax, long slowSendProbeMs) {
    public static final int BODY_BYTES_MAX_LIMIT = 4 << 20;

    public ProducerConfig {
        check(client != null, "client settings are needed (namesrv addresses)");
        check(group != null && group.matches("[%|a-zA-Z0-9_-]{1,255}"), "group must be 1..255 of letters, digits,"
                + " '%', '|', '_', '-', got " + group);
        check(sendTimeoutMs >= 1 && sendTimeoutMs <= 600_000, "sendTimeoutMs must be 1..600000, got "
                + sendTimeoutMs);
        check(retriesMax >= 0 && retriesMax <= 16, "retriesMax must be 0..16, got " + retriesMax);
        check(retryBackoffMsMin >= 1 && retryBackoffMsMin <= 1000, "retryBackoffMsMin must be 1..1000, got "
                + retryBackoffMsMin);
        check(retryBackoffMsMax >= retryBackoffMsMin && retryBackoffMsMax <= 10_000, "retryBackoffMsMax must be "
                + retryBackoffMsMin + " (retryBackoffMsMin)..10000, got " + retryBackoffMsMax);
        check(compressThresholdBytes >= 1, "compressThresholdBytes must be >= 1, got " + compressThresholdBytes);
        check(bodyBytesMax >= 1 && bodyBytesMax <= BODY_BYTES_MAX_LIMIT, "bodyBytesMax must be 1.."
                + BODY_BYTES_MAX_LIMIT + " (4 MiB), got " + bodyBytesMax);
        check(slowSendProbeMs == 0 || (slowSendProbeMs >= 10 && slowSendProbeMs < sendTimeoutMs), "slowSendProbeMs"
                + " must be 0 (off) or 10..sendTimeoutMs-1 (" + (sendTimeoutMs - 1) + "), got " + slowSendProbeMs);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the defaults above; {@link #namesrv} and {@link #group} are required. */
    public static final class Builder {
        private List<String> namesrv;
        private String group;
        private long sendTimeoutMs = 3_000;
        private int retriesMax = 2;
        private long retryBackoffMsMin = 5;
        private long retryBackoffMsMax = 100;
        private int compressThresholdBytes = 4 << 10;
        private long slowSendProbeMs = 200;
        private int bodyBytesMax = BODY_BYTES_MAX_LIMIT;
        private int ioThreads = 1;
        private int callbackThreads = 1;
        private long routeRefreshMs = ClientConfig.ROUTE_REFRESH_MS_DEFAULT;
        private long faultBackoffMsMin = 50;
        private long faultBackoffMsMax = 5_000;
        private ClientTls tls;
        private Credentials credentials;

        /** NameServer addresses, {@code host:port[;host:port...]}. */
        public Builder namesrv(String addrs) {
            this.namesrv = ClientConfig.parseNamesrv(addrs);
            return this;
        }

        public Builder group(String group) {
            this.group = group;
            return this;
        }

        public Builder sendTimeoutMs(long ms) {
            this.sendTimeoutMs = ms;
            return this;
        }

        public Builder retriesMax(int n) {
            this.retriesMax = n;
            return this;
        }

        public Builder retryBackoffMs(long min, long max) {
            this.retryBackoffMsMin = min;
            this.retryBackoffMsMax = max;
            return this;
        }

        public Builder compressThresholdBytes(int bytes) {
            this.compressThresholdBytes = bytes;
            return this;
        }

        public Builder bodyBytesMax(int bytes) {
            this.bodyBytesMax = bytes;
            return this;
        }

        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        public Builder callbackThreads(int n) {
            this.callbackThreads = n;
            return this;
        }

        public Builder routeRefreshMs(long ms) {
            this.routeRefreshMs = ms;
            return this;
        }

        /** See {@link ProducerConfig#slowSendProbeMs()}; 0 turns the probe off. */
        public Builder slowSendProbeMs(long ms) {
            this.slowSendProbeMs = ms;
            return this;
        }

        /** Signs every request with this ACL 1.0 account (docs/security.md "ACL"). */
        public Builder credentials(String accessKey, String secretKey) {
            this.credentials = new Credentials(accessKey, secretKey);
            return this;
        }

        public Builder faultBackoffMs(long min, long max) {
            this.faultBackoffMsMin = min;
            this.faultBackoffMsMax = max;
            return this;
        }

        /** TLS on every connection (docs/security.md "TLS"); plain TCP when not called. */
        public Builder tls(ClientTls settings) {
            this.tls = settings;
            return this;
        }

        /** Validates and builds; throws {@link IllegalArgumentException} naming the first bad setting. */
        public ProducerConfig build() {
            check(namesrv != null, "namesrv addresses are required (host:port[;host:port...])");
            ClientConfig c = new ClientConfig(namesrv, ioThreads, callbackThreads, 65_536, routeRefreshMs, 3_000,
                    faultBackoffMsMin, faultBackoffMsMax, 500, 65_536, tls, credentials);
            return new ProducerConfig(c, group, sendTimeoutMs, retriesMax, retryBackoffMsMin, retryBackoffMsMax,
                    compressThresholdBytes, bodyBytesMax, slowSendProbeMs);
        }
    }
}
