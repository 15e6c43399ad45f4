package io.raftmq.client.producer;

import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.ClusterInfo;
import io.raftmq.client.protocol.body.HeartbeatData;
import io.raftmq.client.protocol.body.ProducerData;
import io.raftmq.client.protocol.header.UnregisterClientRequestHeader;
import io.raftmq.client.route.RouteCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A transactional producer's registration with the brokers, so that a broker holding one of its group's half
 * messages has a channel to ask (CHECK_TRANSACTION_STATE goes to a live producer channel of the half's PGROUP:
 * docs/protocol.md §2.2, §2.9): HEART_BEAT (34) with the producer group to every member of every broker group the
 * NameServer knows (GET_BROKER_CLUSTER_INFO 106) and of every group in the instance's routes, followers included
 * (a follower that becomes leader checks the halves its predecessor left); UNREGISTER_CLIENT (35) at shutdown.
 * Never fails: a member that does not answer gets the next heartbeat.
 */
final class TransactionMembership {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionMembership.class);
    private final ClientInstance instance;
    private final String group;
    private final String clientId;
    private final long timeoutMs;

    TransactionMembership(ClientInstance instance, String group, String clientId, long timeoutMs) {
        this.instance = instance;
        this.group = group;
        this.clientId = clientId;
        this.timeoutMs = timeoutMs;
    }

    /** Every member address known: the NameServer's cluster info (first NameServer that answers) and the routes. */
    CompletableFuture<Set<String>> members() {
        return clusterInfo(0).thenApply(info -> {
            Set<String> addrs = new LinkedHashSet<>();
            if (info != null) {
                for (BrokerData bd : info.brokerAddrTable().values()) {
                    addrs.addAll(bd.brokerAddrs().values());
                }
            }
            RouteCache routes = instance.routes();
            for (RouteCache.Entry e : routes.entries()) {
                for (String g : e.route().members().keySet()) {
                    addrs.addAll(routes.members(g));
                }
            }
            return addrs;
        });
    }

    private CompletableFuture<ClusterInfo> clusterInfo(int index) {
        List<String> ns = instance.config().namesrvAddrs();
        if (index >= ns.size()) {
            return CompletableFuture.completedFuture(null);
        }
        return instance.remoting().invokeAsync(ns.get(index),
                RemotingCommand.createRequest(RequestCode.GET_BROKER_CLUSTER_INFO), timeoutMs).handle((r, e) -> {
                    if (e != null) {
                        return clusterInfo(index + 1);
                    }
                    try {
                        return CompletableFuture.completedFuture(r.code() == ResponseCode.SUCCESS
                                ? ClusterInfo.decode(r.bodyBytes()) : null);
                    } catch (Exception unreadable) { // call boundary: the routes' members are still heartbeated
                        LOG.debug("unreadable cluster info from {}: {}", ns.get(index), unreadable.toString());
                        return CompletableFuture.<ClusterInfo>completedFuture(null);
                    } finally {
                        r.release();
                    }
                }).thenCompose(f -> f);
    }

    /** HEART_BEAT with this producer's group to every member; completes when all answered or failed. */
    CompletableFuture<Void> heartbeatAll() {
        HeartbeatData hb = new HeartbeatData(clientId, List.of(new ProducerData(group)), List.of(), 0, false);
        byte[] body = hb.encode();
        return members().thenCompose(addrs -> each(addrs, a -> RemotingCommand.createRequest(RequestCode.HEART_BEAT)
                .setBody(body), "heartbeat"));
    }

    /** UNREGISTER_CLIENT of this producer's group to every member. */
    CompletableFuture<Void> unregisterAll() {
        return members().thenCompose(addrs -> each(addrs, a -> RemotingCommand.createRequest(
                RequestCode.UNREGISTER_CLIENT, new UnregisterClientRequestHeader(clientId, group, null)),
                "unregister"));
    }

    private CompletableFuture<Void> each(Set<String> addrs, java.util.function.Function<String, RemotingCommand> req,
                                         String what) {
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (String a : addrs) {
            calls.add(instance.remoting().invokeAsync(a, req.apply(a), timeoutMs).thenAccept(RemotingCommand::release)
                    .exceptionally(e -> {
                        LOG.debug("{} of producer group {} to {} failed: {}", what, group, a, e.toString());
                        return null;
                    }));
        }
        return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]));
    }
}
