package io.raftmq.chaos.cluster;

import io.raftmq.client.Verify;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Operating-system helpers of {@link ProcessCluster}: free ports on a loopback address, signals to the pids it
 * started ({@code kill -STOP} / {@code -CONT} through {@link ProcessBuilder}), and deleting a member's data tree.
 */
final class OsProcesses {
    private static final int PORT_LOW = 20_000;
    private static final int PORT_HIGH = 32_000;
    private static final int PORT_ATTEMPTS_MAX = 500;

    private OsProcesses() {
    }

    /** Sends {@code SIG<sig>} (STOP, CONT) to {@code pid} with the kill command; fails with its output. */
    static void signal(long pid, String sig) throws IOException, InterruptedException {
        Verify.state(pid > 0, "no process to signal");
        Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        Verify.state(kill.waitFor() == 0, "kill -" + sig + " " + pid + " failed: " + out);
    }

    /** Deletes {@code root} and everything under it; nothing when it does not exist. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /**
     * A port free on {@code host} now, other than {@code near} and the ports RocketMQ reserves around it, drawn
     * below the kernel's ephemeral range (32768 and up on Linux): a member restarted on its old port must not find
     * it taken meanwhile as the local port of some outgoing connection.
     */
    static int freePort(String host, int near) throws IOException {
        for (int attempt = 0; attempt < PORT_ATTEMPTS_MAX; attempt++) {
            int p = PORT_LOW + ThreadLocalRandom.current().nextInt(PORT_HIGH - PORT_LOW);
            if (near >= 0 && (p == near || p == near - 2 || p == near + 1)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress(host, p));
                return p;
            } catch (BindException taken) {
                // try another one
            }
        }
        throw new IOException("no free port on " + host + " in [" + PORT_LOW + ", " + PORT_HIGH + ") after "
            + PORT_ATTEMPTS_MAX + " attempts");
    }
}
