package io.raftmq.broker.it;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.RaftPeer;
import io.raftmq.broker.processor.admin.LeadershipTransferProcessor;
import io.raftmq.broker.processor.admin.RaftMembershipProcessor;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.raft.core.Role;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a member of a running three-member group is replaced while clients send, and nothing acknowledged is lost.
 * Method: a fourth broker starts with {@code raftJoinExisting=true} (it only listens: no campaign, no vote that
 * counts), the leader adds it as a learner (9002), promotes it once caught up (9003) and removes an old follower
 * (9004), which is then shut down; one sender keeps sending to the first leader throughout. The new member is added
 * with its broker address, so the old members learn it: the leader hands leadership to it by that address (9001),
 * and the sends to the old leader, now a follower whose {@code brokerPeers} do not name the new member, are forwarded
 * to it. Afterwards every acknowledged message is in the new member's and the old leader's queue, and both agree on
 * the membership.
 */
@SocketTest
class MemberReplacementTest {
    private static final Logger LOG = LoggerFactory.getLogger(MemberReplacementTest.class);
    private static final String TOPIC = "ReplaceTopic";
    private static final long CALL_TIMEOUT_MS = 10_000;

    @Test
    @Timeout(180)
    void replaceAFollowerUnderLoad(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            String leaderAddr = leader.config().brokerAddr();
            BrokerController old = c.follower();
            BrokerConfig joinerConfig = joiner(c, dir);
            BrokerController joiner = new BrokerController(joinerConfig);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger acked = new AtomicInteger();
            Thread load = new Thread(() -> sendUntil(c, leaderAddr, stop, acked), "replacement-load");
            load.start();
            try {
                joiner.start();
                long newId = joinerConfig.raftSelf().nodeId();
                TestCluster.await(10_000, "sends acknowledged", () -> acked.get() >= 20);
                assertThat(joiner.raftStatus().role()).isEqualTo(Role.FOLLOWER);
                assertThat(joiner.raftStatus().membership().contains(newId)).isFalse();

                RemotingCommand r = change(c, leaderAddr, RequestCode.RAFT_ADD_MEMBER, newId,
                    joinerConfig.raftSelf().address(), joinerConfig.brokerAddr());
                assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
                TestCluster.await(30_000, "the new member promoted once caught up",
                    () -> ok(c, leaderAddr, RequestCode.RAFT_PROMOTE_MEMBER, newId));
                r = change(c, leaderAddr, RequestCode.RAFT_REMOVE_MEMBER, old.raftStatus().nodeId(), null, null);
                assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
                old.shutdown();
                int after = acked.get();
                TestCluster.await(10_000, "sends go on without the old member", () -> acked.get() >= after + 20);
                assertThat(old.config().brokerAddrOf(newId)).as("brokerPeers do not name the new member").isNull();
                r = transfer(c, leaderAddr, joinerConfig.brokerAddr());
                assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
                // the old leader answers once it hears from the new one, which may not have published its own
                // status yet
                TestCluster.await(5_000, "the joiner leads", joiner::isLeader);
                int led = acked.get();
                TestCluster.await(10_000, "sends to the old leader forwarded to the new one",
                    () -> acked.get() >= led + 20);
            } finally {
                stop.set(true);
                load.join();
            }
            int total = acked.get();
            for (BrokerController b : new BrokerController[] {leader, joiner}) { // leader: the first one
                TestCluster.await(20_000, "every acknowledged message on " + b.config().raftSelfId(),
                    () -> b.store().consumeQueues().maxOffset(TOPIC, 0) >= total);
            }
            assertThat(joiner.raftStatus().membership()).isEqualTo(leader.raftStatus().membership());
            assertThat(leader.raftStatus().membership().isVoter(joinerConfig.raftSelf().nodeId())).isTrue();
            assertThat(leader.raftStatus().membership().member(joinerConfig.raftSelf().nodeId()).clientAddress())
                .isEqualTo(joinerConfig.brokerAddr());
            LOG.info("replaced {} by {} with {} acknowledged sends; membership {}", old.config().raftSelfId(),
                joinerConfig.raftSelfId(), total, leader.raftStatus().membership());
            joiner.shutdown();
        }
    }

    /** A fourth member's configuration: the group's peers plus itself, joining the running group. */
    private static BrokerConfig joiner(TestCluster c, Path dir) throws Exception {
        BrokerConfig base = c.configs.get(0);
        int listen = c.newPort();
        int raft = c.newPort();
        StringBuilder raftPeers = new StringBuilder();
        StringBuilder brokerPeers = new StringBuilder();
        for (RaftPeer p : base.raftPeers()) {
            raftPeers.append(p).append(';');
        }
        for (RaftPeer p : base.brokerPeers()) {
            brokerPeers.append(p).append(';');
        }
        String self = "n" + base.raftPeers().size();
        Map<String, String> m = new LinkedHashMap<>(TestCluster.shortSettings());
        m.put("brokerName", TestCluster.GROUP);
        m.put("listenHost", "127.0.0.1");
        m.put("listenPort", Integer.toString(listen));
        m.put("storePathRootDir", dir.resolve(self).toString());
        m.put("namesrvAddr", c.namesrv());
        m.put("raftPeers", raftPeers + self + "-127.0.0.1:" + raft);
        m.put("brokerPeers", brokerPeers + self + "-127.0.0.1:" + listen);
        m.put("raftSelfId", self);
        m.put("raftJoinExisting", "true");
        return BrokerConfig.fromProperties(m, "test-" + self);
    }

    private static RemotingCommand change(TestCluster c, String addr, int code, long nodeId, String raftAddr,
                                          String brokerAddr) throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(code);
        req.addExtField(RaftMembershipProcessor.NODE_ID, Long.toString(nodeId));
        if (raftAddr != null) {
            req.addExtField(RaftMembershipProcessor.RAFT_ADDR, raftAddr);
            req.addExtField(RaftMembershipProcessor.BROKER_ADDR, brokerAddr);
        }
        return c.client.invokeSync(addr, req, CALL_TIMEOUT_MS);
    }

    private static RemotingCommand transfer(TestCluster c, String addr, String to) throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.RAFT_TRANSFER_LEADERSHIP);
        req.addExtField(LeadershipTransferProcessor.TO, to);
        return c.client.invokeSync(addr, req, CALL_TIMEOUT_MS);
    }

    private static boolean ok(TestCluster c, String addr, int code, long nodeId) {
        try {
            return change(c, addr, code, nodeId, null, null).code() == ResponseCode.SUCCESS;
        } catch (Exception e) { // test helper: a failed call is retried by the await
            return false;
        }
    }

    /** Sends one message at a time to queue 0 until stopped; counts the acknowledged ones. */
    private static void sendUntil(TestCluster c, String addr, AtomicBoolean stop, AtomicInteger acked) {
        int i = 0;
        while (!stop.get()) {
            try {
                RemotingCommand r = c.client.invokeSync(addr, TestCluster.sendRequest(TOPIC, 0, "m" + i, "R" + i),
                    CALL_TIMEOUT_MS);
                if (r.code() == ResponseCode.SUCCESS) {
                    acked.incrementAndGet();
                }
                r.release();
            } catch (Exception e) { // a refused or timed-out send is not counted; the next one goes on
                LOG.debug("send {} failed: {}", i, e.toString());
            }
            i++;
        }
    }
}
