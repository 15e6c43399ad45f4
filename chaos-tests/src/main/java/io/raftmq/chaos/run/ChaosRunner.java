package io.raftmq.chaos.run;

import io.raftmq.chaos.check.CheckInput;
import io.raftmq.chaos.check.CheckReport;
import io.raftmq.chaos.check.CheckResult;
import io.raftmq.chaos.check.Checkers;
import io.raftmq.chaos.check.Conventions;
import io.raftmq.chaos.check.DeliveryChecker;
import io.raftmq.chaos.check.History;
import io.raftmq.chaos.cluster.ClusterOptions;
import io.raftmq.chaos.cluster.ProcessCluster;
import io.raftmq.chaos.cluster.ProcessCluster.Member;
import io.raftmq.chaos.nemesis.Nemesis;
import io.raftmq.chaos.report.RunReport;
import io.raftmq.client.admin.AdminClient;
import io.raftmq.client.instance.ClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * Runs one {@link Scenario}: makes its nemesis ({@link Nemeses}), lets it prepare the cluster it needs
 * ({@link Nemesis#prepare}: raft proxies, the fsync shim; a nemesis that cannot run here ends the run with a harness
 * error saying why), starts a {@link ProcessCluster} of the scenario's size under the report directory,
 * waits until every member answers and a leader is routed, starts the workload, samples member roles
 * ({@link RoleSampler}), and runs the nemesis on its seeded {@link Schedule} (quiet, inject, hold, heal, ...) for
 * the run's seconds, recording each step as an INFO event of process {@code nemesis} (op = the nemesis's name,
 * detail {@code inject: ...} / {@code heal: ...}). At the end it
 * heals, waits until every member runs and a leader is routed, lets the load run {@value #SETTLE_MS} ms more,
 * stops the producers, lets the consumers drain, stops the cluster and checks the history and the members' files
 * ({@link Checkers#checkAll}: lost, duplicates, unexpected, offsets, order, committed offsets, replica divergence,
 * failover). The report directory gets the checked report ({@link RunReport}: history.jsonl, results.json, plots,
 * index.html), {@code result.txt} and the processes' logs ({@link RunFiles}).
 *
 * <p>A scenario of several broker groups ({@link Scenario#groups()}) starts the further groups (chaos-b, ...)
 * behind the first one's NameServer ({@link ProcessCluster#addGroup}) before the workload; the nemesis, the role
 * sampler and the wait for a whole cluster work on the first group (chaos-a), the history checkers hold per
 * group and queue (a queue is {@code brokerName:queueId}), and the divergence check runs over each group's replicas
 * (results {@code divergence}, then {@code divergence-chaos-b}, ...).
 *
 * <p>Every choice (quiet and hold times, victims) comes from one {@link Random} seeded by the run's seed.
 */
public final class ChaosRunner {
    static final long SETTLE_MS = 3000;
    private static final Logger LOG = LoggerFactory.getLogger(ChaosRunner.class);
    private static final long WHOLE_TIMEOUT_MS = 60_000;
    /** How long the cluster may take to route its first leader (JVM starts take 15-40 s on a loaded machine). */
    private static final long START_TIMEOUT_MS = 120_000;
    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** The broker groups' names: the nemesis's group first. */
    private static final List<String> GROUP_NAMES = List.of("chaos-a", "chaos-b", "chaos-c");
    private static final int QUEUES_PER_GROUP = 4;

    private final Function<String, Workload> workloads;

    /**
     * @param workloads a fresh workload by its name ({@link Scenario#workload()}); throws for an unknown one
     */
    public ChaosRunner(Function<String, Workload> workloads) {
        this.workloads = workloads;
    }

    /** What the schedule did: faults injected, the times of those that hit the leader, harness errors. */
    private static final class Tally {
        int faults;
        final List<Long> leaderFaults = new ArrayList<>();
        final List<String> errors = new ArrayList<>();
        boolean drained;
    }

    /** Runs {@code scenario}; never throws for what happens inside the run (it goes into the result). */
    public RunResult run(Scenario scenario, RunOptions o) throws IOException {
        LOG.info("scenario {} seed {} for {} s: {}", scenario.name(), o.seed(), o.seconds(), scenario.description());
        Random random = new Random(o.seed());
        History history = new History();
        Files.createDirectories(o.reportDir());
        ClusterOptions co = new ClusterOptions(o.reportDir().resolve("cluster"), scenario.members(),
            GROUP_NAMES.get(0), o.classpath(), o.jvmArgs(), START_TIMEOUT_MS, 300, Map.of());
        Tally tally = new Tally();
        try (Nemesis nemesis = Nemeses.create(scenario.nemesis())) {
            ClusterOptions prepared = prepare(nemesis, co, o, tally);
            if (prepared != null) {
                runCluster(prepared, scenario, nemesis, o, random, history, tally);
            }
        }
        checkEveryGroupTookSends(scenario, history, tally);
        DeliveryChecker.Result delivery = DeliveryChecker.check(history);
        CheckReport checks = check(scenario, co, history);
        Failover failover = Failover.of(history, tally.leaderFaults);
        RunResult result = new RunResult(scenario.name(), o.seed(), delivery, checks, tally.drained, tally.faults,
            failover.millis(), List.copyOf(tally.errors), o.reportDir());
        RunReport.write(o.reportDir(), "scenario " + scenario.name() + " seed " + o.seed(), history, checks,
            List.of());
        RunFiles.write(scenario, result, !result.valid() || o.keepData());
        LOG.info("{}", result.resultLine());
        return result;
    }

    /**
     * The cluster options the nemesis needs ({@link Nemesis#prepare}: raft proxies, the fsync shim...), or null
     * (and a harness error naming why) when it cannot run here: not root, a binary missing.
     */
    private static ClusterOptions prepare(Nemesis nemesis, ClusterOptions co, RunOptions o, Tally tally) {
        try {
            return nemesis.prepare(co, o.reportDir().resolve("nemesis"));
        } catch (IOException | RuntimeException e) {
            tally.errors.add("cannot run nemesis " + nemesis.name() + ": " + e.getMessage());
            LOG.warn("nemesis {} cannot run here", nemesis.name(), e);
            return null;
        }
    }

    private void runCluster(ClusterOptions co, Scenario scenario, Nemesis nemesis, RunOptions o, Random random,
                            History history, Tally tally) {
        try (ProcessCluster cluster = new ProcessCluster(co)) {
            try {
                cluster.start();
                for (int g = 1; g < scenario.groups(); g++) {
                    cluster.addGroup(GROUP_NAMES.get(g));
                }
                drive(cluster, scenario, nemesis, o, random, history, tally);
            } catch (Exception | AssertionError e) {
                tally.errors.add("run aborted: " + e);
                LOG.warn("scenario {} aborted", scenario.name(), e);
                heal(cluster, nemesis, history, tally);
            }
        }
    }

    /**
     * Every checker over the history and the stopped members' stores (docs/chaos.md "Checkers"); with several groups,
     * the divergence check once more for each further group's replicas.
     */
    private static CheckReport check(Scenario scenario, ClusterOptions co, History history) {
        CheckReport report = Checkers.checkAll(history, CheckInput.defaults().withReplicas(replicas(scenario,
            co.dataDir())));
        if (scenario.groups() == 1) {
            return report;
        }
        List<CheckResult> all = new ArrayList<>(report.results());
        for (int g = 1; g < scenario.groups(); g++) {
            String name = GROUP_NAMES.get(g);
            CheckInput in = CheckInput.defaults().withReplicas(replicas(scenario, co.dataDir().resolve(name)));
            all.add(new GroupResult("divergence-" + name, Checkers.divergence(in)));
        }
        return new CheckReport(all);
    }

    private static List<CheckInput.Replica> replicas(Scenario scenario, Path groupDir) {
        List<CheckInput.Replica> replicas = new ArrayList<>();
        for (int i = 0; i < scenario.members(); i++) {
            replicas.add(new CheckInput.Replica("n" + i, groupDir.resolve("n" + i).resolve("data")));
        }
        return replicas;
    }

    /** A checker's verdict on one further broker group, under a name of its own. */
    private record GroupResult(String name, CheckResult of) implements CheckResult {
        @Override
        public boolean valid() {
            return of.valid();
        }

        @Override
        public Map<String, Object> counts() {
            return of.counts();
        }

        @Override
        public List<String> examples() {
            return of.examples();
        }
    }

    private void drive(ProcessCluster cluster, Scenario sc, Nemesis nemesis, RunOptions o, Random random,
                       History history, Tally tally) throws Exception {
        try (Workload w = workloads.apply(sc.workload());
             RoleSampler sampler = new RoleSampler(cluster, history).start()) {
            if (!awaitWhole(cluster, tally, "the start")) { // a workload started in an election may see no route
                return;
            }
            if (sc.groups() > 1) {
                createOnEveryGroup(cluster.namesrvAddr(), w.topics());
            }
            w.start(cluster.namesrvAddr(), history, o.seed());
            schedule(cluster, sc, nemesis, o, random, history, tally);
            if (!heal(cluster, nemesis, history, tally)) {
                return;
            }
            awaitWhole(cluster, tally, "the last heal");
            park(SETTLE_MS);
            w.stopSending();
            LOG.info("scenario {}: {} sends acknowledged; draining", sc.name(), w.acked());
            tally.drained = w.drain(Duration.ofSeconds(o.drainSeconds()));
            if (!tally.drained) {
                LOG.warn("scenario {}: the consumers did not receive every acknowledged send in {} s", sc.name(),
                    o.drainSeconds());
            }
        }
    }

    /**
     * Creates each topic with {@value #QUEUES_PER_GROUP} queues on the leader of every broker group (what
     * {@code bin/raftmq-admin topic create} does), so the workload's sends spread over every group.
     */
    private static void createOnEveryGroup(String namesrvAddr, List<String> topics) throws Exception {
        try (AdminClient admin = new AdminClient(ClientConfig.defaults(List.of(namesrvAddr)))) {
            admin.start();
            for (String t : topics) {
                admin.createTopic(t, QUEUES_PER_GROUP);
                LOG.info("created topic {} on every broker group", t);
            }
        }
    }

    /**
     * With several groups: a harness error for each group that took no acknowledged send (a topic that was not on
     * every group would leave the nemesis nothing to disturb or the others nothing to carry); logs the counts.
     */
    private static void checkEveryGroupTookSends(Scenario sc, History history, Tally tally) {
        if (sc.groups() == 1) {
            return;
        }
        Map<String, Integer> acked = new TreeMap<>();
        GROUP_NAMES.subList(0, sc.groups()).forEach(g -> acked.put(g, 0));
        for (History.Event e : history.select(History.Type.OK, "send")) {
            String queue = Conventions.words(e.detail()).get("queue");
            if (queue != null && queue.indexOf(':') > 0) {
                acked.merge(queue.substring(0, queue.indexOf(':')), 1, Integer::sum);
            }
        }
        LOG.info("scenario {}: acknowledged sends per broker group {}", sc.name(), acked);
        acked.forEach((g, n) -> {
            if (n == 0) {
                tally.errors.add("broker group " + g + " took no acknowledged send");
            }
        });
    }

    /**
     * Quiet, inject, hold, heal, until the run's time is up (a quiet time that would end past it ends the loop). The
     * quiet time starts once the cluster is whole again after a heal (every member back, a leader routed), so each
     * fault meets a healthy group and its failover is its own; faults during recovery are the composed nemesis's.
     */
    private static void schedule(ProcessCluster cluster, Scenario sc, Nemesis nemesis, RunOptions o, Random random,
                                 History history, Tally tally) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(o.seconds());
        while (true) {
            long quiet = sc.schedule().quietMs(random);
            if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(quiet) - end >= 0) {
                break;
            }
            park(quiet);
            String did;
            try {
                did = nemesis.inject(cluster, random);
            } catch (Exception | AssertionError e) {
                history.info("nemesis", nemesis.name(), "inject", "inject failed: " + e);
                LOG.warn("inject of {} failed", nemesis.name(), e);
                continue;
            }
            long at = history.info("nemesis", nemesis.name(), "inject", "inject: " + did);
            LOG.info("{} inject: {}", nemesis.name(), did);
            if (!did.startsWith(Nemesis.NOTHING)) {
                tally.faults++;
            }
            if (did.contains(Nemesis.LEADER_MARK)) {
                tally.leaderFaults.add(at);
            }
            park(sc.schedule().holdMs(random));
            if (!heal(cluster, nemesis, history, tally) || !awaitWhole(cluster, tally, "a heal")) {
                return;
            }
        }
        long left = end - System.nanoTime();
        if (left > 0) {
            park(TimeUnit.NANOSECONDS.toMillis(left));
        }
    }

    /** Heals; a failure is a harness error (the cluster's state is unknown) and ends the schedule. */
    private static boolean heal(ProcessCluster cluster, Nemesis nemesis, History history, Tally tally) {
        try {
            String did = nemesis.heal(cluster);
            history.info("nemesis", nemesis.name(), "heal", "heal: " + did);
            LOG.info("{} heal: {}", nemesis.name(), did);
            return true;
        } catch (Exception | AssertionError e) {
            history.info("nemesis", nemesis.name(), "heal", "heal failed: " + e);
            tally.errors.add("heal of " + nemesis.name() + " failed: " + e);
            LOG.warn("heal of {} failed", nemesis.name(), e);
            return false;
        }
    }

    /**
     * Waits until every member runs and answers as leader or follower, and a leader is routed; false (and a harness
     * error) when that takes longer than {@value #WHOLE_TIMEOUT_MS} ms.
     */
    private static boolean awaitWhole(ProcessCluster cluster, Tally tally, String after) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WHOLE_TIMEOUT_MS);
        String missing = "";
        while (System.nanoTime() - deadline < 0) {
            missing = "";
            for (Member m : cluster.members()) {
                String role = m.isAlive() ? cluster.role(m) : "not running";
                if (!role.equals("LEADER") && !role.equals("FOLLOWER")) {
                    missing += " " + m.id() + "=" + role;
                }
            }
            if (missing.isEmpty() && cluster.routedLeader() != null) {
                return true;
            }
            LockSupport.parkNanos(POLL_NS);
        }
        tally.errors.add("the cluster was not whole " + WHOLE_TIMEOUT_MS + " ms after " + after + ":" + missing
            + (cluster.routedLeader() == null ? " (no leader routed)" : ""));
        return false;
    }

    /** The schedule's own timing (a quiet or fault window), not a wait for a condition. */
    private static void park(long ms) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms));
    }
}
