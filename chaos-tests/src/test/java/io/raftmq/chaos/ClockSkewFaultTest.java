package io.raftmq.chaos;

import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.fault.net.Firewall;
import io.raftmq.chaos.nemesis.ClockSkewNemesis;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the clock-skew nemesis really skews one broker's wall clock and nothing else. Method: three real members;
 * the nemesis restarts a follower under libfaketime with a skew of {@value #SKEW_S} s (the sign drawn from the
 * seed) and makes it leader; every message it stores carries a store timestamp (the leader's wall clock, stamped
 * into the raft entry) off from its born timestamp (the test's real clock) by the skew, and every message another
 * member stores (should leadership move on a loaded machine: then the skewed member is made leader again, at most
 * {@value #ROUNDS_MAX} rounds) is on the real clock. Each round prints the skewed member's role and term before and
 * after (raft runs on the monotonic clock, which libfaketime is told not to fake). After heal the member follows
 * again and new messages are on the real clock. Without libfaketime: skipped when not root, an error as root (CI
 * installs it: .ci/run).
 */
@ProcessTest
class ClockSkewFaultTest {
    private static final long SKEW_S = 600;
    /** Send and store may be this far apart on a loaded 2-core machine, besides the skew. */
    private static final long SLACK_MS = 60_000;
    private static final String TOPIC = "ChaosSkew";
    private static final int ROUNDS_MAX = 3;

    @TempDir
    Path dir;
    private ProcessCluster cluster;
    private DefaultMQProducer producer;

    @AfterEach
    void tearDown() {
        if (producer != null) {
            producer.shutdown();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Timeout(240)
    void aSkewedLeaderStampsItsWallClockAndNoOtherMemberDoes() throws Exception {
        Assumptions.assumeTrue(Firewall.isRoot() || installed(), "libfaketime missing (apt-get install faketime)");
        long seed = Seeds.seed("chaos.seed");
        ClockSkewNemesis nemesis = new ClockSkewNemesis(SKEW_S, SKEW_S);
        cluster = new ProcessCluster(nemesis.prepare(ClusterOptions.threeMembers(dir), dir));
        cluster.start();
        producer = ChaosClients.producer("ChaosSkewPG", cluster.namesrvAddr(), "chaos-skew-" + seed, 200, true);
        send(3, "warm");
        String what = nemesis.inject(cluster, new Random(seed));
        System.out.println("INJECT seed=" + seed + " " + what);
        try {
            checkSkewed(nemesis, what);
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(60));
            throw e;
        }
    }

    private void checkSkewed(ClockSkewNemesis nemesis, String what) throws Exception {
        ProcessCluster.Member m = nemesis.skewed();
        long skewMs = (what.contains(" +" + SKEW_S + " s") ? SKEW_S : -SKEW_S) * 1000;
        int checked = 0;
        for (int round = 0; round < ROUNDS_MAX && checked == 0; round++) {
            leadOn(m);
            String term = cluster.runtimeInfo(m.brokerAddr()).get("raftTerm");
            for (MessageExt x : read(send(10, "skewed" + round))) {
                String host = ((InetSocketAddress) x.getStoreHost()).getAddress().getHostAddress() + ":"
                    + ((InetSocketAddress) x.getStoreHost()).getPort();
                long off = x.getStoreTimestamp() - x.getBornTimestamp();
                System.out.printf("round %d %s stored by %s: store-born=%d ms (skew %d ms)%n", round, x.getKeys(),
                    host, off, skewMs);
                if (host.equals(m.brokerAddr())) {
                    assertThat(off).as("store - born of %s from the skewed leader", x.getKeys())
                        .isBetween(skewMs - SLACK_MS, skewMs + SLACK_MS);
                    checked++;
                } else {
                    assertThat(Math.abs(off)).as("store - born of %s from %s", x.getKeys(), host)
                        .isLessThan(SLACK_MS);
                }
            }
            Map<String, String> info = cluster.runtimeInfo(m.brokerAddr());
            System.out.printf("round %d: %s %s term %s -> %s%n", round, m.id(), info == null ? "DOWN"
                : info.get("raftRole"), term, info == null ? "?" : info.get("raftTerm"));
        }
        assertThat(checked).as("messages stored by the skewed leader").isPositive();

        System.out.println("HEAL " + nemesis.heal(cluster));
        Awaits.await(m.id() + " follows again").atMost(Duration.ofSeconds(60))
            .until(() -> "FOLLOWER".equals(cluster.role(m)));
        cluster.awaitRoutedLeader(m.brokerAddr(), 20_000);
        for (MessageExt x : read(send(3, "healed"))) {
            assertThat(Math.abs(x.getStoreTimestamp() - x.getBornTimestamp())).as("store - born after heal")
                .isLessThan(SLACK_MS);
        }
    }

    /** Hands leadership to {@code m} when another member leads, and waits until {@code m} is routed as leader. */
    private void leadOn(ProcessCluster.Member m) {
        Awaits.await(m.id() + " leads and is routed").atMost(Duration.ofSeconds(30)).until(() -> {
            if (m.brokerAddr().equals(cluster.routedLeader()) && "LEADER".equals(cluster.role(m))) {
                return true;
            }
            for (ProcessCluster.Member x : cluster.members()) {
                if (x != m && "LEADER".equals(cluster.role(x))) {
                    cluster.queries().transferLeadership(x.brokerAddr(), m.brokerAddr(), 10_000);
                }
            }
            return false;
        });
    }

    private static boolean installed() {
        try {
            ClockSkewNemesis.library();
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** {@code n} acknowledged sends (keys {@code prefix-i}); the keys in order. */
    private List<String> send(int n, String prefix) throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = prefix + "-" + i;
            Message msg = new Message(TOPIC, "", key, key.getBytes(StandardCharsets.UTF_8));
            SendResult r = null;
            for (int attempt = 0; attempt < 10 && (r == null || r.getSendStatus() != SendStatus.SEND_OK); attempt++) {
                try {
                    r = producer.send(msg);
                } catch (Exception e) {
                    System.out.println("send " + key + " attempt " + attempt + ": " + e);
                }
            }
            assertThat(r).as("send " + key).isNotNull();
            assertThat(r.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
            keys.add(key);
        }
        return keys;
    }

    /** The stored messages with these keys, read from every queue of the topic from offset 0. */
    private List<MessageExt> read(List<String> keys) throws Exception {
        DefaultLitePullConsumer c = new DefaultLitePullConsumer("ChaosSkewCG-" + System.nanoTime());
        c.setNamesrvAddr(cluster.namesrvAddr());
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setAutoCommit(false);
        c.setPollTimeoutMillis(500);
        c.start();
        try {
            c.assign(c.fetchMessageQueues(TOPIC));
            List<MessageExt> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (out.size() < keys.size() && System.nanoTime() - deadline < 0) {
                for (MessageExt x : c.poll()) {
                    if (keys.contains(x.getKeys())) {
                        out.add(x);
                    }
                }
            }
            assertThat(out).as("read back " + keys).hasSize(keys.size());
            return out;
        } finally {
            c.shutdown();
        }
    }
}
