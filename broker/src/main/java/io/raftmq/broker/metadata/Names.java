package io.raftmq.broker.metadata;

/**
 * RocketMQ's naming rules for topics and groups, and the reserved names the broker derives from groups.
 * Topics: 1..127 characters of {@code [%|a-zA-Z0-9_-]}; groups: 1..255 of the same set.
 */
public final class Names {
    public static final String DEFAULT_TOPIC = "TBW102";
    public static final String RETRY_GROUP_TOPIC_PREFIX = "%RETRY%";
    public static final String DLQ_GROUP_TOPIC_PREFIX = "%DLQ%";
    public static final int TOPIC_LENGTH_MAX = 127;
    public static final int GROUP_LENGTH_MAX = 255;
    private static final String ALLOWED = "[%|a-zA-Z0-9_-]+";

    private Names() {
    }

    /** Null if {@code topic} is valid, else the reason. */
    public static String checkTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            return "the topic name is empty";
        }
        if (topic.length() > TOPIC_LENGTH_MAX) {
            return "the topic name is longer than " + TOPIC_LENGTH_MAX + " characters";
        }
        if (!topic.matches(ALLOWED)) {
            return "the topic name " + topic + " contains illegal characters (allowed: %|a-zA-Z0-9_-)";
        }
        return null;
    }

    /** Null if {@code group} is valid, else the reason. */
    public static String checkGroup(String group) {
        if (group == null || group.isEmpty()) {
            return "the group name is empty";
        }
        if (group.length() > GROUP_LENGTH_MAX) {
            return "the group name is longer than " + GROUP_LENGTH_MAX + " characters";
        }
        if (!group.matches(ALLOWED)) {
            return "the group name " + group + " contains illegal characters (allowed: %|a-zA-Z0-9_-)";
        }
        return null;
    }

    /** {@code %RETRY%group}. */
    public static String retryTopic(String group) {
        return RETRY_GROUP_TOPIC_PREFIX + group;
    }
}
