package io.raftmq.broker.pop;

import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.TopicConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * QUERY_ASSIGNMENT (400), docs/consumer-protocol.md "Pop consumption": which queues of a topic a consumer of a group
 * reads, and how. A group set to POP on the topic (SET_MESSAGE_REQUEST_MODE) gets mode POP: every queue when
 * popShareQueueNum is 0 or at least the number of consumers - 1, else its own average share plus the shares of the
 * next popShareQueueNum consumers (so several consumers pop each queue). Other groups get mode PULL and the
 * average allocation over the group's consumers connected to this member (sorted client ids, queues in order), as
 * the client's own rebalance would compute it; BROADCASTING gets every queue.
 */
final class PopAssignments {
    private PopAssignments() {
    }

    static RemotingCommand answer(PopProtocol.AssignmentRequest r, TopicConfigManager topics, PopState state,
                                  ClientManager clients, String brokerName) {
        if (r.topic() == null || r.group() == null || r.clientId() == null) {
            return Replies.error(ResponseCode.INVALID_PARAMETER, "topic, consumerGroup and clientId are required");
        }
        TopicConfig tc = topics.get(r.topic());
        if (tc == null) {
            return Replies.error(ResponseCode.TOPIC_NOT_EXIST, "topic[" + r.topic() + "] not exist");
        }
        List<MessageQueue> all = new ArrayList<>();
        for (int i = 0; i < tc.readQueueNums(); i++) {
            all.add(new MessageQueue(r.topic(), brokerName, i));
        }
        if ("BROADCASTING".equals(r.messageModel())) {
            return ok(all, "PULL");
        }
        List<String> ids = new ArrayList<>(clients.consumerIds(r.group()));
        if (!ids.contains(r.clientId())) {
            ids.add(r.clientId()); // its heartbeat may not have reached this member yet
        }
        ids.sort(null);
        int me = ids.indexOf(r.clientId());
        Integer share = state.popShareQueueNum(r.topic(), r.group());
        if (share == null) {
            return ok(average(all, ids.size(), me), "PULL");
        }
        if (share == 0 || share >= ids.size() - 1) {
            return ok(all, "POP");
        }
        List<MessageQueue> mine = new ArrayList<>();
        for (int i = 0; i <= share; i++) {
            for (MessageQueue q : average(all, ids.size(), (me + i) % ids.size())) {
                if (!mine.contains(q)) {
                    mine.add(q);
                }
            }
        }
        return ok(mine, "POP");
    }

    /** The queues the {@code index}-th of {@code n} consumers gets by average allocation. */
    static List<MessageQueue> average(List<MessageQueue> all, int n, int index) {
        int size = all.size();
        int mod = size % n;
        int avg = size <= n ? 1 : (mod > 0 && index < mod ? size / n + 1 : size / n);
        int start = mod > 0 && index < mod ? index * avg : index * avg + mod;
        List<MessageQueue> out = new ArrayList<>();
        for (int i = 0; i < Math.min(avg, size - start); i++) {
            out.add(all.get(start + i));
        }
        return out;
    }

    private static RemotingCommand ok(List<MessageQueue> queues, String mode) {
        return Replies.ok().setBody(PopProtocol.encodeAssignments(queues, mode));
    }
}
