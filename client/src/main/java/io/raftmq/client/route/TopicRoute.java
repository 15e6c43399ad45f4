package io.raftmq.client.route;

import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.TopicRouteData;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a producer needs of one topic's route (docs/protocol.md §4.2): the writable queues, in the official client's
 * order (brokers by name, then queue id), and per broker group its members' addresses and the leader the NameServer
 * names (brokerId 0, which a RaftMQ leader registers as: docs/protocol.md §3.10). Immutable.
 *
 * <p>One difference from the official client: a group that the route lists without a brokerId 0 (its leader just
 * died and was dropped, or is being elected) keeps its queues. RaftMQ followers forward sends to the leader or hold
 * them until one is elected (docs/raft-driver.md "Sends while leadership moves"), so such queues stay usable; the
 * producer prefers queues of groups with a reachable leader when it has a choice.
 *
 * @param topic       the topic
 * @param writeQueues the queues sends may go to, in selection order
 * @param leaders     group name to the routed leader address (groups without brokerId 0 are absent)
 * @param members     group name to every address the route lists for it, brokerId order
 * @param provisional true when built from TBW102's route because the topic has none yet: sends then name TBW102 as
 *                    their default topic and the broker creates the topic (docs/protocol.md §5.3, §5.10)
 * @param readQueues  the queues consumers pull from (readable groups, {@code readQueueNums} each), sorted; what
 *                    rebalancing divides (docs/protocol.md §5.4)
 */
public record TopicRoute(String topic, List<MessageQueue> writeQueues, Map<String, String> leaders,
                         Map<String, List<String>> members, boolean provisional, List<MessageQueue> readQueues) {
    /** The auto-create template topic (docs/protocol.md §5.10). */
    public static final String DEFAULT_TOPIC = "TBW102";

    public TopicRoute {
        writeQueues = List.copyOf(writeQueues);
        leaders = Map.copyOf(leaders);
        members = Map.copyOf(members);
        readQueues = List.copyOf(readQueues);
    }

    /** The route of {@code topic} from its GET_ROUTEINFO_BY_TOPIC answer. */
    public static TopicRoute of(String topic, TopicRouteData data) {
        return build(topic, data, Integer.MAX_VALUE, false);
    }

    /**
     * A provisional route of a topic the NameServer does not know yet, from TBW102's route: each writable group gets
     * min({@code queuesMax}, its write queue count) queues, as the official client does.
     */
    public static TopicRoute fromDefault(String topic, TopicRouteData defaultTopicData, int queuesMax) {
        return build(topic, defaultTopicData, queuesMax, true);
    }

    private static TopicRoute build(String topic, TopicRouteData data, int queuesMax, boolean provisional) {
        Map<String, String> leaders = new LinkedHashMap<>();
        Map<String, List<String>> members = new LinkedHashMap<>();
        for (BrokerData b : data.brokerDatas()) {
            List<String> addrs = new ArrayList<>();
            for (String a : b.brokerAddrs().values()) {
                if (a != null && !a.isEmpty() && !addrs.contains(a)) {
                    addrs.add(a);
                }
            }
            members.put(b.brokerName(), addrs);
            String leader = b.brokerAddrs().get(BrokerData.MASTER_ID);
            if (leader != null && !leader.isEmpty()) {
                leaders.put(b.brokerName(), leader);
            }
        }
        List<MessageQueue> queues = new ArrayList<>();
        String order = data.orderTopicConf();
        if (order != null && !order.isEmpty() && !provisional) {
            addOrderQueues(topic, order, queues);
        } else {
            List<QueueData> qds = new ArrayList<>(data.queueDatas());
            qds.sort(Comparator.comparing(QueueData::brokerName));
            for (QueueData q : qds) {
                if ((q.perm() & QueueData.PERM_WRITE) == 0 || !members.containsKey(q.brokerName())) {
                    continue;
                }
                int n = Math.min(q.writeQueueNums(), queuesMax);
                for (int i = 0; i < n; i++) {
                    queues.add(new MessageQueue(topic, q.brokerName(), i));
                }
            }
        }
        return new TopicRoute(topic, queues, leaders, members, provisional, readQueues(topic, data, members));
    }

    /** Queues of the readable groups that the route lists members for, sorted (topic, group, queue id). */
    private static List<MessageQueue> readQueues(String topic, TopicRouteData data, Map<String, List<String>> members) {
        List<MessageQueue> out = new ArrayList<>();
        for (QueueData q : data.queueDatas()) {
            if ((q.perm() & QueueData.PERM_READ) == 0 || !members.containsKey(q.brokerName())) {
                continue;
            }
            for (int i = 0; i < q.readQueueNums(); i++) {
                out.add(new MessageQueue(topic, q.brokerName(), i));
            }
        }
        out.sort(null);
        return out;
    }

    /** Queues from an order topic configuration {@code brokerName:queueNum;...} (docs/protocol.md §2.1). */
    private static void addOrderQueues(String topic, String conf, List<MessageQueue> out) {
        for (String part : conf.split(";")) {
            int colon = part.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            int n;
            try {
                n = Integer.parseInt(part.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                continue; // a malformed entry gives no queues, as in the official client
            }
            for (int i = 0; i < n; i++) {
                out.add(new MessageQueue(topic, part.substring(0, colon).trim(), i));
            }
        }
    }
}
