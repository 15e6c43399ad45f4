package io.raftmq.chaos.fault.net;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The exact iptables commands of the chaos firewall, built without running anything (so a unit test checks them
 * without root). Everything lives in one dedicated chain {@code RAFTMQ-CHAOS-<pid>-<seq>}, jumped to from
 * {@code INPUT} and {@code OUTPUT} for loopback traffic only ({@code -s 127.0.0.0/8 -d 127.0.0.0/8}); the chain
 * holds one DROP rule per directed address pair (optionally per destination or source port, for the NameServer).
 * Loopback packets cross OUTPUT then INPUT, so a rule matches in both; either drop is enough. Heal flushes the
 * chain; removal deletes both jumps, flushes and deletes the chain. No command names another chain or a rule this
 * class did not make, and every address must lie in 127.0.0.0/8.
 *
 * <p>A chain belongs to a JVM by the pid in its name: {@link #staleChains} lists the chains of JVMs that are gone
 * (a crash left them) from the output of {@code iptables -S}, and {@link #removeCommands} removes them.
 */
public final class IptablesRules {
    /** Prefix of every chain this class names. */
    public static final String CHAIN_PREFIX = "RAFTMQ-CHAOS-";
    /** The loopback network every rule is limited to. */
    public static final String LOOPBACK = "127.0.0.0/8";
    private static final Pattern CHAIN = Pattern.compile("^-N (" + CHAIN_PREFIX + "(\\d+)-\\d+)$");
    private static final int CHAIN_NAME_MAX = 28; // iptables' limit

    private final String binary;
    private final String chain;

    /**
     * @param binary the iptables command ({@code iptables})
     * @param chain  the chain's name, from {@link #chainName}
     */
    public IptablesRules(String binary, String chain) {
        if (!chain.startsWith(CHAIN_PREFIX) || chain.length() > CHAIN_NAME_MAX) {
            throw new IllegalArgumentException("not a chaos chain name: " + chain);
        }
        this.binary = binary;
        this.chain = chain;
    }

    /** {@code RAFTMQ-CHAOS-<pid>-<seq>}. */
    public static String chainName(long pid, int seq) {
        return CHAIN_PREFIX + pid + "-" + seq;
    }

    public String chain() {
        return chain;
    }

    /** Creates the chain and the two jumps to it (loopback traffic only), first in INPUT and OUTPUT. */
    public List<List<String>> createCommands() {
        return List.of(cmd("-N", chain), jump("-I", "INPUT"), jump("-I", "OUTPUT"));
    }

    /** One DROP rule for every packet from {@code src} to {@code dst} (addresses in 127.0.0.0/8). */
    public List<String> dropCommand(String src, String dst) {
        return ruleCommand(src, dst, null, null, 1.0);
    }

    /**
     * One DROP rule for packets from {@code src} to {@code dst} (an address in 127.0.0.0/8, or {@link #LOOPBACK}
     * for any of them), optionally only to destination port
     * {@code dport} / from source port {@code sport} (TCP; null: any), with probability {@code p} (1: every packet,
     * else {@code -m statistic --mode random --probability p}).
     */
    public List<String> ruleCommand(String src, String dst, Integer dport, Integer sport, double p) {
        if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("probability must be in (0, 1]: " + p);
        }
        List<String> c = new ArrayList<>(cmd("-A", chain, "-s", network(src), "-d", network(dst)));
        if (dport != null || sport != null) {
            c.addAll(List.of("-p", "tcp"));
        }
        if (dport != null) {
            c.addAll(List.of("--dport", Integer.toString(dport)));
        }
        if (sport != null) {
            c.addAll(List.of("--sport", Integer.toString(sport)));
        }
        if (p < 1) {
            c.addAll(List.of("-m", "statistic", "--mode", "random", "--probability", Double.toString(p)));
        }
        c.addAll(List.of("-j", "DROP"));
        return c;
    }

    /** Empties the chain: every cut healed, the jumps stay. */
    public List<String> healCommand() {
        return cmd("-F", chain);
    }

    /** Removes the jumps, then the chain's rules, then the chain (each may fail if already gone). */
    public List<List<String>> removeCommands() {
        return List.of(jump("-D", "INPUT"), jump("-D", "OUTPUT"), cmd("-F", chain), cmd("-X", chain));
    }

    /** Lists every rule ({@code iptables -w -S}); its output feeds {@link #staleChains}. */
    public static List<String> listCommand(String binary) {
        return List.of(binary, "-w", "-S");
    }

    /**
     * The chaos chains in {@code iptablesS} (the output of {@link #listCommand}) whose owning pid is not alive.
     *
     * @param alive whether a pid is a running process
     */
    public static List<String> staleChains(String iptablesS, java.util.function.LongPredicate alive) {
        List<String> out = new ArrayList<>();
        for (String line : iptablesS.split("\n")) {
            Matcher m = CHAIN.matcher(line.trim());
            if (m.matches() && !alive.test(Long.parseLong(m.group(2)))) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private List<String> jump(String op, String builtin) {
        return cmd(op, builtin, "-s", LOOPBACK, "-d", LOOPBACK, "-j", chain);
    }

    private List<String> cmd(String... args) {
        List<String> c = new ArrayList<>();
        c.add(binary);
        c.add("-w"); // wait for the xtables lock: other tests may change rules at the same time
        c.addAll(List.of(args));
        return c;
    }

    /** {@code a/32} for a loopback address, or {@link #LOOPBACK} itself (any loopback address). */
    private static String network(String a) {
        if (a.equals(LOOPBACK)) {
            return a;
        }
        checkLoopback(a);
        return a + "/32";
    }

    private static void checkLoopback(String addr) {
        String[] parts = addr.split("\\.");
        if (parts.length != 4 || !parts[0].equals("127")) {
            throw new IllegalArgumentException("not a 127.0.0.0/8 address: " + addr);
        }
        for (String p : parts) {
            int v = Integer.parseInt(p);
            if (v < 0 || v > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + addr);
            }
        }
    }
}
