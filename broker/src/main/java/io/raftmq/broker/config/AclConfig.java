package io.raftmq.broker.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ACL settings of a broker (docs/security.md, "ACL"), read from the same properties file as the rest of
 * {@link BrokerConfig} and kept apart so each feature's settings stay in their own small class. Keys are the
 * component names.
 *
 * @param aclEnable           check ACL 1.0 signatures and permissions on the client port (default false)
 * @param aclFile             the ACL file (JSON in RocketMQ's plain_acl.yml layout); required when enabled
 * @param aclReloadIntervalMs how often the file's modification time is polled for a reload (default 5000)
 * @param aclBrokerAccount    access key of the ACL file's account this member signs its own requests to its peers
 *                            with (default empty: unsigned); its secret is read from the ACL file
 */
public record AclConfig(boolean aclEnable, String aclFile, long aclReloadIntervalMs, String aclBrokerAccount) {
    /** Every key with its default. */
    public static final Map<String, String> DEFAULTS = Map.of("aclEnable", "false", "aclFile", "",
        "aclReloadIntervalMs", "5000", "aclBrokerAccount", "");
    /** Fastest reload poll accepted. */
    public static final long RELOAD_INTERVAL_MS_MIN = 100;

    /** ACL off. */
    public static AclConfig disabled() {
        return new AclConfig(false, "", 5000, "");
    }

    /**
     * Reads the ACL keys of {@code props} (others are ignored); {@code source} names the file in messages.
     *
     * @throws BrokerConfigException naming the key that is invalid
     */
    public static AclConfig fromProperties(Map<String, String> props, String source) throws BrokerConfigException {
        String enable = value(props, "aclEnable");
        if (!enable.equals("true") && !enable.equals("false")) {
            throw new BrokerConfigException(source + ": key 'aclEnable': must be true or false, got '" + enable + "'");
        }
        String file = value(props, "aclFile");
        long interval;
        try {
            interval = Long.parseLong(value(props, "aclReloadIntervalMs"));
        } catch (NumberFormatException e) {
            throw new BrokerConfigException(source + ": key 'aclReloadIntervalMs': not a number", e);
        }
        if (interval < RELOAD_INTERVAL_MS_MIN) {
            throw new BrokerConfigException(source + ": key 'aclReloadIntervalMs': must be >= "
                + RELOAD_INTERVAL_MS_MIN + ", got " + interval);
        }
        if (enable.equals("true") && file.isEmpty()) {
            throw new BrokerConfigException(source + ": key 'aclFile': required when aclEnable=true (the ACL file,"
                + " docs/security.md)");
        }
        return new AclConfig(Boolean.parseBoolean(enable), file, interval, value(props, "aclBrokerAccount"));
    }

    private static String value(Map<String, String> props, String key) {
        String v = props.get(key);
        return v == null ? DEFAULTS.get(key) : v.trim();
    }

    /** The settings as properties text, in the file's key names. */
    public Map<String, String> toProperties() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("aclEnable", Boolean.toString(aclEnable));
        m.put("aclFile", aclFile);
        m.put("aclReloadIntervalMs", Long.toString(aclReloadIntervalMs));
        m.put("aclBrokerAccount", aclBrokerAccount);
        return m;
    }
}
