package io.raftmq.broker.clients;

import io.netty.channel.Channel;
import io.raftmq.client.protocol.body.Connection;
import io.raftmq.client.protocol.body.ConsumerConnection;
import io.raftmq.client.protocol.body.ProducerConnection;
import io.raftmq.client.protocol.body.SubscriptionData;
import io.raftmq.client.remoting.ChannelEventListener;
import io.raftmq.commitlog.error.Verify;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The registry of connected producers and consumers per group (HEART_BEAT / UNREGISTER_CLIENT, docs/protocol.md §2.2).
 * Local to each broker process (not replicated): clients heartbeat every broker of a group. A client is identified in a
 * group by its channel; its clientID, language, version, last heartbeat time and (for consumers) the group's
 * subscriptions are kept. Clients leave on UNREGISTER_CLIENT, when their channel closes, or after
 * {@code channelExpiredTimeoutMs} without a heartbeat ({@link #scanExpired}, which also closes the channel).
 *
 * <p>When the set of clientIDs of a consumer group changes, every channel of the group is sent
 * NOTIFY_CONSUMER_IDS_CHANGED (unless the group disabled it), outside the registry lock.
 *
 * <p>Threads: mutations are serialized by the instance lock; reads use concurrent maps and may run anywhere.
 * Time comes from the injected clock only.
 */
public final class ClientManager {
    private static final Logger LOG = LoggerFactory.getLogger(ClientManager.class);

    private final LongSupplier clockMs;
    private final long channelExpiredTimeoutMs;
    private final ConsumerIdsChangedNotifier notifier;
    private final Predicate<String> notifyEnabled;
    private final ConcurrentHashMap<String, ConsumerGroupInfo> consumers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ConcurrentHashMap<Channel, ClientChannelInfo>> producers =
            new ConcurrentHashMap<>();

    /** A consumer group's live clients and its subscriptions (from the latest heartbeat carrying them). */
    private static final class ConsumerGroupInfo {
        final ConcurrentHashMap<Channel, ClientChannelInfo> channels = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, SubscriptionData> subscriptions = new ConcurrentHashMap<>();
        volatile String consumeType;
        volatile String messageModel;
        volatile String consumeFromWhere;

        Set<String> clientIds() {
            Set<String> ids = new TreeSet<>();
            for (ClientChannelInfo c : channels.values()) {
                ids.add(c.clientId());
            }
            return ids;
        }
    }

    /**
     * @param clockMs                 time source (ms)
     * @param channelExpiredTimeoutMs idle time after which a client is dropped
     * @param notifier                sends NOTIFY_CONSUMER_IDS_CHANGED
     * @param notifyEnabled           whether a group wants notifications (subscription group setting)
     */
    public ClientManager(LongSupplier clockMs, long channelExpiredTimeoutMs, ConsumerIdsChangedNotifier notifier,
                         Predicate<String> notifyEnabled) {
        Verify.argument(channelExpiredTimeoutMs > 0, "channelExpiredTimeoutMs must be positive");
        this.clockMs = clockMs;
        this.channelExpiredTimeoutMs = channelExpiredTimeoutMs;
        this.notifier = notifier;
        this.notifyEnabled = notifyEnabled;
    }

    // ------------------------------------------------------------------------------------------ registration

    /**
     * Registers or refreshes a consumer. {@code subscriptions} replace the group's subscriptions unless
     * {@code keepSubscriptions} (heartbeat v2 {@code withoutSub}: an empty set then means "unchanged").
     *
     * @return whether the group's set of clientIDs changed (a notification was sent)
     */
    public boolean registerConsumer(String group, ClientChannelInfo client, String consumeType, String messageModel,
                                    String consumeFromWhere, List<SubscriptionData> subscriptions,
                                    boolean keepSubscriptions) {
        boolean changed;
        synchronized (this) {
            ConsumerGroupInfo g = consumers.computeIfAbsent(group, k -> new ConsumerGroupInfo());
            Set<String> before = g.clientIds();
            removeSameClientOtherChannel(g, client);
            g.channels.put(client.channel(), client.touched(clockMs.getAsLong()));
            g.consumeType = consumeType;
            g.messageModel = messageModel;
            g.consumeFromWhere = consumeFromWhere;
            if (!keepSubscriptions) {
                g.subscriptions.clear();
                for (SubscriptionData s : subscriptions) {
                    g.subscriptions.put(s.topic(), s);
                }
            }
            changed = !before.equals(g.clientIds());
        }
        if (changed) {
            LOG.info("consumer {} joined group {} from {}", client.clientId(), group, client.clientAddr());
            notifyGroup(group);
        }
        return changed;
    }

    private static void removeSameClientOtherChannel(ConsumerGroupInfo g, ClientChannelInfo client) {
        g.channels.entrySet().removeIf(e -> e.getValue().clientId().equals(client.clientId())
                && e.getKey() != client.channel());
    }

    /** Registers or refreshes a producer. */
    public synchronized void registerProducer(String group, ClientChannelInfo client) {
        ConcurrentHashMap<Channel, ClientChannelInfo> g = producers.computeIfAbsent(group,
                k -> new ConcurrentHashMap<>());
        g.entrySet().removeIf(e -> e.getValue().clientId().equals(client.clientId())
                && e.getKey() != client.channel());
        g.put(client.channel(), client.touched(clockMs.getAsLong()));
    }

    /** UNREGISTER_CLIENT for a consumer group: drops {@code clientId} from it and notifies the rest. */
    public void unregisterConsumer(String group, String clientId) {
        boolean changed;
        synchronized (this) {
            ConsumerGroupInfo g = consumers.get(group);
            if (g == null) {
                return;
            }
            changed = g.channels.values().removeIf(c -> c.clientId().equals(clientId));
            if (g.channels.isEmpty()) {
                consumers.remove(group);
            }
        }
        if (changed) {
            LOG.info("consumer {} left group {}", clientId, group);
            notifyGroup(group);
        }
    }

    /** UNREGISTER_CLIENT for a producer group. */
    public synchronized void unregisterProducer(String group, String clientId) {
        ConcurrentHashMap<Channel, ClientChannelInfo> g = producers.get(group);
        if (g != null) {
            g.values().removeIf(c -> c.clientId().equals(clientId));
            if (g.isEmpty()) {
                producers.remove(group);
            }
        }
    }

    /** Drops every registration on {@code channel} (closed, idle or failed) and notifies affected groups. */
    public void channelClosed(Channel channel) {
        List<String> changedGroups = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<String, ConsumerGroupInfo> e : consumers.entrySet()) {
                ConsumerGroupInfo g = e.getValue();
                Set<String> before = g.clientIds();
                if (g.channels.remove(channel) != null && !before.equals(g.clientIds())) {
                    changedGroups.add(e.getKey());
                }
            }
            consumers.values().removeIf(g -> g.channels.isEmpty());
            for (ConcurrentHashMap<Channel, ClientChannelInfo> g : producers.values()) {
                g.remove(channel);
            }
            producers.values().removeIf(Map::isEmpty);
        }
        for (String group : changedGroups) {
            notifyGroup(group);
        }
    }

    /**
     * Drops clients not heard from for more than channelExpiredTimeoutMs, closes their channels and notifies
     * affected groups (docs/protocol.md trap 13: ghosts would otherwise be assigned queues).
     *
     * @return the number of registrations dropped
     */
    public int scanExpired() {
        long deadline = clockMs.getAsLong() - channelExpiredTimeoutMs;
        List<Channel> expired = new ArrayList<>();
        synchronized (this) {
            for (ConsumerGroupInfo g : consumers.values()) {
                collectExpired(g.channels, deadline, expired);
            }
            for (ConcurrentHashMap<Channel, ClientChannelInfo> g : producers.values()) {
                collectExpired(g, deadline, expired);
            }
        }
        int dropped = 0;
        for (Channel ch : new java.util.LinkedHashSet<>(expired)) {
            LOG.info("client channel {} expired after {} ms without heartbeat", ch, channelExpiredTimeoutMs);
            channelClosed(ch);
            ch.close();
            dropped++;
        }
        return dropped;
    }

    private static void collectExpired(Map<Channel, ClientChannelInfo> m, long deadline, List<Channel> out) {
        for (ClientChannelInfo c : m.values()) {
            if (c.lastUpdateMs() < deadline) {
                out.add(c.channel());
            }
        }
    }

    private void notifyGroup(String group) {
        if (!notifyEnabled.test(group)) {
            return;
        }
        ConsumerGroupInfo g = consumers.get(group);
        if (g == null) {
            return;
        }
        for (Channel ch : g.channels.keySet()) {
            notifier.notify(ch, group);
        }
    }

    /** A listener that drops a client's registrations when its channel closes, idles out or fails. */
    public ChannelEventListener channelListener() {
        return new ChannelEventListener() {
            @Override
            public void onClose(Channel channel) {
                channelClosed(channel);
            }
        };
    }

    // ------------------------------------------------------------------------------------------ reads

    /** The clientIDs of a consumer group, sorted (GET_CONSUMER_LIST_BY_GROUP); empty if none. */
    public List<String> consumerIds(String group) {
        ConsumerGroupInfo g = consumers.get(group);
        return g == null ? List.of() : List.copyOf(g.clientIds());
    }

    /** The group's subscription to {@code topic} from its latest heartbeat, or null (the pull path filters by it). */
    public SubscriptionData subscription(String group, String topic) {
        ConsumerGroupInfo g = consumers.get(group);
        return g == null ? null : g.subscriptions.get(topic);
    }

    /** GET_CONSUMER_CONNECTION_LIST body, or null if the group has no live client. */
    public ConsumerConnection consumerConnection(String group) {
        ConsumerGroupInfo g = consumers.get(group);
        if (g == null || g.channels.isEmpty()) {
            return null;
        }
        return new ConsumerConnection(connections(g.channels), g.consumeType, g.messageModel, g.consumeFromWhere,
                new TreeMap<>(g.subscriptions));
    }

    /** GET_PRODUCER_CONNECTION_LIST body, or null if the group has no live client. */
    public ProducerConnection producerConnection(String group) {
        ConcurrentHashMap<Channel, ClientChannelInfo> g = producers.get(group);
        return g == null || g.isEmpty() ? null : new ProducerConnection(connections(g));
    }

    private static List<Connection> connections(Map<Channel, ClientChannelInfo> m) {
        List<Connection> out = new ArrayList<>();
        for (ClientChannelInfo c : m.values()) {
            out.add(new Connection(c.clientId(), c.clientAddr(), c.language() == null ? "OTHER"
                    : c.language().name(), c.version()));
        }
        out.sort(Comparator.comparing(Connection::clientId).thenComparing(Connection::clientAddr));
        return out;
    }

    /** Consumer groups with at least one live client, sorted. */
    public Set<String> consumerGroups() {
        return new TreeSet<>(consumers.keySet());
    }

    /** Online consumer groups subscribed to {@code topic}, sorted. */
    public Set<String> groupsSubscribedTo(String topic) {
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, ConsumerGroupInfo> e : consumers.entrySet()) {
            if (e.getValue().subscriptions.containsKey(topic)) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /**
     * One live (active) channel of producer group {@code group}, or null if none: the one heard from most recently
     * (ties: the smallest clientID), so repeated calls keep asking the same producer while it stays connected.
     * Used for CHECK_TRANSACTION_STATE (docs/protocol.md §2.9).
     */
    public Channel liveProducerChannel(String group) {
        ConcurrentHashMap<Channel, ClientChannelInfo> g = producers.get(group);
        if (g == null) {
            return null;
        }
        ClientChannelInfo best = null;
        for (ClientChannelInfo c : g.values()) {
            if (!c.channel().isActive()) {
                continue;
            }
            if (best == null || c.lastUpdateMs() > best.lastUpdateMs() || (c.lastUpdateMs() == best.lastUpdateMs()
                    && c.clientId().compareTo(best.clientId()) < 0)) {
                best = c;
            }
        }
        return best == null ? null : best.channel();
    }

    /**
     * A live channel of the client with id {@code clientId} (registered by a producer or consumer heartbeat), or
     * null. Used to push replies to requesters (docs/consumer-protocol.md "Request/reply"); a scan of the registered
     * channels, which stay few per member.
     */
    public Channel channelOf(String clientId) {
        for (ConcurrentHashMap<Channel, ClientChannelInfo> g : producers.values()) {
            Channel ch = liveChannelOf(g, clientId);
            if (ch != null) {
                return ch;
            }
        }
        for (ConsumerGroupInfo g : consumers.values()) {
            Channel ch = liveChannelOf(g.channels, clientId);
            if (ch != null) {
                return ch;
            }
        }
        return null;
    }

    /** The live channels of consumer group {@code group}'s clients (for broker-to-client requests such as 220). */
    public List<Channel> consumerChannels(String group) {
        ConsumerGroupInfo g = consumers.get(group);
        List<Channel> out = new ArrayList<>();
        if (g != null) {
            for (ClientChannelInfo c : g.channels.values()) {
                if (c.channel().isActive()) {
                    out.add(c.channel());
                }
            }
        }
        return out;
    }

    private static Channel liveChannelOf(Map<Channel, ClientChannelInfo> channels, String clientId) {
        for (ClientChannelInfo c : channels.values()) {
            if (c.clientId().equals(clientId) && c.channel().isActive()) {
                return c.channel();
            }
        }
        return null;
    }

    /** Registered producer groups, sorted. */
    public Set<String> producerGroups() {
        return new TreeSet<>(producers.keySet());
    }
}
