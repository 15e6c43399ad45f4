package io.raftmq.client.instance;

import io.raftmq.client.protocol.Credentials;
import io.raftmq.client.tls.ClientTls;

import java.util.List;

/**
 * Immutable settings of a {@link ClientInstance} (what producers and, later, consumers and the admin API of one
 * instance share), validated once with messages that name the setting.
 *
 * @param namesrvAddrs        NameServer addresses host:port; the instance sticks to one until it fails
 * @param ioThreads           Netty event loops (sends, answers, timers all run on them)
 * @param callbackThreads     threads of the callback executor that completes asynchronous sends
 * @param callbackQueueMax    completions queued for the callback executor before they run on the event loop
 * @param routeRefreshMs      period of the route refresh of every topic in use (docs/protocol.md §5.1: 30 s)
 * @param namesrvTimeoutMs    timeout of one NameServer call
 * @param faultBackoffMsMin   how long an address that just failed is avoided (doubles per further failure)
 * @param faultBackoffMsMax   the longest an address is avoided
 * @param probeTimeoutMs      timeout of asking a group member who leads
 * @param inflightRequestsMax requests awaiting an answer at once, over all connections
 * @param tls                 TLS on every connection (NameServers and brokers alike), or null for plain TCP
 *                            (docs/security.md "TLS")
 * @param credentials         ACL 1.0 account every request is signed with (docs/security.md "ACL"); null: unsigned
 */
public record ClientConfig(List<String> namesrvAddrs, int ioThreads, int callbackThreads, int callbackQueueMax,
                           long routeRefreshMs, long namesrvTimeoutMs, long faultBackoffMsMin,
                           long faultBackoffMsMax, long probeTimeoutMs, int inflightRequestsMax,
                           ClientTls tls, Credentials credentials) {
    public static final long ROUTE_REFRESH_MS_DEFAULT = 30_000;

    public ClientConfig {
        namesrvAddrs = namesrvAddrs == null ? List.of() : List.copyOf(namesrvAddrs);
        check(!namesrvAddrs.isEmpty(), "namesrvAddrs: at least one NameServer address host:port is needed");
        for (String a : namesrvAddrs) {
            int colon = a.lastIndexOf(':');
            check(colon > 0 && colon < a.length() - 1 && a.substring(colon + 1).chars().allMatch(Character::isDigit),
                    "namesrvAddrs: '" + a + "' is not host:port");
        }
        check(ioThreads >= 1 && ioThreads <= 64, "ioThreads must be 1..64, got " + ioThreads);
        check(callbackThreads >= 1 && callbackThreads <= 256, "callbackThreads must be 1..256, got "
                + callbackThreads);
        check(callbackQueueMax >= 1, "callbackQueueMax must be >= 1, got " + callbackQueueMax);
        check(routeRefreshMs >= 1000, "routeRefreshMs must be >= 1000, got " + routeRefreshMs);
        check(namesrvTimeoutMs >= 1, "namesrvTimeoutMs must be >= 1, got " + namesrvTimeoutMs);
        check(faultBackoffMsMin >= 1, "faultBackoffMsMin must be >= 1, got " + faultBackoffMsMin);
        check(faultBackoffMsMax >= faultBackoffMsMin, "faultBackoffMsMax (" + faultBackoffMsMax
                + ") must be >= faultBackoffMsMin (" + faultBackoffMsMin + ")");
        check(probeTimeoutMs >= 1, "probeTimeoutMs must be >= 1, got " + probeTimeoutMs);
        check(inflightRequestsMax >= 1, "inflightRequestsMax must be >= 1, got " + inflightRequestsMax);
    }

    /** These settings with every request signed with {@code c} (null: unsigned). */
    public ClientConfig withCredentials(Credentials c) {
        return new ClientConfig(namesrvAddrs, ioThreads, callbackThreads, callbackQueueMax, routeRefreshMs,
            namesrvTimeoutMs, faultBackoffMsMin, faultBackoffMsMax, probeTimeoutMs, inflightRequestsMax, tls, c);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** These settings with TLS on every connection ({@code tls}), or plain TCP with null. */
    public ClientConfig withTls(ClientTls tls) {
        return new ClientConfig(namesrvAddrs, ioThreads, callbackThreads, callbackQueueMax, routeRefreshMs,
                namesrvTimeoutMs, faultBackoffMsMin, faultBackoffMsMax, probeTimeoutMs, inflightRequestsMax, tls,
                credentials);
    }

    /** Parses a {@code ;}-separated NameServer list (the official client's format). */
    public static List<String> parseNamesrv(String addrs) {
        check(addrs != null && !addrs.isBlank(), "namesrv: an address list host:port[;host:port...] is needed");
        return List.of(addrs.trim().split("\\s*;\\s*"));
    }

    /**
     * Defaults for {@code namesrvAddrs}: plain TCP, 1 event loop, 1 callback thread, 30 s route refresh, 50..5000 ms
     * faults.
     */
    public static ClientConfig defaults(List<String> namesrvAddrs) {
        return new ClientConfig(namesrvAddrs, 1, 1, 65_536, ROUTE_REFRESH_MS_DEFAULT, 3_000, 50, 5_000, 500,
                65_536, null, null);
    }
}
