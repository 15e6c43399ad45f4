package io.raftmq.broker.processor.admin;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: RAFT_TRANSFER_LEADERSHIP (9001, docs/protocol.md §2.13) over real sockets against a three-member
 * {@link TestCluster} (300 ms election timeout): a follower answers 14 with the leader's address; an address that is
 * not a member is 29 naming the members; naming the leader itself is a no-op success; the leader hands leadership
 * to a named follower and answers only once that follower leads (and the NameServer then routes it); without a
 * target the leader picks a follower itself and the answer names it.
 */
class LeadershipTransferProcessorTest {
    private static final long CALL_TIMEOUT_MS = 5000;

    @TempDir
    Path dir;

    private static RemotingCommand transfer(TestCluster c, String addr, String to) throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(RequestCode.RAFT_TRANSFER_LEADERSHIP);
        if (to != null) {
            req.addExtField(LeadershipTransferProcessor.TO, to);
        }
        return c.client.invokeSync(addr, req, CALL_TIMEOUT_MS);
    }

    @Test
    @Timeout(60)
    void followersRedirectUnknownTargetsFailAndTheLeaderHandsOver() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            String leaderAddr = leader.config().brokerAddr();
            BrokerController follower = c.follower();
            String followerAddr = follower.config().brokerAddr();
            TestCluster.await(5000, "the follower to know the leader",
                () -> follower.raftStatus().leaderId() == leader.raftStatus().nodeId());

            RemotingCommand r = transfer(c, followerAddr, leaderAddr);
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SERVICE_NOT_AVAILABLE);
            assertThat(r.extFields().get(LeadershipTransferProcessor.LEADER_ADDR)).isEqualTo(leaderAddr);
            assertThat(r.remark()).contains(leaderAddr);

            r = transfer(c, leaderAddr, "127.0.0.1:1");
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.INVALID_PARAMETER);
            assertThat(r.remark()).contains("127.0.0.1:1", "not a member", followerAddr);

            r = transfer(c, leaderAddr, leaderAddr);
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(leader.isLeader()).isTrue();

            long termBefore = leader.raftStatus().term();
            r = transfer(c, leaderAddr, followerAddr);
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(r.extFields().get(LeadershipTransferProcessor.LEADER_ADDR)).isEqualTo(followerAddr);
            assertThat(follower.isLeader()).as("the target leads when the answer arrives").isTrue();
            assertThat(follower.raftStatus().term()).isGreaterThan(termBefore);
            assertThat(leader.isLeader()).isFalse();
            TestCluster.await(5000, "the NameServer to route the new leader",
                () -> followerAddr.equals(c.routedMaster("TBW102")));

            r = transfer(c, followerAddr, null);
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
            String chosen = r.extFields().get(LeadershipTransferProcessor.LEADER_ADDR);
            assertThat(chosen).isNotEqualTo(followerAddr);
            BrokerController next = c.leader();
            assertThat(next).isNotNull();
            assertThat(next.config().brokerAddr()).isEqualTo(chosen);
        }
    }
}
