package io.raftmq.client.admin;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.ClusterInfo;
import io.raftmq.client.protocol.body.KVTable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * The cluster and Raft membership operations of {@link AdminClient} (docs/sdk.md "Admin"): what each NameServer
 * routes, every broker group with what each registered member says of itself, a member's Raft address (its runtime
 * info, docs/protocol.md §4.8, else its configuration), and leadership transfer through RAFT_TRANSFER_LEADERSHIP
 * (docs/protocol.md §2.13), following "ask the leader" answers. Every future fails with {@link AdminException} only;
 * the client checks that it started and publishes the outcome.
 */
final class AdminCluster {
    /** extFields of RAFT_TRANSFER_LEADERSHIP (docs/protocol.md §2.13). */
    static final String TRANSFER_TO = "to";
    static final String TRANSFER_LEADER = "leaderAddr";
    static final String TRANSFER_TERM = "term";
    /** Redirects a transfer follows ("ask the leader" answers). */
    static final int TRANSFER_REDIRECTS_MAX = 3;

    private final AdminCalls calls;

    AdminCluster(AdminCalls calls) {
        this.calls = calls;
    }

    /** GET_BROKER_RUNTIME_INFO 28 to {@code brokerAddr}, then GET_BROKER_CONFIG 26 when it names no Raft address. */
    CompletableFuture<String> raftAddress(String brokerAddr) {
        CompletableFuture<String> fromInfo = calls.call(brokerAddr,
                RemotingCommand.createRequest(RequestCode.GET_BROKER_RUNTIME_INFO), "runtime info",
                r -> raftAddressOf(KVTable.decode(r.bodyBytes()).table()));
        return fromInfo.thenCompose(a -> a != null ? CompletableFuture.completedFuture(a)
                : calls.call(brokerAddr, RemotingCommand.createRequest(RequestCode.GET_BROKER_CONFIG),
                        "broker config", r -> raftAddressIn(new String(r.bodyBytes(), StandardCharsets.UTF_8))));
    }

    /** The {@code raftAddr} of a runtime-info table; null when missing or blank (a member older than the key). */
    static String raftAddressOf(Map<String, String> runtimeInfo) {
        String a = runtimeInfo.get("raftAddr");
        return a == null || a.isBlank() ? null : a.trim();
    }

    /**
     * The entry of {@code raftSelfId} in {@code raftPeers} ({@code n0-host:port;n1-host:port}) of a broker
     * configuration as GET_BROKER_CONFIG answers it ({@code key=value} lines); null when either key is missing.
     */
    static String raftAddressIn(String config) {
        Map<String, String> kv = new TreeMap<>();
        for (String line : config.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                kv.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
            }
        }
        String self = kv.get("raftSelfId");
        String peers = kv.get("raftPeers");
        if (self == null || peers == null) {
            return null;
        }
        for (String p : peers.split(";")) {
            int dash = p.indexOf('-');
            if (dash > 0 && p.substring(0, dash).trim().equals(self)) {
                return p.substring(dash + 1).trim();
            }
        }
        return null;
    }

    /**
     * What each configured NameServer routes (106 and 206 to each, asked at once), in the configured order; one that
     * does not answer is reported so.
     */
    List<CompletableFuture<NameServerView>> nameServers() {
        List<CompletableFuture<NameServerView>> asks = new ArrayList<>();
        for (String addr : calls.nameServerAddrs()) {
            CompletableFuture<ClusterInfo> info = calls.call(addr, RemotingCommand.createRequest(
                    RequestCode.GET_BROKER_CLUSTER_INFO), "cluster info", r -> ClusterInfo.decode(r.bodyBytes()));
            CompletableFuture<List<String>> topics = calls.call(addr, RemotingCommand.createRequest(
                    RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER), "list topics", AdminTopics::topicNames);
            asks.add(info.thenCombine(topics, (i, t) -> {
                List<BrokerData> gs = new ArrayList<>(i.brokerAddrTable().values());
                gs.sort((a, b) -> a.brokerName().compareTo(b.brokerName()));
                return new NameServerView(addr, true, gs, t, null);
            }).exceptionally(e -> new NameServerView(addr, false, List.of(), List.of(),
                    AdminCalls.unwrap(e).getMessage())));
        }
        return asks;
    }

    /** Every broker group, sorted by name, with what each registered member says of itself. */
    CompletableFuture<ClusterStatus> clusterStatus() {
        return calls.clusterInfo().thenCompose(info -> {
            List<BrokerData> gs = new ArrayList<>(info.brokerAddrTable().values());
            gs.sort((a, b) -> a.brokerName().compareTo(b.brokerName()));
            List<CompletableFuture<ClusterStatus.Group>> asks = new ArrayList<>();
            for (BrokerData g : gs) {
                asks.add(calls.members(g).thenApply(ms -> new ClusterStatus.Group(g.cluster(), g.brokerName(),
                        AdminCalls.leaderOf(g, ms), ms)));
            }
            return CompletableFuture.allOf(asks.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
                List<ClusterStatus.Group> out = new ArrayList<>();
                for (CompletableFuture<ClusterStatus.Group> f : asks) {
                    out.add(f.join());
                }
                return new ClusterStatus(out);
            });
        });
    }

    /** RAFT_TRANSFER_LEADERSHIP (9001) of {@code group} to its leader, {@code to} the target (null: any). */
    CompletableFuture<TransferResult> transferLeadership(String group, String to) {
        return calls.group(group).thenCompose(bd -> calls.members(bd).thenApply(ms -> AdminCalls.leaderOf(bd,
                ms))).thenCompose(leader -> transferVia(group, leader, to, 0));
    }

    private CompletableFuture<TransferResult> transferVia(String group, String addr, String to, int hop) {
        if (addr == null || addr.isEmpty()) {
            return CompletableFuture.failedFuture(new AdminException(AdminException.CLIENT_SIDE, null, null,
                    "no leader of " + group + " known to transfer from", null));
        }
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.RAFT_TRANSFER_LEADERSHIP);
        if (to != null) {
            req.addExtField(TRANSFER_TO, to);
        }
        return calls.call(addr, req, "transfer leadership of " + group, r -> new TransferResult(group,
                r.extFieldsOrEmpty().get(TRANSFER_LEADER), Long.parseLong(r.extFieldsOrEmpty().get(TRANSFER_TERM))))
                .handle((v, e) -> {
                    if (e == null) {
                        return CompletableFuture.completedFuture(v);
                    }
                    AdminException a = AdminCalls.unwrap(e);
                    if (a.code() == ResponseCode.SERVICE_NOT_AVAILABLE && hop < TRANSFER_REDIRECTS_MAX) {
                        return redirect(group, to, hop);
                    }
                    return CompletableFuture.<TransferResult>failedFuture(a);
                }).thenCompose(f -> f);
    }

    /** The member asked does not lead (any more): ask the group's members again who does, then ask that one. */
    private CompletableFuture<TransferResult> redirect(String group, String to, int hop) {
        return calls.later(AdminCalls.LEADER_RETRY_MS).thenCompose(v -> calls.group(group)).thenCompose(bd ->
                calls.members(bd).thenApply(ms -> AdminCalls.leaderOf(bd, ms))).thenCompose(leader ->
                transferVia(group, leader, to, hop + 1));
    }
}
