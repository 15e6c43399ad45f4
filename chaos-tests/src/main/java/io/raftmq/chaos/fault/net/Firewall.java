package io.raftmq.chaos.fault.net;

import io.raftmq.chaos.fault.os.Exec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the commands of {@link IptablesRules} (root only): {@link #open} first removes the chains of chaos JVMs that
 * are gone (a crash or kill -9 of an earlier run left them), then creates this firewall's own chain and its jumps
 * and registers a JVM shutdown hook that removes them; {@link #apply} appends DROP rules, {@link #heal} flushes the
 * chain, {@link #close} removes the jumps and the chain (idempotent). What remains after a kill -9 of this JVM is
 * removed by the next {@link #open} on the machine. Thread-safe (one lock; iptables itself waits for the xtables
 * lock, {@code -w}).
 */
public final class Firewall implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Firewall.class);
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final long COMMAND_TIMEOUT_MS = 30_000;

    private final IptablesRules rules;
    private final Thread hook;
    private boolean closed;

    private Firewall(IptablesRules rules) {
        this.rules = rules;
        this.hook = new Thread(this::removeQuietly, "chaos-firewall-cleanup");
    }

    /** Whether this JVM runs as root (uid 0): iptables and mounts need it. */
    public static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * The iptables binary on the PATH (or in /usr/sbin, /sbin).
     *
     * @throws IllegalStateException not installed (CI installs it: .ci/run)
     */
    public static String binary() {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, "iptables");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException("iptables is not installed (apt-get install -y iptables; .ci/run does it)");
    }

    /**
     * Removes stale chaos chains, then creates a new chain with its jumps.
     *
     * @throws IllegalStateException not root, or iptables missing
     * @throws IOException           an iptables command failed (its output in the message)
     */
    public static Firewall open() throws IOException {
        if (!isRoot()) {
            throw new IllegalStateException("the iptables firewall needs root");
        }
        String bin = binary();
        removeStale(bin);
        Firewall f = new Firewall(new IptablesRules(bin, IptablesRules.chainName(ProcessHandle.current().pid(),
            SEQ.incrementAndGet())));
        Runtime.getRuntime().addShutdownHook(f.hook);
        try {
            for (List<String> c : f.rules.createCommands()) {
                Exec.run(c, COMMAND_TIMEOUT_MS);
            }
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        LOG.info("firewall chain {} created", f.rules.chain());
        return f;
    }

    /** Deletes the chaos chains (and their jumps) of processes that are gone. */
    static void removeStale(String bin) throws IOException {
        String listing = Exec.run(IptablesRules.listCommand(bin), COMMAND_TIMEOUT_MS);
        for (String chain : IptablesRules.staleChains(listing, pid -> ProcessHandle.of(pid).isPresent())) {
            LOG.warn("removing stale firewall chain {} (its JVM is gone)", chain);
            for (List<String> c : new IptablesRules(bin, chain).removeCommands()) {
                Exec.runQuietly(c, COMMAND_TIMEOUT_MS);
            }
        }
    }

    public IptablesRules rules() {
        return rules;
    }

    /** Runs one rule command of {@link #rules()} (a {@code -A} of this chain). */
    public synchronized void apply(List<String> ruleCommand) throws IOException {
        if (closed) {
            throw new IllegalStateException("firewall closed");
        }
        if (!ruleCommand.contains(rules.chain())) {
            throw new IllegalArgumentException("not a rule of chain " + rules.chain() + ": " + ruleCommand);
        }
        Exec.run(ruleCommand, COMMAND_TIMEOUT_MS);
    }

    /** Removes every rule of the chain (the jumps stay). */
    public synchronized void heal() throws IOException {
        if (!closed) {
            Exec.run(rules.healCommand(), COMMAND_TIMEOUT_MS);
        }
    }

    /** Removes the jumps and the chain. Idempotent. */
    @Override
    public void close() {
        removeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            LOG.debug("shutdown hook not removed: {}", e.toString());
        }
    }

    private synchronized void removeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        for (List<String> c : rules.removeCommands()) {
            Exec.runQuietly(c, COMMAND_TIMEOUT_MS);
        }
        LOG.info("firewall chain {} removed", rules.chain());
    }
}
