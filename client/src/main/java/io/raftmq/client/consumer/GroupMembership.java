package io.raftmq.client.consumer;

import io.raftmq.client.instance.ClientInstance;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.body.ConsumerData;
import io.raftmq.client.protocol.body.HeartbeatData;
import io.raftmq.client.protocol.header.UnregisterClientRequestHeader;
import io.raftmq.client.route.TopicRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A consumer's membership of its group on the brokers: HEART_BEAT (34) with its subscriptions to every member of
 * every broker group serving one of its topics (so every member lists the same consumers, docs/protocol.md §5.4,
 * and a follower that becomes leader already knows them), and UNREGISTER_CLIENT (35) to the same members at shutdown,
 * after which the brokers tell the group's other consumers to rebalance (NOTIFY_CONSUMER_IDS_CHANGED).
 */
final class GroupMembership {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMembership.class);
    private final ConsumerRpc rpc;
    private final String group;
    private final Supplier<List<String>> topics;
    private final Supplier<ConsumerData> data;

    GroupMembership(ConsumerRpc rpc, String group, Supplier<List<String>> topics, Supplier<ConsumerData> data) {
        this.rpc = rpc;
        this.group = group;
        this.topics = topics;
        this.data = data;
    }

    /** Every member address of every broker group serving a topic in use (routes fetched first if needed). */
    CompletableFuture<Set<String>> memberAddresses() {
        ClientInstance instance = rpc.instance();
        List<CompletableFuture<TopicRoute>> routes = new ArrayList<>();
        for (String t : topics.get()) {
            routes.add(instance.route(t).exceptionally(e -> null));
        }
        return CompletableFuture.allOf(routes.toArray(new CompletableFuture<?>[0])).thenApply(v -> {
            Set<String> addrs = new LinkedHashSet<>();
            for (CompletableFuture<TopicRoute> f : routes) {
                TopicRoute r = f.join();
                if (r != null) {
                    for (String g : r.members().keySet()) {
                        addrs.addAll(instance.routes().members(g));
                    }
                }
            }
            return addrs;
        });
    }

    /** Heartbeats every member; never fails (a member that does not answer gets the next one). */
    CompletableFuture<Void> heartbeatAll() {
        HeartbeatData hb = new HeartbeatData(rpc.clientId(), List.of(), List.of(data.get()), 0, false);
        return memberAddresses().thenCompose(addrs -> {
            List<CompletableFuture<Void>> calls = new ArrayList<>();
            for (String a : addrs) {
                calls.add(rpc.heartbeat(a, hb).exceptionally(e -> {
                    LOG.debug("heartbeat to {} failed: {}", a, e.toString());
                    return null;
                }));
            }
            return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]));
        });
    }

    /** UNREGISTER_CLIENT to every member; never fails. */
    CompletableFuture<Void> unregisterAll() {
        return memberAddresses().thenCompose(addrs -> {
            List<CompletableFuture<Void>> calls = new ArrayList<>();
            for (String a : addrs) {
                RemotingCommand req = RemotingCommand.createRequest(RequestCode.UNREGISTER_CLIENT,
                        new UnregisterClientRequestHeader(rpc.clientId(), null, group));
                calls.add(rpc.instance().remoting().invokeAsync(a, req, ConsumerRpc.CALL_TIMEOUT_MS)
                        .thenAccept(RemotingCommand::release).exceptionally(e -> null));
            }
            return CompletableFuture.allOf(calls.toArray(new CompletableFuture<?>[0]));
        });
    }
}
