package io.raftmq.chaos;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;

import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.exception.RemotingException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling restart of a three-member group on real processes ({@link ProcessCluster}) while the official
 * {@code rocketmq-client} 5.3.3 producer sends synchronously throughout, with zero failed sends: a send counts as
 * failed when it throws or returns a status other than SEND_OK (the client's own retries are allowed:
 * {@value #RETRIES} per send, see {@link #producer}). Each member in turn, followers first and the leader last (the
 * order of {@code bin/raftmq-cluster restart}): when it leads, RAFT_TRANSFER_LEADERSHIP (9001, docs/protocol.md
 * §2.13) without a target moves leadership to the most caught-up follower, the NameServer routes the new leader, and
 * the producer's own route table resolves the group to it (route poll 200 ms, as in {@link LeaderKillTest}); then
 * the member gets SIGTERM (a graceful stop), starts again on its data, and the next member waits until it follows
 * and has applied what the leader had committed. The seed ({@code -Dchaos.seed=N}, printed) sets how many
 * acknowledgements separate the steps.
 */
@ProcessTest
class RollingRestartTest {
    private static final String TOPIC = "ChaosRollingRestart";
    private static final long CALL_TIMEOUT_MS = 10_000;
    private static final int RETRIES = 200;

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private DefaultMQProducer producer;
    private RemotingClient admin;

    @AfterEach
    void tearDown() {
        if (producer != null) {
            producer.shutdown();
        }
        if (admin != null) {
            admin.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(240)
    void aRollingRestartFailsNoSend() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        SplittableRandom random = new SplittableRandom(seed);
        ClusterOptions options = ClusterOptions.threeMembers(dir);
        cluster = new ProcessCluster(options);
        ProcessCluster.Member first = cluster.start();
        admin = new RemotingClient(RemotingClientConfig.defaults());
        admin.start();
        producer = producer(cluster.namesrvAddr(), seed);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger acked = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Thread sender = new Thread(() -> sendUntil(stop, acked, failures, seed), "chaos-producer");
        sender.start();
        List<String> restarted = new ArrayList<>();
        try {
            awaitAcks(acked, 50 + random.nextInt(100));
            List<ProcessCluster.Member> order = new ArrayList<>();
            cluster.members().stream().filter(m -> m != first).forEach(order::add);
            order.add(first);
            for (ProcessCluster.Member m : order) {
                if (m.brokerAddr().equals(cluster.routedLeader())) {
                    handOver(m, options.brokerName());
                }
                stopGracefully(m);
                cluster.restart(m);
                awaitCaughtUp(m);
                restarted.add(m.id());
                awaitAcks(acked, acked.get() + 20 + random.nextInt(80));
            }
            stop.set(true);
            sender.join(30_000);
            System.out.printf("RESULT rolling-restart seed=%d restarted=%s acknowledged=%d failed=%d leader=%s%n",
                seed, restarted, acked.get(), failures.size(), cluster.routedLeader());
            assertThat(failures).as("failed sends during the rolling restart").isEmpty();
            assertThat(restarted).hasSize(3);
            assertThat(cluster.routedLeader()).isNotEqualTo(first.brokerAddr());
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(40));
            throw e;
        } finally {
            stop.set(true);
            sender.join(30_000);
        }
    }

    private static void awaitAcks(AtomicInteger acked, int atLeast) {
        Awaits.await(atLeast + " acknowledged sends").atMost(Duration.ofSeconds(60))
            .until(() -> acked.get() >= atLeast);
    }

    /** The admin request to the leader, then the new leader routed by the NameServer and used by the producer. */
    private void handOver(ProcessCluster.Member leader, String group) throws Exception {
        RemotingCommand r = admin.invokeSync(leader.brokerAddr(),
            RemotingCommand.createRequest(RequestCode.RAFT_TRANSFER_LEADERSHIP), CALL_TIMEOUT_MS);
        String next;
        try {
            assertThat(r.code()).as("transfer answer: " + r.remark()).isEqualTo(ResponseCode.SUCCESS);
            next = r.extFields().get("leaderAddr");
        } finally {
            r.release();
        }
        assertThat(next).isNotEqualTo(leader.brokerAddr());
        ProcessCluster.Member routed = cluster.awaitRoutedLeader(leader.brokerAddr(), 10_000);
        assertThat(routed.brokerAddr()).isEqualTo(next);
        Awaits.await("the producer to resolve " + group + " to " + next).atMost(Duration.ofSeconds(10))
            .until(() -> next.equals(producer.getDefaultMQProducerImpl().getMqClientFactory()
                .findBrokerAddressInPublish(group)));
    }

    /** SIGTERM to the member's process (by its pid: a process this test started), then its exit awaited. */
    private static void stopGracefully(ProcessCluster.Member m) {
        Optional<ProcessHandle> h = ProcessHandle.of(m.pid());
        assertThat(h).as(m.id() + " running").isPresent();
        assertThat(h.get().destroy()).isTrue();
        assertThat(h.get().onExit().orTimeout(30, TimeUnit.SECONDS).handle((x, e) -> e == null).join())
            .as(m.id() + " exits within 30 s of SIGTERM").isTrue();
    }

    /** Until the member follows and has applied at least the leader's commit index as of its first answer. */
    private void awaitCaughtUp(ProcessCluster.Member m) {
        long[] target = {-1};
        Awaits.await(m.id() + " to follow and catch up").atMost(Duration.ofSeconds(60)).until(() -> {
            Map<String, String> self = cluster.runtimeInfo(m.brokerAddr());
            if (self == null || !"FOLLOWER".equals(self.get("raftRole")) || self.get("raftLeaderAddr").isEmpty()) {
                return false;
            }
            if (target[0] < 0) {
                Map<String, String> leader = cluster.runtimeInfo(self.get("raftLeaderAddr"));
                if (leader == null || !"LEADER".equals(leader.get("raftRole"))) {
                    return false;
                }
                target[0] = Long.parseLong(leader.get("raftCommitIndex"));
            }
            return Long.parseLong(self.get("raftAppliedIndex")) >= target[0];
        });
    }

    private static DefaultMQProducer producer(String namesrv, long seed) throws MQClientException {
        DefaultMQProducer p = new DefaultMQProducer("ChaosRollingPG");
        p.setNamesrvAddr(namesrv);
        p.setInstanceName("chaos-rolling-" + seed);
        p.setPollNameServerInterval(200); // default 30 s: learn the new leader's route quickly
        p.setSendMsgTimeout(3000);
        // The client retries a refused send at once, with no pause, within the send timeout. While leadership
        // moves (the target campaigns, the old leader steps down and learns the new one: 40-100 ms on a loaded
        // machine) the leader refuses sends with 14, so the default 2 retries (a few ms) do not bridge it; with
        // RETRIES the client keeps retrying for up to the 3 s send timeout.
        p.setRetryTimesWhenSendFailed(RETRIES);
        p.start();
        return p;
    }

    /** One thread of synchronous sends; anything but SEND_OK is a failure, recorded with its reason. */
    private void sendUntil(AtomicBoolean stop, AtomicInteger acked, ConcurrentLinkedQueue<String> failures,
                           long seed) {
        for (int i = 0; !stop.get() && i < 200_000; i++) {
            String v = "r-" + seed + "-" + i;
            Message m = new Message(TOPIC, v.getBytes(StandardCharsets.UTF_8));
            try {
                SendResult r = producer.send(m);
                if (r.getSendStatus() == SendStatus.SEND_OK) {
                    acked.incrementAndGet();
                } else {
                    failures.add(v + ": " + r.getSendStatus());
                }
            } catch (MQClientException | RemotingException | MQBrokerException e) {
                failures.add(v + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
