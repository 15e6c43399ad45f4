package io.raftmq.chaos.run;

import io.raftmq.chaos.cluster.ClusterOptions;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The command line behind {@code bin/raftmq-chaos} (run from this module's test class path, where the official
 * client is):
 * <pre>
 *  --list                                   scenario names, one a line
 *  --scenario NAME[,NAME...] [--seconds N] [--seed S]
 *                                           one run per name, in turn; each ends with its RESULT line
 *  --all [--seconds N] [--seed S]           every scenario in menu order, each with its own RESULT line
 *  common: --report DIR (default: the property raftmq.chaos.reports, else target/chaos-reports; one directory per
 *          run under it), --keep-data (keep the members' stores of a passing run)
 * </pre>
 * Exit status: 0 when every run passed every check, 1 when one did not, 2 for bad usage. The seed (default: drawn,
 * printed first) replays a run's choices.
 */
public final class ChaosMain {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
        .withZone(ZoneOffset.UTC);

    private ChaosMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args));
    }

    static int run(String[] args) throws Exception {
        String scenario = null;
        boolean all = false;
        int seconds = 60;
        long seed = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
        Path report = Path.of(System.getProperty("raftmq.chaos.reports", "target/chaos-reports"));
        boolean keepData = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--list" -> {
                    Scenarios.all().forEach(s -> System.out.println(s.name()));
                    return 0;
                }
                case "--all" -> all = true;
                case "--scenario" -> scenario = value(args, ++i);
                case "--seconds" -> seconds = Integer.parseInt(value(args, ++i));
                case "--seed" -> seed = Long.parseLong(value(args, ++i));
                case "--report" -> report = Path.of(value(args, ++i));
                case "--keep-data" -> keepData = true;
                default -> {
                    return usage("unknown option " + args[i]);
                }
            }
        }
        if (all == (scenario != null)) {
            return usage("give --list, --scenario NAME or --all");
        }
        List<Scenario> runs = new ArrayList<>();
        if (all) {
            runs.addAll(Scenarios.all());
        } else {
            for (String name : scenario.split(",")) {
                Optional<Scenario> s = Scenarios.named(name);
                if (s.isEmpty()) {
                    return usage("no scenario '" + name + "' (bin/raftmq-chaos --list)");
                }
                runs.add(s.get());
            }
        }
        return runAll(runs, seconds, seed, report, keepData);
    }

    private static int runAll(List<Scenario> runs, int seconds, long seed, Path report, boolean keepData)
        throws Exception {
        System.out.println("SEED " + seed + " (replay: --seed " + seed + ")");
        ChaosRunner runner = new ChaosRunner(Workloads::create);
        String stamp = STAMP.format(Instant.now());
        boolean ok = true;
        for (Scenario s : runs) {
            Path dir = report.toAbsolutePath().resolve(stamp + "-" + s.name() + "-" + seed);
            RunOptions o = new RunOptions(seconds, seed, dir, ClusterOptions.testClasspath(), ClusterOptions.SMALL_JVM,
                60, keepData);
            RunResult r = runner.run(s, o);
            r.errors().forEach(e -> System.out.println("ERROR " + s.name() + ": " + e));
            if (!r.delivery().valid()) {
                System.out.println("VIOLATION " + s.name() + ": " + r.delivery());
            }
            System.out.println(r.resultLine());
            ok &= r.valid();
        }
        return ok ? 0 : 1;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static int usage(String why) {
        System.err.println(why);
        System.err.println("usage: bin/raftmq-chaos --list | --scenario NAME[,NAME...] [--seconds N] [--seed S]"
            + " | --all [--seconds N] [--seed S]  [--report DIR] [--keep-data]");
        return 2;
    }
}
