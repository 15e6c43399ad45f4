package io.raftmq.chaos;

import io.raftmq.chaos.check.DeliveryChecker;
import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.raft.state.FileHardStateStore;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Safe repair on real processes (docs/raft-driver.md, "Repair"): a member whose commit log was damaged while it was
 * down restarts, cuts its log back to the last valid record, and repairs from its peers without ever voting as if it
 * still had what it lost. The official {@code rocketmq-client} 5.3.3 producer sends synchronously throughout; the
 * history checker ({@link DeliveryChecker}) requires that every acknowledged message is consumed afterwards.
 * <ul>
 *   <li>(a) under load, one follower is killed, a record in the middle of its segment is bit-flipped (or, in the
 *       second run, everything from the middle record, or from an earlier one the member had saved as committed, on is
 *       zeroed: a truncated log), and it is restarted: it starts,
 *       logs the loss and that it is repairing, catches up and reports {@code raftRepairing=false} in its runtime
 *       info; then the leader
 *       is killed, so the repaired member takes part in the next election, and nothing acknowledged is lost;
 *   <li>(b) after all three members were killed, two of them get a flipped record mid-log and all three restart: the
 *       two damaged members refuse to vote, so no leader lacking committed data can be elected (asserted: no leader
 *       for {@value #NO_LEADER_WINDOW_MS} ms, about ten election timeouts; had one been elected it would have to hold
 *       every acknowledged message); the group stays unavailable. The operator's way out (docs/raft-driver.md):
 *       wipe one damaged member and start it as a new member; it votes with an empty log, so only the member that
 *       holds everything can win, and the rest repairs from it; nothing acknowledged is lost here because the
 *       healthy member had applied every acknowledged message before the crash.
 * </ul>
 * Short runs: a few hundred to a few thousand small messages in one 64 MiB segment. The seed ({@code
 * -Dchaos.seed=N}, printed) sets how many acknowledgements precede each fault.
 */
@ProcessTest
class LostDataRepairTest {
    private static final String TOPIC = "ChaosRepair";
    private static final long NO_LEADER_WINDOW_MS = 3000;

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
    @Timeout(180)
    void followerWithAFlippedRecordRepairsUnderLoad() throws Exception {
        followerRepairsUnderLoad(false);
    }

    @Test
    @Timeout(180)
    void followerWithATruncatedLogRepairsUnderLoad() throws Exception {
        followerRepairsUnderLoad(true);
    }

    private void followerRepairsUnderLoad(boolean truncate) throws Exception {
        long seed = Seeds.seed("chaos.seed");
        SplittableRandom random = new SplittableRandom(seed);
        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir));
        ProcessCluster.Member leader = cluster.start();
        History history = new History();
        producer = ChaosClients.producer("ChaosRepairPG", cluster.namesrvAddr(), "chaos-repair-" + seed, 200, true);
        ChaosClients.Load load = new ChaosClients.Load(producer, TOPIC, "v-" + seed, history, 0, seed).start();
        try {
            awaitAcks(load, 800 + random.nextInt(400));
            ProcessCluster.Member follower = cluster.members().stream().filter(m -> m != leader).findFirst()
                .orElseThrow();
            history.info("nemesis", "kill", follower.id(), "pid " + follower.pid());
            cluster.kill(follower);
            String damage = damage(follower, truncate);
            history.info("nemesis", "damage", follower.id(), damage);
            long repairStart = System.nanoTime();
            cluster.restart(follower); // it may heal before its remoting port answers: its log tells (checked below)
            awaitHealed(follower);
            double repairMs = (System.nanoTime() - repairStart) / 1e6; // restart included
            awaitAcks(load, load.acked() + 200);
            load.stop();
            awaitCaughtUp(follower);
            ProcessCluster.Member current = cluster.memberAt(cluster.routedLeader());
            history.info("nemesis", "kill", current.id(), "the repaired member must take part in the election");
            cluster.kill(current);
            ProcessCluster.Member next = cluster.awaitRoutedLeader(current.brokerAddr(), 10_000);
            ChaosClients.consumeAll(cluster.namesrvAddr(), "ChaosRepairCG", TOPIC, history);
            DeliveryChecker.Result result = DeliveryChecker.check(history);
            System.out.printf("RESULT repair-follower seed=%d damage=%s repaired_within_ms=%.0f newLeader=%s %s%n",
                seed, damage, repairMs, next.id(), result);
            assertThat(result.lost()).as("acknowledged but never consumed").isEmpty();
            assertThat(result.phantoms()).as("consumed but never sent").isEmpty();
            String log = Files.readString(memberLog(follower));
            log.lines().filter(l -> l.contains("repair") || l.contains("cutting it back")).forEach(System.out::println);
            assertThat(log).as("the loss was logged").contains("lost data (").contains("repairing")
                .contains("repaired");
            if (!truncate) { // damage with valid records behind it: recovery itself cuts the log back
                assertThat(log).as("the cut was logged").contains("cutting it back to the last valid record");
            }
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(40));
            printRuntimeInfo();
            throw e;
        } finally {
            load.stop();
        }
    }

    @Test
    @Timeout(180)
    void twoDamagedMembersOfThreeElectNoLeader() throws Exception {
        long seed = Seeds.seed("chaos.seed");
        SplittableRandom random = new SplittableRandom(seed);
        cluster = new ProcessCluster(ClusterOptions.threeMembers(dir));
        cluster.start();
        History history = new History();
        producer = ChaosClients.producer("ChaosRepairPG", cluster.namesrvAddr(), "chaos-repair-" + seed, 200, true);
        ChaosClients.Load load = new ChaosClients.Load(producer, TOPIC, "v-" + seed, history, 0, seed).start();
        try {
            awaitAcks(load, 500 + random.nextInt(300));
            load.stop();
            for (ProcessCluster.Member m : cluster.members()) {
                awaitCaughtUp(m); // so the member left healthy holds every acknowledged message
            }
            for (ProcessCluster.Member m : cluster.members()) {
                cluster.kill(m);
            }
            List<ProcessCluster.Member> all = cluster.members();
            ProcessCluster.Member healthy = all.get(random.nextInt(all.size()));
            List<ProcessCluster.Member> damaged = new ArrayList<>(all);
            damaged.remove(healthy);
            for (ProcessCluster.Member m : damaged) {
                history.info("nemesis", "damage", m.id(), damage(m, false));
            }
            for (ProcessCluster.Member m : all) {
                cluster.restart(m);
            }
            for (ProcessCluster.Member m : damaged) {
                awaitRepairing(m, true);
            }
            String leaderSeen = leaderDuring(all, NO_LEADER_WINDOW_MS);
            if (leaderSeen != null) { // allowed only if that leader holds every acknowledged message
                ChaosClients.consumeAll(cluster.namesrvAddr(), "ChaosRepairCG", TOPIC, history);
                assertThat(DeliveryChecker.check(history).lost()).as("a leader was elected: it must hold every"
                    + " acknowledged message").isEmpty();
            }
            assertThat(leaderSeen).as("no leader while two of three members are repairing").isNull();
            for (ProcessCluster.Member m : damaged) {
                assertThat(cluster.runtimeInfo(m.brokerAddr()).get("raftRepairing")).isEqualTo("true");
            }

            // The operator's way out: wipe one damaged member and start it as a new member.
            ProcessCluster.Member wiped = damaged.get(0);
            cluster.kill(wiped);
            deleteTree(dir.resolve(wiped.id()).resolve("data"));
            history.info("operator", "wipe", wiped.id(), "started again as a new member");
            cluster.restart(wiped);
            Awaits.await("the healthy " + healthy.id() + " to lead").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50)).until(() -> "LEADER".equals(cluster.role(healthy)));
            ProcessCluster.Member leader = healthy; // the wiped member's empty log cannot win, the other repairs
            awaitHealed(damaged.get(1));
            ChaosClients.consumeAll(cluster.namesrvAddr(), "ChaosRepairCG", TOPIC, history);
            DeliveryChecker.Result result = DeliveryChecker.check(history);
            System.out.printf("RESULT repair-two-damaged seed=%d healthy=%s damaged=%s leader_during_%dms=%s"
                + " after_wipe_leader=%s %s%n", seed, healthy.id(), damaged.stream().map(ProcessCluster.Member::id)
                .toList(), NO_LEADER_WINDOW_MS, leaderSeen, leader.id(), result);
            assertThat(result.lost()).as("acknowledged but never consumed").isEmpty();
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(40));
            printRuntimeInfo();
            throw e;
        } finally {
            load.stop();
        }
    }

    // ---- faults ----

    /**
     * Damages the member's first commit-log segment (the member is down): the record in the middle of the written
     * records gets one body byte flipped, or (truncate) everything from it on is zeroed. Returns a description.
     */
    private String damage(ProcessCluster.Member m, boolean truncate) throws IOException {
        Path seg = ChaosClients.firstSegment(m.dataDir());
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            List<long[]> records = ChaosClients.records(ch);
            assertThat(records.size()).as("records in " + seg).isGreaterThan(10);
            int cut = truncate ? truncationRecord(m, records.size()) : records.size() / 2;
            long[] mid = records.get(cut);
            long[] last = records.get(records.size() - 1);
            if (truncate) {
                long end = last[0] + last[1];
                ch.write(ByteBuffer.allocate((int) (end - mid[0])), mid[0]);
            } else {
                long at = mid[0] + ChaosClients.RECORD_HEADER + (mid[1] - ChaosClients.RECORD_HEADER) / 2;
                ByteBuffer b = ByteBuffer.allocate(1);
                ch.read(b, at);
                b.put(0, (byte) (b.get(0) ^ 0x10)).position(0);
                ch.write(b, at);
            }
            ch.force(true);
            return (truncate ? "zeroed from" : "flipped a byte of") + " record " + (cut + 1) + " of "
                + records.size() + " at offset " + mid[0] + " of " + seg.getFileName();
        }
    }

    /**
     * Where a truncation starts: the middle record, or an earlier one when the member's saved commit index lies before
     * the middle. A zeroed tail looks like a clean end of the log, so only a durable mark behind it (the saved commit
     * index, or a recovery checkpoint that happened to cover it) shows that forced records are gone; starting at or
     * below the saved commit index makes the loss visible however far the marks lagged behind the load (the first
     * segment's record k holds index k + 1).
     */
    private static int truncationRecord(ProcessCluster.Member m, int records) {
        long savedCommit = new FileHardStateStore(m.dataDir().resolve("raft")).load().commitIndex();
        assertThat(savedCommit).as("commit index saved by " + m.id()).isGreaterThan(2);
        return (int) Math.min(records / 2, savedCommit / 2);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private Path memberLog(ProcessCluster.Member m) {
        return dir.resolve(m.id()).resolve(m.id() + ".log");
    }

    // ---- observations ----

    private void printRuntimeInfo() {
        for (ProcessCluster.Member m : cluster.members()) {
            Map<String, String> info = cluster.runtimeInfo(m.brokerAddr());
            System.out.println(m.id() + " runtime info: " + (info == null ? "no answer" : info.entrySet().stream()
                .filter(e -> e.getKey().startsWith("raft")).toList()));
        }
    }

    private static void awaitAcks(ChaosClients.Load load, int atLeast) {
        Awaits.await(atLeast + " acknowledged sends").atMost(Duration.ofSeconds(90))
            .until(() -> load.acked() >= atLeast);
    }

    private void awaitRepairing(ProcessCluster.Member m, boolean repairing) {
        Awaits.await(m.id() + " to report raftRepairing=" + repairing).atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50)).until(() -> {
                Map<String, String> info = cluster.runtimeInfo(m.brokerAddr());
                return info != null && Boolean.toString(repairing).equals(info.get("raftRepairing"));
            });
    }

    /** Repair over: not repairing any more, following a leader. */
    private void awaitHealed(ProcessCluster.Member m) {
        Awaits.await(m.id() + " to leave repair mode").atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(50)).until(() -> {
                Map<String, String> info = cluster.runtimeInfo(m.brokerAddr());
                return info != null && "false".equals(info.get("raftRepairing"))
                    && "FOLLOWER".equals(info.get("raftRole"));
            });
    }

    /** Until the member has applied at least the leader's commit index as of the first answer. */
    private void awaitCaughtUp(ProcessCluster.Member m) {
        long[] target = {-1};
        Awaits.await(m.id() + " to catch up").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
            .until(() -> {
                Map<String, String> self = cluster.runtimeInfo(m.brokerAddr());
                if (self == null) {
                    return false;
                }
                if (target[0] < 0) {
                    String leaderAddr = cluster.routedLeader();
                    Map<String, String> leader = leaderAddr == null ? null : cluster.runtimeInfo(leaderAddr);
                    if (leader == null || !"LEADER".equals(leader.get("raftRole"))) {
                        return false;
                    }
                    target[0] = Long.parseLong(leader.get("raftCommitIndex"));
                }
                return Long.parseLong(self.get("raftAppliedIndex")) >= target[0];
            });
    }

    /** The id of a member that reports itself leader within {@code windowMs}, or null if none does. */
    private String leaderDuring(List<ProcessCluster.Member> all, long windowMs) {
        String[] seen = {null};
        try {
            Awaits.await("a leader").atMost(Duration.ofMillis(windowMs)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    for (ProcessCluster.Member m : all) {
                        if ("LEADER".equals(cluster.role(m))) {
                            seen[0] = m.id();
                            return true;
                        }
                    }
                    return false;
                });
        } catch (ConditionTimeoutException none) {
            return null; // the expected outcome: nobody could win an election
        }
        return seen[0];
    }
}
