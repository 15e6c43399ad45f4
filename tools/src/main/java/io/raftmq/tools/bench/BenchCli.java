package io.raftmq.tools.bench;

import picocli.CommandLine;

import java.util.function.Function;

/**
 * The shared command-line frame of the benches that drive a running cluster through the official RocketMQ client:
 * quiet client logging under {@code target/rocketmqlogs}, {@code --help}, flags parsed once with a clear message
 * and exit status 2 when they are bad, the run, and its exit status (the client's threads may linger, so the JVM
 * exits explicitly).
 */
public final class BenchCli {
    /** One bench run with parsed settings; returns the exit status. */
    @FunctionalInterface
    public interface Run<C> {
        int run(C config) throws Exception;
    }

    private BenchCli() {
    }

    /**
     * Fills {@code flags} (a picocli-annotated object) from {@code args} and returns it; an unknown flag or a
     * missing or malformed value is an {@link IllegalArgumentException} naming it.
     */
    public static <F> F parseFlags(F flags, String[] args) {
        try {
            new CommandLine(flags).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return flags;
    }

    /**
     * Runs a bench and exits the JVM with its status.
     *
     * @param name  the bench's name in failure messages ("client bench")
     * @param usage the usage text printed for --help and after bad flags
     * @param parse parses the flags; throws IllegalArgumentException naming a bad one
     */
    public static <C> void main(String[] args, String name, String usage, Function<String[], C> parse, Run<C> run) {
        System.setProperty("rocketmq.log.root", System.getProperty("rocketmq.log.root", "target/rocketmqlogs"));
        System.setProperty("rocketmq.log.level", System.getProperty("rocketmq.log.level", "warn"));
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.println(usage);
            return;
        }
        C config;
        try {
            config = parse.apply(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bad arguments: " + e.getMessage() + "\n" + usage);
            System.exit(2);
            return;
        }
        int status;
        try {
            status = run.run(config);
        } catch (Exception e) { // CLI boundary: report, and exit even though client threads may linger
            System.err.println(name + " failed (is a cluster running? bin/raftmq-cluster start): " + e);
            e.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }
}
