package io.raftmq.broker;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.config.BrokerConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Command line entry of one broker member: {@code BrokerMain -c FILE}. Loads and validates the configuration,
 * starts a {@link BrokerController}, prints one {@code RESULT} line with the member's addresses, and stops it
 * gracefully (leadership transfer, unregistration) on SIGTERM/SIGINT through a shutdown hook.
 * Exit codes: 0 after a clean stop, 2 bad usage or configuration, 1 start failure.
 */
public final class BrokerMain {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerMain.class);

    private BrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 2 || !args[0].equals("-c")) {
            System.err.println("usage: BrokerMain -c <broker.properties>");
            System.exit(2);
        }
        BrokerConfig config;
        try {
            config = BrokerConfig.load(Path.of(args[1]));
        } catch (BrokerConfigException e) {
            System.err.println("invalid configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        BrokerController broker = new BrokerController(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.shutdown();
            stopped.countDown();
        }, "broker-shutdown"));
        try {
            broker.start();
        } catch (Exception e) { // CLI boundary: report and exit
            LOG.error("broker failed to start", e);
            System.err.println("broker failed to start: " + e);
            System.exit(1);
        }
        System.out.println("RESULT broker=" + config.brokerName() + " member=" + config.raftSelfId() + " addr="
            + config.brokerAddr() + " raft=" + config.raftSelf().address() + " pid=" + ProcessHandle.current().pid());
        stopped.await();
    }
}
