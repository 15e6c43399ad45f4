package io.raftmq.broker.acl;

import java.util.Map;

/**
 * One account of the ACL file (docs/security.md, "ACL"): its keys, whether it is an admin, the addresses it may
 * connect from, and its grants. A topic or group not listed gets the account's default. Immutable.
 *
 * @param accessKey        the key clients send as {@code AccessKey}
 * @param secretKey        the HmacSHA1 key of its signatures
 * @param whiteRemote      the addresses this account may be used from; null: any. Unlike RocketMQ, where a match
 *                         lets a request through unsigned, here it only restricts (a signature is always needed)
 * @param admin            may run the admin request codes (topic and group create/delete, offset reset, ...)
 * @param defaultTopicPerm grant on topics not in {@code topicPerms}
 * @param defaultGroupPerm grant on groups not in {@code groupPerms}
 * @param topicPerms       grant per topic
 * @param groupPerms       grant per consumer group
 */
public record AclAccount(String accessKey, String secretKey, AddressPattern whiteRemote, boolean admin,
                         Permission defaultTopicPerm, Permission defaultGroupPerm, Map<String, Permission> topicPerms,
                         Map<String, Permission> groupPerms) {
    public AclAccount {
        topicPerms = Map.copyOf(topicPerms);
        groupPerms = Map.copyOf(groupPerms);
    }

    /** The grant on {@code topic}. */
    public Permission topicPerm(String topic) {
        return topicPerms.getOrDefault(topic, defaultTopicPerm);
    }

    /** The grant on consumer group {@code group}. */
    public Permission groupPerm(String group) {
        return groupPerms.getOrDefault(group, defaultGroupPerm);
    }

    @Override
    public String toString() {
        return "AclAccount[accessKey=" + accessKey + ", admin=" + admin + "]";
    }
}
