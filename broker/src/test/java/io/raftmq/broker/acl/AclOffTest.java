package io.raftmq.broker.acl;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.testsupport.SocketTest;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: with ACL off (the default, docs/security.md) a group serves unsigned clients as before and ignores the
 * credentials of signed ones. Method: a one-member group; the official producer sends unsigned and signed with an
 * account no file knows; the official admin creates a topic unsigned.
 */
@SocketTest
class AclOffTest {
    @Test
    void unsignedAndSignedClientsAreServedAlike(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 1).startAll()) {
            String leader = c.awaitLeaderRegistered(10_000).config().brokerAddr();
            DefaultMQAdminExt admin = new DefaultMQAdminExt(5000);
            admin.setNamesrvAddr(c.namesrv());
            admin.setInstanceName("acl-off-admin-" + System.nanoTime());
            admin.start();
            try {
                admin.createAndUpdateTopicConfig(leader, new TopicConfig("OffTopic", 2, 2, 6));
                assertThat(admin.examineTopicConfig(leader, "OffTopic").getWriteQueueNums()).isEqualTo(2);
            } finally {
                admin.shutdown();
            }
            assertThat(send(c, null)).isEqualTo(SendStatus.SEND_OK);
            assertThat(send(c, new AclClientRPCHook(new SessionCredentials("nobody-knows", "any-secret"))))
                .isEqualTo(SendStatus.SEND_OK);
        }
    }

    private static SendStatus send(TestCluster c, RPCHook hook) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("PG-off", hook);
        p.setNamesrvAddr(c.namesrv());
        p.setInstanceName("acl-off-" + System.nanoTime());
        p.setSendMsgTimeout(5000);
        p.start();
        try {
            return p.send(new Message("OffTopic", "TagA", "off".getBytes(StandardCharsets.UTF_8))).getSendStatus();
        } finally {
            p.shutdown();
        }
    }
}
