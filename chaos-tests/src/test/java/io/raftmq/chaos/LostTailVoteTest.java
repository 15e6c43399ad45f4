package io.raftmq.chaos;

import io.raftmq.chaos.check.CheckInput;
import io.raftmq.chaos.check.CheckReport;
import io.raftmq.chaos.check.Checkers;
import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The composed fault that makes a member's lost log tail matter (docs/chaos.md, "Planted bugs"): one follower
 * lags, the group commits with the other follower, that follower loses the tail of its commit log while down, and
 * the leader dies. A single lost tail is harmless while the two other members hold every committed entry (every
 * scenario of the menu); here the only other up-to-date copy is on the dead leader, so the repairing member's vote
 * decides whether the lagging member can win an election without the entries the group committed meanwhile.
 * <ol>
 *   <li>Load through the official client; after a seeded number of acknowledgements the lagging follower Y is
 *       paused (SIGSTOP) and the leader L commits further sends with the other follower W.</li>
 *   <li>W and L are killed; W's commit log is zeroed from a record below what Y had applied, so W's log is shorter
 *       than Y's and W knows it lost data (its saved commit index and checkpoint lie beyond its log).</li>
 *   <li>W restarts (repairing), Y resumes, and for {@value #LEADERLESS_WINDOW_MS} ms the test only watches: W must
 *       grant Y nothing (docs/raft-driver.md, "Repair"), so no leader can arise without L.</li>
 *   <li>L restarts, the load goes on in the new term, then a consumer reads every queue from offset 0 and the
 *       checkers judge the history: no acknowledged send may be lost.</li>
 * </ol>
 * Had W voted, Y would lead and L would truncate the sends acknowledged during the pause on rejoining. The seed
 * ({@code -Dchaos.seed=N}, printed) sets how many acknowledgements precede the pause.
 */
@ProcessTest
class LostTailVoteTest {
    private static final String TOPIC = "ChaosLostTail";
    private static final long LEADERLESS_WINDOW_MS = 4000;

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
    void aMemberThatLostItsTailDoesNotElectALaggingMember() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        SplittableRandom random = new SplittableRandom(seed);
        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir));
        ProcessCluster.Member leader = cluster.start();
        History history = new History();
        producer = ChaosClients.producer("ChaosLostTailPG", cluster.namesrvAddr(), "chaos-lost-tail-" + seed, 200,
            true);
        ChaosClients.Load load = new ChaosClients.Load(producer, TOPIC, "t-" + seed, history, 0, seed).start();
        try {
            awaitAcks(load, 500 + random.nextInt(300));
            List<ProcessCluster.Member> followers = cluster.members().stream().filter(m -> m != leader).toList();
            ProcessCluster.Member lagging = followers.get(0);
            ProcessCluster.Member lossy = followers.get(1);
            long laggingApplied = applied(lagging);
            history.info("nemesis", "pause", lagging.id(), "inject: paused " + lagging.id() + " applied="
                + laggingApplied);
            cluster.pause(lagging);
            int ackedBeforePause = load.acked();
            awaitAcks(load, ackedBeforePause + 150);
            int ackedDuringPause = load.acked() - ackedBeforePause;

            cluster.kill(lossy);
            history.info("nemesis", "kill", lossy.id(), "inject: killed " + lossy.id());
            cluster.kill(leader);
            history.info("nemesis", "kill", leader.id(), "inject: killed " + leader.id() + " (leader)");
            String damage = zeroTailFrom(lossy, laggingApplied / 2);
            history.info("nemesis", "damage", lossy.id(), "inject: " + damage);
            cluster.restart(lossy);
            awaitRepairing(lossy);
            cluster.resume(lagging);
            history.info("nemesis", "pause", lagging.id(), "heal: resumed " + lagging.id());
            String leaderWithoutL = leaderDuring(List.of(lagging, lossy), LEADERLESS_WINDOW_MS);
            cluster.restart(leader);
            history.info("nemesis", "kill", leader.id(), "heal: restarted " + leader.id());
            ProcessCluster.Member next = cluster.awaitRoutedLeader(null, 30_000);
            awaitAcks(load, load.acked() + 100);
            load.stop();
            ChaosClients.consumeAll(cluster.namesrvAddr(), "ChaosLostTailCG", TOPIC, history);
            CheckReport report = Checkers.checkAll(history, CheckInput.defaults());
            System.out.printf("RESULT lost-tail-vote seed=%d acked_before_pause=%d acked_during_pause=%d damage=%s"
                + " leader_without_%s=%s leader_after=%s violations=%s%n", seed, ackedBeforePause,
                ackedDuringPause, damage, leader.id(), leaderWithoutL, next.id(), report.violations());
            report.results().forEach(r -> System.out.println("  " + r));
            assertThat(report.violations()).as("checkers that found a violation").isEmpty();
            assertThat(leaderWithoutL).as("a leader elected while the only other full copy (%s) was down",
                leader.id()).isNull();
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(30));
            throw e;
        } finally {
            load.stop();
        }
    }

    /**
     * Zeroes the member's first commit-log segment (the member is down) from record {@code fromRecord} (0-based, at
     * least 1) to its last record, so the log ends there. Returns a description.
     */
    private static String zeroTailFrom(ProcessCluster.Member m, long fromRecord) throws IOException {
        Path seg = ChaosClients.firstSegment(m.dataDir());
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<long[]> records = ChaosClients.records(ch);
            assertThat(fromRecord).as("first record zeroed, of %d in %s", records.size(), seg)
                .isBetween(1L, records.size() - 1L);
            long[] from = records.get((int) fromRecord);
            long[] last = records.get(records.size() - 1);
            long end = last[0] + last[1];
            ch.write(ByteBuffer.allocate((int) (end - from[0])), from[0]);
            ch.force(true);
            return "zeroed_" + m.id() + "_from_record_" + (fromRecord + 1) + "_of_" + records.size();
        }
    }

    private long applied(ProcessCluster.Member m) {
        Map<String, String> info = cluster.runtimeInfo(m.brokerAddr());
        assertThat(info).as("runtime info of %s", m.id()).isNotNull();
        return Long.parseLong(info.get("raftAppliedIndex"));
    }

    private static void awaitAcks(ChaosClients.Load load, int atLeast) {
        Awaits.await(atLeast + " acknowledged sends").atMost(Duration.ofSeconds(90))
            .until(() -> load.acked() >= atLeast);
    }

    private void awaitRepairing(ProcessCluster.Member m) {
        Awaits.await(m.id() + " to report raftRepairing=true").atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50)).until(() -> {
                Map<String, String> info = cluster.runtimeInfo(m.brokerAddr());
                return info != null && "true".equals(info.get("raftRepairing"));
            });
    }

    /** The id of a member among {@code watched} that reports itself leader within {@code windowMs}, or null. */
    private String leaderDuring(List<ProcessCluster.Member> watched, long windowMs) {
        String[] seen = {null};
        try {
            Awaits.await("a leader").atMost(Duration.ofMillis(windowMs)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    for (ProcessCluster.Member m : watched) {
                        if ("LEADER".equals(cluster.role(m))) {
                            seen[0] = m.id();
                            return true;
                        }
                    }
                    return false;
                });
        } catch (ConditionTimeoutException none) {
            return null;
        }
        return seen[0];
    }
}
