package io.raftmq.chaos;

import io.raftmq.chaos.check.DeliveryChecker;
import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.ProcessTest;
import io.raftmq.testsupport.Seeds;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The point "replacing a dead member of a 3-node group under load loses nothing", on real processes, the way
 * an operator does it (docs/raft-driver.md, "Membership"): a three-member group ({@link ProcessCluster}) takes a
 * stream of synchronous sends from the official {@code rocketmq-client} producer; one member is killed with SIGKILL
 * for good (a follower; in the second case the leader); a fresh fourth process starts on a new address with an empty
 * data directory and {@code raftJoinExisting=true}; then {@code bin/raftmq-admin raft add-member} (with its raft and
 * broker addresses), {@code promote} (retried while it is behind) and {@code remove-member} of the dead one. Then the
 * leader of the moment is killed too, so the group is down to the survivor and the new member, which may lead.
 * Checked:
 * <ul>
 *   <li>every acknowledged send is read back afterwards by an official lite-pull consumer from offset 0 (the chaos
 *       checker: lost = 0, no phantoms);
 *   <li>both remaining members report the configuration without the dead member and name the same leader by its
 *       broker address (the survivor's {@code brokerPeers} do not list the new member: its address is the replicated
 *       one);
 *   <li>the new member's commitlog holds byte for byte the survivor's records.
 * </ul>
 * Figures in one RESULT line (acknowledged sends, lost, time from start of the new process to promoted). The seed
 * ({@code -Dchaos.seed=N}, printed) sets when the first kill happens and which follower dies.
 */
@ProcessTest
class DeadMemberReplacementTest {
    private static final String TOPIC = "ChaosReplace";
    private static final Path ROOT = Path.of(System.getProperty("raftmq.root", "..")).toAbsolutePath().normalize();
    private static final long ADMIN_TIMEOUT_MS = 60_000;

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
    @Timeout(300)
    void replaceADeadFollowerUnderLoad() throws Exception {
        replaceUnderLoad(false);
    }

    @Test
    @Timeout(300)
    void replaceADeadLeaderUnderLoad() throws Exception {
        replaceUnderLoad(true);
    }

    private void replaceUnderLoad(boolean leaderDies) throws Exception {
        long seed = Seeds.seed("chaos.seed");
        SplittableRandom random = new SplittableRandom(seed);
        ClusterOptions options = ClusterOptions.threeMembers(dir);
        cluster = new ProcessCluster(options);
        ProcessCluster.Member leader = cluster.start();
        History history = new History();
        producer = ChaosClients.producer("ChaosReplacePG", cluster.namesrvAddr(), "chaos-replace-" + seed, 200, true);
        ChaosClients.Load load = new ChaosClients.Load(producer, TOPIC, "v-" + seed, history, 0, seed).start();
        try {
            awaitAcks(load, 100 + random.nextInt(200));
            ProcessCluster.Member dead = leaderDies ? leader : followers(leader).get(random.nextInt(2));
            history.info("nemesis", "kill", dead.id(), "pid " + dead.pid());
            cluster.kill(dead);
            ProcessCluster.Member current = leaderDies ? cluster.awaitRoutedLeader(dead.brokerAddr(), 10_000) : leader;
            awaitAcks(load, load.acked() + 50);

            long joinNanos = history.info("nemesis", "join", "n" + cluster.members().size(), "");
            ProcessCluster.Member fresh = cluster.join();
            assertThat(admin("add-member", "--node-id", Long.toString(fresh.nodeId()), "--raft-addr",
                fresh.raftAddr(), "--broker-addr", fresh.brokerAddr())).isZero();
            Awaits.await(fresh.id() + " promoted once caught up").atMost(Duration.ofSeconds(90))
                .until(() -> admin("promote", "--node-id", Long.toString(fresh.nodeId())) == 0);
            long promotedNanos = history.info("nemesis", "promoted", fresh.id(), "");
            assertThat(admin("remove-member", "--node-id", Long.toString(dead.nodeId()))).isZero();
            awaitAcks(load, load.acked() + 50);

            history.info("nemesis", "kill", current.id(), "pid " + current.pid());
            cluster.kill(current);
            ProcessCluster.Member next = cluster.awaitRoutedLeader(current.brokerAddr(), 10_000);
            history.info("nemesis", "routed-leader", next.id(), next.brokerAddr());
            awaitAcks(load, load.acked() + 100);
            load.stop();

            ChaosClients.consumeAll(cluster.namesrvAddr(), "ChaosReplaceCG", TOPIC, history);
            DeliveryChecker.Result result = DeliveryChecker.check(history);
            ProcessCluster.Member survivor = survivor(List.of(dead, current, fresh));
            String membership = awaitSameView(survivor, fresh, next);
            int records = sameRecords(survivor, fresh);
            System.out.printf("RESULT member-replacement seed=%d dead=%s(%s) new=%s newLeader=%s join_to_promoted_ms="
                    + "%.0f records=%d membership=%s %s%n", seed, dead.id(), leaderDies ? "leader" : "follower",
                fresh.id(), next.id(), (promotedNanos - joinNanos) / 1e6, records, membership, result);

            assertThat(result.lost()).as("acknowledged but never consumed").isEmpty();
            assertThat(result.phantoms()).as("consumed but never sent").isEmpty();
            assertThat(membership).doesNotContain(Long.toString(dead.nodeId()))
                .contains(Long.toString(fresh.nodeId()));
        } catch (AssertionError | RuntimeException e) {
            System.out.println(cluster.logTails(40));
            throw e;
        } finally {
            load.stop();
        }
    }

