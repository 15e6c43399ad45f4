package io.raftmq.client.admin;

import io.raftmq.client.protocol.body.BrokerData;

import java.util.List;

/**
 * What one configured NameServer says it routes: its broker groups (GET_BROKER_CLUSTER_INFO 106) and its topics
 * (GET_ALL_TOPIC_LIST_FROM_NAMESERVER 206), docs/protocol.md §2.1. Each NameServer is asked on its own: RocketMQ's
 * NameServers do not replicate each other, so two may differ for a while.
 *
 * @param address   the NameServer, {@code host:port}
 * @param reachable whether it answered both requests
 * @param groups    the broker groups it knows, sorted by name (empty when it did not answer)
 * @param topics    the topics it routes, sorted (empty when it did not answer)
 * @param error     why it did not answer (null when it did)
 */
public record NameServerView(String address, boolean reachable, List<BrokerData> groups, List<String> topics,
                             String error) {
    public NameServerView {
        groups = List.copyOf(groups);
        topics = List.copyOf(topics);
    }
}
