package io.raftmq.broker.acl;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the ACL file (docs/security.md "File format") is read as documented and every mistake in it is refused with a
 * message naming the entry, never half-loaded. Method: the documented example parsed and queried; then one broken
 * variant per rule; address rules matched against sample addresses.
 */
class AclFileTest {
    static final String EXAMPLE = """
        {
          "globalWhiteRemoteAddresses": ["10.10.103.*", "192.168.0.1-20"],
          "accounts": [
            {"accessKey": "producer-a", "secretKey": "producer-secret", "whiteRemoteAddress": "",
             "admin": false, "defaultTopicPerm": "DENY", "defaultGroupPerm": "DENY",
             "topicPerms": ["TopicA=PUB"], "groupPerms": []},
            {"accessKey": "consumer-g", "secretKey": "consumer-secret",
             "defaultTopicPerm": "DENY", "defaultGroupPerm": "DENY",
             "topicPerms": ["TopicA=SUB"], "groupPerms": ["GroupG=SUB"]},
            {"accessKey": "operator", "secretKey": "operator-secret", "whiteRemoteAddress": "127.0.0.1,::1",
             "admin": true, "defaultTopicPerm": "PUB|SUB", "defaultGroupPerm": "SUB"}
          ]
        }
        """;

    static AclRules parse(String json) throws AclFileException {
        return AclFile.parse(json.getBytes(StandardCharsets.UTF_8), "test.json");
    }

    @Test
    void theDocumentedExampleReadsAsDocumented() throws AclFileException {
        AclRules r = parse(EXAMPLE);
        assertThat(r.accounts()).containsOnlyKeys("producer-a", "consumer-g", "operator");
        AclAccount p = r.account("producer-a");
        assertThat(p.topicPerm("TopicA")).isEqualTo(Permission.PUB);
        assertThat(p.topicPerm("TopicB")).isEqualTo(Permission.DENY);
        assertThat(p.whiteRemote()).isNull();
        AclAccount c = r.account("consumer-g");
        assertThat(c.groupPerm("GroupG")).isEqualTo(Permission.SUB);
        assertThat(c.admin()).isFalse();
        AclAccount o = r.account("operator");
        assertThat(o.admin()).isTrue();
        assertThat(o.topicPerm("Any").allows(Permission.PUB)).isTrue();
        assertThat(o.whiteRemote().matches("127.0.0.1")).isTrue();
        assertThat(o.whiteRemote().matches("0:0:0:0:0:0:0:1")).isTrue();
        assertThat(o.whiteRemote().matches("127.0.0.2")).isFalse();
        assertThat(r.whiteListed("10.10.103.77")).isTrue();
        assertThat(r.whiteListed("192.168.0.20")).isTrue();
        assertThat(r.whiteListed("192.168.0.21")).isFalse();
        assertThat(r.whiteListed("10.10.104.1")).isFalse();
        assertThat(r.account("nobody")).isNull();
        assertThat(p.toString()).doesNotContain("producer-secret");
    }

    @Test
    void missingDefaultsDenyAndPermissionsCombine() throws AclFileException {
        AclAccount a = parse("{\"accounts\":[{\"accessKey\":\"abcdef\",\"secretKey\":\"123456\","
            + "\"topicPerms\":[\"T1=SUB|PUB\",\"T2=sub\"]}]}").account("abcdef");
        assertThat(a.topicPerm("other")).isEqualTo(Permission.DENY);
        assertThat(a.groupPerm("other")).isEqualTo(Permission.DENY);
        assertThat(a.topicPerm("T1").allows(Permission.PUB)).isTrue();
        assertThat(a.topicPerm("T1").allows(Permission.SUB)).isTrue();
        assertThat(a.topicPerm("T2").allows(Permission.PUB)).isFalse();
        assertThat(Permission.DENY.allows(Permission.SUB)).isFalse();
        assertThat(Permission.PUB_SUB.text()).isEqualTo("PUB|SUB");
    }

    @Test
    void everyMistakeIsRefusedWithItsPlace() {
        String ok = "\"accessKey\":\"abcdef\",\"secretKey\":\"123456\"";
        assertRefused("{\"accounts\":[{" + ok + ",\"admn\":true}]}", "accounts[0]: unknown key 'admn'");
        assertRefused("{\"acounts\":[]}", "top level: unknown key 'acounts'");
        assertRefused("{\"accounts\":[{" + ok + "},{" + ok + "}]}", "accounts[1]: accessKey 'abcdef' appears twice");
        assertRefused("{\"accounts\":[{\"accessKey\":\"abc\",\"secretKey\":\"123456\"}]}", "at least 6 characters");
        assertRefused("{\"accounts\":[{\"accessKey\":\"abcdef\"}]}", "accessKey and secretKey are required");
        assertRefused("{\"accounts\":[{" + ok + ",\"topicPerms\":[\"T=PUBLISH\"]}]}",
            "accounts[0] (accessKey abcdef): topicPerms: permission 'PUBLISH' is none of");
        assertRefused("{\"accounts\":[{" + ok + ",\"groupPerms\":[\"G\"]}]}", "entry 'G' is not name=PERM");
        assertRefused("{\"accounts\":[{" + ok + ",\"groupPerms\":[\"G=SUB\",\"G=DENY\"]}]}", "'G' is listed twice");
        assertRefused("{\"accounts\":[{" + ok + ",\"defaultTopicPerm\":\"ALL\"}]}", "permission 'ALL'");
        assertRefused("{\"globalWhiteRemoteAddresses\":[\"10.1.300.*\"]}", "'300' is not a number 0-255");
        assertRefused("{\"globalWhiteRemoteAddresses\":[\"10.1.*\"]}", "is not a.b.c.d");
        assertRefused("{\"accounts\":[{" + ok + ",\"whiteRemoteAddress\":\"fe80::zz\"}]}", "not an IPv6 address");
        assertRefused("{\"accounts\": [", "test.json: ");
        assertRefused("[]", "top level is not an object");
    }

    private static void assertRefused(String json, String message) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(AclFileException.class).hasMessageContaining(message)
            .hasMessageStartingWith("test.json");
    }

    @Test
    void addressRulesMatchWhatTheySay() {
        assertThat(AddressPattern.parse("*").matches("8.8.8.8")).isTrue();
        AddressPattern p = AddressPattern.parse("10.1.2-3.*, 172.16.0.5");
        assertThat(p.matches("10.1.2.200")).isTrue();
        assertThat(p.matches("10.1.3.0")).isTrue();
        assertThat(p.matches("10.1.4.0")).isFalse();
        assertThat(p.matches("172.16.0.5")).isTrue();
        assertThat(p.matches("172.16.0.6")).isFalse();
        assertThat(p.matches(null)).isFalse();
        assertThat(p.matches("::1")).isFalse();
        assertThatThrownBy(() -> AddressPattern.parse("10.1.3-2.*")).hasMessageContaining("'3-2'");
        assertThatThrownBy(() -> AddressPattern.parse(" ")).hasMessageContaining("empty address rule");
    }
}