    private List<ProcessCluster.Member> followers(ProcessCluster.Member leader) {
        List<ProcessCluster.Member> out = new ArrayList<>(cluster.members());
        out.remove(leader);
        return out;
    }

    private ProcessCluster.Member survivor(List<ProcessCluster.Member> others) {
        List<ProcessCluster.Member> out = new ArrayList<>(cluster.members());
        out.removeAll(others);
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static void awaitAcks(ChaosClients.Load load, int atLeast) {
        Awaits.await(atLeast + " acknowledged sends").atMost(Duration.ofSeconds(60))
            .until(() -> load.acked() >= atLeast);
    }

    /**
     * Until both members have applied their whole log, agree on it and name {@code leader} by its broker address;
     * returns their configuration in effect (text form).
     */
    private String awaitSameView(ProcessCluster.Member a, ProcessCluster.Member b, ProcessCluster.Member leader) {
        String[] view = new String[1];
        Awaits.await(a.id() + " and " + b.id() + " to agree").atMost(Duration.ofSeconds(30)).until(() -> {
            Map<String, String> x = cluster.runtimeInfo(a.brokerAddr());
            Map<String, String> y = cluster.runtimeInfo(b.brokerAddr());
            if (x == null || y == null) {
                return false;
            }
            view[0] = x.get("raftMembership");
            return x.get("raftLastIndex").equals(y.get("raftLastIndex"))
                && x.get("raftAppliedIndex").equals(x.get("raftLastIndex"))
                && y.get("raftAppliedIndex").equals(y.get("raftLastIndex"))
                && view[0].equals(y.get("raftMembership"))
                && leader.brokerAddr().equals(x.get("raftLeaderAddr"))
                && leader.brokerAddr().equals(y.get("raftLeaderAddr"));
        });
        return view[0];
    }

    /** Compares the records of both members' first commitlog segment byte for byte; returns how many there are. */
    private static int sameRecords(ProcessCluster.Member a, ProcessCluster.Member b) throws IOException {
        try (FileChannel x = FileChannel.open(ChaosClients.firstSegment(a.dataDir()), StandardOpenOption.READ);
             FileChannel y = FileChannel.open(ChaosClients.firstSegment(b.dataDir()), StandardOpenOption.READ)) {
            List<long[]> rx = ChaosClients.records(x);
            List<long[]> ry = ChaosClients.records(y);
            // an entry the leader proposed after the views matched (e.g. a new leader's system topics) may have
            // reached one member's file and not yet the other's: both hold the same records up to the shorter
            int n = Math.min(rx.size(), ry.size());
            assertThat(Math.abs(rx.size() - ry.size())).as("records of " + b.id() + " and " + a.id()).isLessThan(3);
            long end = n == 0 ? 0 : rx.get(n - 1)[0] + rx.get(n - 1)[1];
            assertThat(bytes(y, end)).as(b.id() + "'s log equals " + a.id() + "'s").isEqualTo(bytes(x, end));
            return n;
        }
    }

    private static byte[] bytes(FileChannel ch, long length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(length));
        while (b.hasRemaining() && ch.read(b, b.position()) >= 0) {
            continue;
        }
        return b.array();
    }

    /** Runs {@code bin/raftmq-admin raft <args> --namesrv ... --group ...} as an operator does; its exit status. */
    private int admin(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("bin/raftmq-admin").toString(), "raft"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--namesrv", cluster.namesrvAddr(), "--group", "chaos-a"));
        Path out = Files.createTempFile(dir, "admin", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("RAFTMQ_CLASSPATH", ClusterOptions.testClasspath());
        Process p = pb.start();
        boolean exited = p.waitFor(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (!exited) {
            p.destroyForcibly();
            p.waitFor();
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        System.out.print("$ raftmq-admin raft " + String.join(" ", args) + "\n" + text);
        return exited ? p.exitValue() : -1;
    }
}
