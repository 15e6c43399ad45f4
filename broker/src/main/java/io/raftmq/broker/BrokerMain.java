package io.raftmq.broker;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.BrokerConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Command line entry of one broker member: {@code BrokerMain -c FILE}. Loads and validates the configuration,
 * starts a {@link BrokerController} on the system clock, prints one {@code RESULT} line with the member's addresses,
 * and stops it gracefully (leadership transfer, unregistration) on SIGTERM/SIGINT through a shutdown hook.
 *
 * <p>Exit codes: 0 after a clean stop, {@value #EXIT_USAGE} bad usage or configuration, {@value #EXIT_START_FAILED}
 * start failure, {@value #EXIT_RAFT_FAILED} the raft node failed while running (a storage check failed on read, an
 * I/O error): a member whose raft node stopped must not go on answering as a follower, so it exits and its
 * supervisor restarts it; start-up recovery then checks and repairs its log. A port that cannot be bound exits at
 * once with one line on stderr, e.g. {@code cannot bind 127.0.0.1:10921 (client port): Address already in use}; the
 * member then has not opened its store nor contacted its group ({@link BrokerBindException}).
 */
public final class BrokerMain {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerMain.class);
    static final int EXIT_START_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_RAFT_FAILED = 3;
    /** How often the main thread looks whether the raft node failed. */
    private static final long FAILURE_CHECK_MS = 1_000;

    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        BrokerConfig config = loadConfig(args, System.err);
        if (config == null) {
            System.exit(EXIT_USAGE);
            return;
        }
        BrokerController broker = new BrokerController(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.shutdown();
            stopped.countDown();
        }, "broker-shutdown"));
        int failed = start(broker, System.err);
        if (failed != 0) {
            System.exit(failed);
        }
        System.out.println("RESULT broker=" + config.brokerName() + " member=" + config.raftSelfId() + " addr="
            + config.brokerAddr() + " raft=" + config.raftSelf().address() + " pid=" + ProcessHandle.current().pid());
        while (!stopped.await(FAILURE_CHECK_MS, TimeUnit.MILLISECONDS)) {
            if (broker.raftFailed()) {
                LOG.error("the raft node of member {} failed (see the error above); exiting with {} so that a"
                    + " supervisor restarts it: recovery at start repairs the log", config.raftSelfId(),
                    EXIT_RAFT_FAILED);
                System.exit(EXIT_RAFT_FAILED); // the shutdown hook stops the broker
            }
        }
    }

    /** The configuration named by {@code -c FILE}, or null after printing why not on {@code err}. */
    static BrokerConfig loadConfig(String[] args, PrintStream err) {
        if (args.length != 2 || !args[0].equals("-c")) {
            err.println("usage: BrokerMain -c <broker.properties>");
            return null;
        }
        try {
            return BrokerConfig.load(Path.of(args[1]));
        } catch (BrokerConfigException e) {
            err.println("invalid configuration: " + e.getMessage());
            return null;
        }
    }

    /**
     * Starts {@code broker}; returns 0, or the exit code after printing the reason on {@code err} (a bind failure
     * as its own message, anything else as "broker failed to start: ...").
     */
    static int start(BrokerController broker, PrintStream err) throws InterruptedException {
        try {
            broker.start();
            return 0;
        } catch (BrokerBindException e) {
            LOG.error("broker failed to start: {}", e.getMessage());
            err.println(e.getMessage());
            return EXIT_START_FAILED;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // CLI boundary: report and exit
            LOG.error("broker failed to start", e);
            err.println("broker failed to start: " + e);
            return EXIT_START_FAILED;
        }
    }
}
