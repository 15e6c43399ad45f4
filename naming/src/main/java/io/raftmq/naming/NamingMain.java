package io.raftmq.naming;

import io.raftmq.client.remoting.RemotingException;
import io.raftmq.naming.route.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

/**
 * Command-line entry of the NameServer: {@code [-c FILE] [--listen HOST:PORT] [--<key> VALUE | --<key>=VALUE]...}
 * where keys are those of {@link NamingConfig#KEYS} ({@code --broker-expiry-ms} style spellings are accepted
 * too); flags override the file. Runs in the foreground until SIGTERM/SIGINT. Exit status 2 on a bad
 * configuration, 1 if the port cannot be bound. It is also where the NameServer's {@link Clock} meets the system's
 * time ({@link #MONOTONIC_CLOCK}); everything else in naming reads time through the port.
 */
public final class NamingMain {
    /** The production {@link Clock}: milliseconds from {@link System#nanoTime()} (arbitrary origin, monotonic). */
    public static final Clock MONOTONIC_CLOCK = () -> System.nanoTime() / 1_000_000L;

    private static final Logger LOG = LoggerFactory.getLogger(NamingMain.class);

    private NamingMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        NamingConfig config;
        try {
            config = NamingConfig.fromSettings(settings(args));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("raftmq-naming: " + e.getMessage());
            System.err.println("usage: raftmq-naming [-c FILE] [--listen HOST:PORT] [--KEY VALUE]... keys: "
                    + new TreeSet<>(NamingConfig.KEYS));
            System.exit(2);
            return;
        }
        NameServer nameServer = new NameServer(config, MONOTONIC_CLOCK);
        try {
            nameServer.start();
        } catch (RemotingException e) {
            LOG.error("cannot start the NameServer on {}: {}", config.listen(), e.getMessage());
            nameServer.shutdown();
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("NameServer shutting down");
            nameServer.shutdown();
            stopped.countDown();
        }, "raftmq-naming-shutdown"));
        System.out.println("RESULT raftmq-naming listening on " + nameServer.localAddress());
        stopped.await();
    }

    /** The settings of {@code -c FILE} overridden by the flags, in NamingConfig key spelling. */
    static Map<String, String> settings(String[] args) throws IOException {
        Map<String, String> file = new LinkedHashMap<>();
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-c") || a.equals("--config")) {
                file.putAll(load(Path.of(value(args, ++i, a))));
            } else if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String key = camel(eq < 0 ? a.substring(2) : a.substring(2, eq));
                flags.put(key, eq < 0 ? value(args, ++i, a) : a.substring(eq + 1));
            } else {
                throw new IllegalArgumentException("unexpected argument '" + a + "'");
            }
        }
        file.putAll(flags);
        return file;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    /** {@code broker-expiry-ms} -> {@code brokerExpiryMs}; camelCase passes unchanged. */
    static String camel(String key) {
        StringBuilder b = new StringBuilder(key.length());
        boolean up = false;
        for (char c : key.toCharArray()) {
            if (c == '-') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    private static Map<String, String> load(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (String name : p.stringPropertyNames()) {
            m.put(name, p.getProperty(name).trim());
        }
        return m;
    }
}
