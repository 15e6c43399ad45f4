package io.raftmq.broker.config;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the ACL settings (docs/security.md "Turning ACL on") parse as part of the broker's properties, default to
 * off, survive the round trip through toProperties, and refuse bad values with the key's name. Method: minimal
 * broker properties plus the ACL keys.
 */
class AclConfigTest {
    private static Map<String, String> base() {
        Map<String, String> m = new HashMap<>();
        m.put("brokerName", "broker-a");
        m.put("storePathRootDir", "/tmp/raftmq-acl-config-test");
        m.put("namesrvAddr", "127.0.0.1:9876");
        m.put("raftPeers", "n0-127.0.0.1:10915");
        m.put("raftSelfId", "n0");
        m.put("listenHost", "127.0.0.1");
        return m;
    }

    @Test
    void offByDefaultAndRoundTrips() throws BrokerConfigException {
        BrokerConfig c = BrokerConfig.fromProperties(base(), "t");
        assertThat(c.acl()).isEqualTo(AclConfig.disabled());
        Map<String, String> m = base();
        m.put("aclEnable", "true");
        m.put("aclFile", "/etc/raftmq/acl.json");
        m.put("aclReloadIntervalMs", "1000");
        m.put("aclBrokerAccount", "member-account");
        BrokerConfig on = BrokerConfig.fromProperties(m, "t");
        assertThat(on.acl()).isEqualTo(new AclConfig(true, "/etc/raftmq/acl.json", 1000, "member-account"));
        assertThat(on.toProperties()).containsEntry("aclEnable", "true").doesNotContainKey("acl");
        assertThat(BrokerConfig.fromProperties(on.toProperties(), "t")).isEqualTo(on);
    }

    @Test
    void badValuesNameTheirKey() {
        Map<String, String> m = base();
        m.put("aclEnable", "true");
        assertThatThrownBy(() -> BrokerConfig.fromProperties(m, "t")).isInstanceOf(BrokerConfigException.class)
            .hasMessageContaining("'aclFile': required when aclEnable=true");
        m.put("aclEnable", "yes");
        assertThatThrownBy(() -> BrokerConfig.fromProperties(m, "t")).hasMessageContaining("'aclEnable'");
        m.put("aclEnable", "false");
        m.put("aclReloadIntervalMs", "5");
        assertThatThrownBy(() -> BrokerConfig.fromProperties(m, "t")).hasMessageContaining("'aclReloadIntervalMs'");
    }
}
