package io.raftmq.broker.processor.admin;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.raft.core.membership.Member;
import io.raftmq.raft.core.membership.MembershipChange;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: RAFT_ADD_MEMBER, RAFT_PROMOTE_MEMBER and RAFT_REMOVE_MEMBER (9002-9004, docs/protocol.md §2.13) over real
 * sockets on a three-member {@link TestCluster}, with sends going on meanwhile: a follower redirects to the leader;
 * bad or inapplicable requests are 29; a follower is removed, added back as a learner, caught up and promoted, and
 * every acknowledged message is on every member afterwards.
 */
@SocketTest
class RaftMembershipProcessorTest {
    private static final long CALL_TIMEOUT_MS = 10_000;
    private static final String TOPIC = "MembershipTopic";

    @TempDir
    Path dir;

    private static RemotingCommand change(TestCluster c, String addr, int code, long nodeId, String raftAddr)
        throws Exception {
        RemotingCommand req = RemotingCommand.createRequest(code);
        req.addExtField(RaftMembershipProcessor.NODE_ID, Long.toString(nodeId));
        if (raftAddr != null) {
            req.addExtField(RaftMembershipProcessor.RAFT_ADDR, raftAddr);
        }
        return c.client.invokeSync(addr, req, CALL_TIMEOUT_MS);
    }

    @Test
    @Timeout(120)
    void removeAndAddBackAFollowerUnderLoad() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController leader = c.awaitLeaderRegistered(10_000);
            String leaderAddr = leader.config().brokerAddr();
            BrokerController follower = c.follower();
            long fid = follower.raftStatus().nodeId();
            String fRaft = follower.config().raftSelf().address();
            TestCluster.await(5000, "the follower to know the leader",
                () -> follower.raftStatus().leaderId() == leader.raftStatus().nodeId());

            RemotingCommand r = change(c, follower.config().brokerAddr(), RequestCode.RAFT_REMOVE_MEMBER, fid, null);
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SERVICE_NOT_AVAILABLE);
            assertThat(r.extFields().get(RaftMembershipProcessor.LEADER_ADDR)).isEqualTo(leaderAddr);
            r = change(c, leaderAddr, RequestCode.RAFT_ADD_MEMBER, 9, null);
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.INVALID_PARAMETER);
            assertThat(r.remark()).contains("raftAddr");
            r = change(c, leaderAddr, RequestCode.RAFT_PROMOTE_MEMBER, fid, null);
            assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.INVALID_PARAMETER);
            assertThat(r.remark()).contains("not a learner");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger acked = new AtomicInteger();
            Thread load = new Thread(() -> sendUntil(c, leaderAddr, stop, acked), "membership-load");
            load.start();
            try {
                TestCluster.await(10_000, "some sends acknowledged", () -> acked.get() >= 20);
                r = change(c, leaderAddr, RequestCode.RAFT_REMOVE_MEMBER, fid, null);
                assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
                assertThat(leader.raftStatus().membership().contains(fid)).isFalse();
                int before = acked.get();
                TestCluster.await(10_000, "sends go on with two voters", () -> acked.get() >= before + 20);

                r = change(c, leaderAddr, RequestCode.RAFT_ADD_MEMBER, fid, fRaft);
                assertThat(r.code()).as(r.remark()).isEqualTo(ResponseCode.SUCCESS);
                assertThat(leader.raftStatus().membership().isLearner(fid)).isTrue();
                TestCluster.await(20_000, "the learner promoted once caught up", () -> promote(c, leaderAddr, fid));
                assertThat(leader.raftStatus().membership().isVoter(fid)).isTrue();
                int again = acked.get();
                TestCluster.await(10_000, "sends go on with three voters", () -> acked.get() >= again + 20);
            } finally {
                stop.set(true);
                load.join();
            }
            int total = acked.get();
            for (BrokerController b : c.brokers) {
                TestCluster.await(20_000, "every acknowledged message on " + b.config().raftSelfId(),
                    () -> b.store().consumeQueues().maxOffset(TOPIC, 0) >= total);
                assertThat(b.raftStatus().membership().quorum().size()).isEqualTo(3);
            }
        }
    }

    @Test
    void addMemberReadsTheBrokerAddress() {
        Map<String, String> f = new HashMap<>(Map.of(RaftMembershipProcessor.NODE_ID, "4",
            RaftMembershipProcessor.RAFT_ADDR, "10.0.0.4:10912",
            RaftMembershipProcessor.BROKER_ADDR, " 10.0.0.4:10911"));
        MembershipChange.AddLearner a = (MembershipChange.AddLearner) RaftMembershipProcessor.parse(
            RequestCode.RAFT_ADD_MEMBER, f::get);
        assertThat(a.member()).isEqualTo(new Member(4, "10.0.0.4:10912", "10.0.0.4:10911"));
        f.remove(RaftMembershipProcessor.BROKER_ADDR);
        a = (MembershipChange.AddLearner) RaftMembershipProcessor.parse(RequestCode.RAFT_ADD_MEMBER, f::get);
        assertThat(a.member().clientAddress()).as("older admin tools send none").isEmpty();
        f.put(RaftMembershipProcessor.BROKER_ADDR, "10.0.0.4");
        assertThatThrownBy(() -> RaftMembershipProcessor.parse(RequestCode.RAFT_ADD_MEMBER, f::get))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("brokerAddr must be host:port");
    }

    private static boolean promote(TestCluster c, String leaderAddr, long id) {
        try {
            RemotingCommand r = change(c, leaderAddr, RequestCode.RAFT_PROMOTE_MEMBER, id, null);
            return r.code() == ResponseCode.SUCCESS; // 1 while the learner is behind: ask again
        } catch (Exception e) { // test helper: a failed call is retried by the await
            return false;
        }
    }

    /** Sends one message at a time to queue 0 until stopped; counts the acknowledged ones (in order). */
    private static void sendUntil(TestCluster c, String addr, AtomicBoolean stop, AtomicInteger acked) {
        int i = 0;
        while (!stop.get()) {
            try {
                RemotingCommand r = c.client.invokeSync(addr, TestCluster.sendRequest(TOPIC, 0, "m" + i, "U" + i),
                    CALL_TIMEOUT_MS);
                if (r.code() == ResponseCode.SUCCESS) {
                    acked.incrementAndGet();
                    i++;
                }
                r.release();
            } catch (Exception e) { // a refused or timed-out send is simply not counted; the next one goes on
                i++;
            }
        }
    }
}
