package io.raftmq.tools.cluster;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.remoting.RemotingServerConfig;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What {@link ClusterTool} asks a local cluster, with short timeouts so that a dead member is reported within about
 * a second: each member's Raft view (GET_BROKER_RUNTIME_INFO, all members at once) and the NameServer's route of
 * the default topic (which member it routes as brokerId 0 of a group). Only loopback addresses (127.0.0.0/8) are
 * ever dialled: this is a tool for a cluster on this machine.
 */
final class ClusterProbe implements AutoCloseable {
    /** Connect timeout: a local port either accepts or refuses at once. */
    static final long CONNECT_TIMEOUT_MS = 500;
    /** Whole-request deadline (connect included) of one probe. */
    static final long REQUEST_TIMEOUT_MS = 800;
    private final RemotingClient client;

    /** One member's answer, or why there was none ({@code error} non-null, the other fields empty). */
    record MemberState(String name, String addr, String role, long term, long commitIndex, long appliedIndex,
                       String leaderAddr, String error) {
        boolean up() {
            return error == null;
        }

        boolean leader() {
            return "LEADER".equals(role);
        }
    }

    /** The NameServer's answer: reachable or not ({@code error}), and the routed brokerId 0 of the group or null. */
    record Route(String error, String leaderAddr) {
        boolean up() {
            return error == null;
        }
    }

    ClusterProbe() {
        RemotingClientConfig d = RemotingClientConfig.defaults();
        client = new RemotingClient(new RemotingClientConfig(null, 1, d.frameLengthMax(), CONNECT_TIMEOUT_MS,
            RemotingServerConfig.CHANNEL_IDLE_MS_DEFAULT, d.inflightRequestsMax()));
        client.start();
    }

    RemotingClient client() {
        return client;
    }

    /** Every member's state, asked in parallel; the result keeps the order of {@code members} (name to address). */
    List<MemberState> members(Map<String, String> members) {
        Map<String, CompletableFuture<RemotingCommand>> calls = new LinkedHashMap<>();
        members.forEach((name, addr) -> calls.put(name, client.invokeAsync(requireLoopback(addr),
            RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO), REQUEST_TIMEOUT_MS)));
        List<MemberState> out = new ArrayList<>();
        calls.forEach((name, call) -> out.add(memberState(name, members.get(name), call)));
        return out;
    }

    private static MemberState memberState(String name, String addr, CompletableFuture<RemotingCommand> call) {
        RemotingCommand r;
        try {
            r = call.get(REQUEST_TIMEOUT_MS + 200, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return down(name, addr, describe(e.getCause()));
        } catch (TimeoutException e) {
            call.thenAccept(RemotingCommand::release);
            return down(name, addr, "no answer within " + REQUEST_TIMEOUT_MS + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return down(name, addr, "interrupted");
        }
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                return down(name, addr, "answered " + r.code() + " " + r.remark());
            }
            Map<String, String> t = KVTable.decode(r.bodyBytes()).table();
            return new MemberState(name, addr, t.get("raftRole"), number(t.get("raftTerm")),
                number(t.get("raftCommitIndex")), number(t.get("raftAppliedIndex")), t.getOrDefault("raftLeaderAddr",
                ""), null);
        } catch (Exception e) { // tool boundary: an unreadable answer is reported as this member's error
            return down(name, addr, "bad runtime info: " + e);
        } finally {
            r.release();
        }
    }

    private static MemberState down(String name, String addr, String error) {
        return new MemberState(name, addr, "DOWN", -1, -1, -1, "", error);
    }

    private static long number(String v) {
        return v == null || v.isEmpty() ? -1 : Long.parseLong(v);
    }

    /** The NameServer's route of TBW102: reachable or not, and the address routed as brokerId 0 of {@code group}. */
    Route route(String namesrv, String group) {
        RemotingCommand r;
        try {
            r = client.invokeAsync(requireLoopback(namesrv), RemotingCommand.createRequest(
                    RequestCode.GET_ROUTEINFO_BY_TOPIC, new GetRouteInfoRequestHeader("TBW102", null)),
                REQUEST_TIMEOUT_MS).get(REQUEST_TIMEOUT_MS + 200, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            return new Route(describe(e.getCause()), null);
        } catch (TimeoutException e) {
            return new Route("no answer within " + REQUEST_TIMEOUT_MS + " ms", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Route("interrupted", null);
        }
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                return new Route(null, null); // up, nothing routed yet
            }
            for (BrokerData bd : TopicRouteData.decode(r.bodyBytes()).brokerDatas()) {
                if (bd.brokerName().equals(group)) {
                    return new Route(null, bd.brokerAddrs().get(BrokerData.MASTER_ID));
                }
            }
            return new Route(null, null);
        } catch (Exception e) { // tool boundary: an unreadable route counts as "not routed"
            return new Route(null, null);
        } finally {
            r.release();
        }
    }

    /** A short reason: the innermost cause's message (e.g. "Connection refused"). */
    static String describe(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m.replaceAll("\\s+", " ");
    }

    /** {@code addr} (host:port) when its host is in 127.0.0.0/8; otherwise an IllegalArgumentException. */
    static String requireLoopback(String addr) {
        int colon = addr.lastIndexOf(':');
        try {
            InetAddress a = InetAddress.getByName(colon > 0 ? addr.substring(0, colon) : addr);
            byte[] b = a.getAddress();
            if (b.length == 4 && b[0] == 127) {
                return addr;
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host in " + addr, e);
        }
        throw new IllegalArgumentException(addr + " is not a loopback address (127.0.0.0/8): this tool only talks"
            + " to a cluster on this machine");
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
