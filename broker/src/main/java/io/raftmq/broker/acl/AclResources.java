package io.raftmq.broker.acl;

import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.json.JsonObject;
import io.raftmq.client.protocol.json.JsonReader;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What a request needs (docs/security.md, "What is checked"): whether its code is for admin accounts only, and
 * which (topic or group, PUB or SUB) grants it uses, read from its header fields and, for heartbeats, queue locks,
 * batch acks and pop assignments, from its JSON body. A topic {@code %RETRY%G} stands for consumer group G (SUB), as
 * in RocketMQ. Codes not listed need only a valid signature. Stateless.
 */
public final class AclResources {
    /** RocketMQ's retry-topic prefix. */
    public static final String RETRY_PREFIX = "%RETRY%";
    private static final int POP_MESSAGE = 200050;
    private static final int ACK_MESSAGE = 200051;
    private static final int CHANGE_INVISIBLE_TIME = 200053;
    private static final int BATCH_ACK_MESSAGE = 200151;
    /** Codes only admin accounts may send: topic/group create and delete, config, offset reset, Raft membership. */
    static final Set<Integer> ADMIN_CODES = Set.of(RequestCode.UPDATE_AND_CREATE_TOPIC,
        RequestCode.UPDATE_AND_CREATE_TOPIC_LIST, RequestCode.UPDATE_BROKER_CONFIG, RequestCode.DELETE_TOPIC_IN_BROKER,
        RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, RequestCode.DELETE_SUBSCRIPTIONGROUP,
        RequestCode.INVOKE_BROKER_TO_RESET_OFFSET, RequestCode.CLONE_GROUP_OFFSET, RequestCode.CONSUME_MESSAGE_DIRECTLY,
        RequestCode.RAFT_TRANSFER_LEADERSHIP, RequestCode.RAFT_ADD_MEMBER, RequestCode.RAFT_PROMOTE_MEMBER,
        RequestCode.RAFT_REMOVE_MEMBER);

    /** One grant a request uses: on a topic (else a consumer group), PUB or SUB. */
    public record Need(boolean topic, String name, Permission action) {
        @Override
        public String toString() {
            return action + " on " + (topic ? "topic '" : "group '") + name + "'";
        }
    }

    /** Everything {@code request} needs: {@code admin} for admin-only codes, and its grants. */
    public record Requirements(boolean admin, List<Need> needs) {
    }

    private AclResources() {
    }

    /**
     * The requirements of {@code request}.
     *
     * @throws IllegalArgumentException if a body that names resources cannot be read (the request is refused)
     */
    public static Requirements of(RemotingCommand request) {
        int code = request.code();
        List<Need> needs = new ArrayList<>();
        headerNeeds(code, request.extFieldsOrEmpty(), needs);
        if (request.bodyLength() > 0) {
            bodyNeeds(code, request, needs);
        }
        return new Requirements(ADMIN_CODES.contains(code), needs);
    }

    private static void headerNeeds(int code, ExtFields f, List<Need> out) {
        switch (code) {
            case RequestCode.SEND_MESSAGE, RequestCode.SEND_REPLY_MESSAGE -> topic(f.get("topic"), Permission.PUB, out);
            case RequestCode.SEND_MESSAGE_V2, RequestCode.SEND_BATCH_MESSAGE, RequestCode.SEND_REPLY_MESSAGE_V2 ->
                topic(f.get("b"), Permission.PUB, out);
            case RequestCode.END_TRANSACTION -> topic(f.get("topic"), Permission.PUB, out);
            case RequestCode.PULL_MESSAGE, RequestCode.LITE_PULL_MESSAGE, RequestCode.QUERY_CONSUMER_OFFSET,
                 RequestCode.UPDATE_CONSUMER_OFFSET, RequestCode.GET_CONSUME_STATS, POP_MESSAGE, ACK_MESSAGE,
                 CHANGE_INVISIBLE_TIME -> {
                group(f.get("consumerGroup"), out);
                topic(f.get("topic"), Permission.SUB, out);
            }
            case RequestCode.QUERY_MESSAGE, RequestCode.GET_MAX_OFFSET, RequestCode.GET_MIN_OFFSET,
                 RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, RequestCode.GET_EARLIEST_MSG_STORETIME,
                 RequestCode.GET_TOPIC_STATS_INFO -> topic(f.get("topic"), Permission.SUB, out);
            case RequestCode.UNREGISTER_CLIENT, RequestCode.GET_CONSUMER_LIST_BY_GROUP ->
                group(f.get("consumerGroup"), out);
            case RequestCode.CONSUMER_SEND_MSG_BACK -> group(f.get("group"), out);
            default -> {
                // authentication only
            }
        }
    }

    private static void bodyNeeds(int code, RemotingCommand request, List<Need> out) {
        switch (code) {
            case RequestCode.HEART_BEAT -> {
                for (Object c : json(request).getArray("consumerDataSet")) {
                    JsonObject consumer = JsonObject.toObject("consumerDataSet", c);
                    group(consumer.getString("groupName"), out);
                    for (Object s : consumer.getArray("subscriptionDataSet")) {
                        topic(JsonObject.toObject("subscriptionDataSet", s).getString("topic"), Permission.SUB, out);
                    }
                }
            }
            case RequestCode.LOCK_BATCH_MQ, RequestCode.UNLOCK_BATCH_MQ ->
                group(json(request).getString("consumerGroup"), out);
            case RequestCode.QUERY_ASSIGNMENT, RequestCode.SET_MESSAGE_REQUEST_MODE -> {
                JsonObject o = json(request);
                group(o.getString("consumerGroup"), out);
                topic(o.getString("topic"), Permission.SUB, out);
            }
            case BATCH_ACK_MESSAGE -> {
                for (Object a : json(request).getArray("acks")) {
                    JsonObject ack = JsonObject.toObject("acks", a);
                    group(ack.getString("c"), out);
                    topic(ack.getString("t"), Permission.SUB, out);
                }
            }
            default -> {
                // the body names no resource
            }
        }
    }

    private static JsonObject json(RemotingCommand request) {
        return JsonReader.parseObject(request.bodyBytes());
    }

    /** A topic grant; a retry topic stands for its group's SUB. Absent names are left to the processor. */
    private static void topic(String topic, Permission action, List<Need> out) {
        if (topic == null || topic.isEmpty()) {
            return;
        }
        if (topic.startsWith(RETRY_PREFIX)) {
            group(topic.substring(RETRY_PREFIX.length()), out);
        } else {
            out.add(new Need(true, topic, action));
        }
    }

    private static void group(String group, List<Need> out) {
        if (group != null && !group.isEmpty()) {
            out.add(new Need(false, group, Permission.SUB));
        }
    }
}
