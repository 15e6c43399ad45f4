package io.raftmq.broker.acl;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.protocol.Credentials;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: with ACL on and aclBrokerAccount set, a leadership transfer without a target works: the leader's runtime-info
 * probes of its followers are signed with the member account (docs/security.md "Inside the group"), while a
 * non-admin account may not ask for the transfer. Method: a three-member group sharing one ACL file; the transfer
 * request is signed by the SDK's {@link Credentials}.
 */
@SocketTest
class AclMemberAccountTest {
    private static final String ACL = """
        {"accounts": [
          {"accessKey": "member-account", "secretKey": "member-secret"},
          {"accessKey": "producer-a", "secretKey": "producer-secret", "topicPerms": ["TopicA=PUB"]},
          {"accessKey": "operator", "secretKey": "operator-secret", "admin": true}
        ]}
        """;

    @Test
    void anUntargetedTransferProbesTheFollowersWithTheMemberAccount(@TempDir Path dir) throws Exception {
        Path acl = dir.resolve("acl.json");
        Files.writeString(acl, ACL);
        try (TestCluster c = new TestCluster(dir.resolve("data"), 3, Map.of("aclEnable", "true", "aclFile",
            acl.toString(), "aclBrokerAccount", "member-account")).startAll()) {
            BrokerController first = c.awaitLeaderRegistered(10_000);
            RemotingCommand refused = transfer(c, first, new Credentials("producer-a", "producer-secret"));
            assertThat(refused.code()).isEqualTo(ResponseCode.NO_PERMISSION);
            assertThat(refused.remark()).contains("lacks admin permission");

            RemotingCommand r = transfer(c, first, new Credentials("operator", "operator-secret"));
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            TestCluster.await(10_000, "another member leads", () -> c.leader() != null && c.leader() != first);
        }
    }

    private static RemotingCommand transfer(TestCluster c, BrokerController leader, Credentials who)
            throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.RAFT_TRANSFER_LEADERSHIP);
        who.sign(req);
        RemotingCommand r = c.client.invokeSync(leader.config().brokerAddr(), req, 10_000);
        r.release();
        return r;
    }
}
