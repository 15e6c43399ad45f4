package io.raftmq.tools.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test's cluster through the operator's scripts: {@code bin/raftmq-cluster} and friends run as an operator runs
 * them, on the test's class path (RAFTMQ_CLASSPATH: no build, no archives), in the test's temp data dir, on a free
 * range of loopback ports (--base-port), with small segments. {@link #close} stops whatever the test started.
 */
public final class ScriptCluster implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("raftmq.root", "..")).toAbsolutePath().normalize();
    private static final long COMMAND_TIMEOUT_S = 180;
    /** Small segments: 8 MiB of preallocation per member instead of 64 MiB; messages up to 1 MiB. */
    private static final String SMALL = "commitLogSegmentBytes=8388608,messageSizeMax=1048576,"
        + "sendBatchBytesMax=1048576";

    /** Exit code and merged stdout + stderr of one script run. */
    public record Run(int code, String output) {
    }

    private final Path data;
    private final int basePort;

    /** A free port range drawn from {@code seed} (printed by the caller), data under {@code data}. */
    public ScriptCluster(Path data, long seed) throws IOException {
        this.data = data;
        this.basePort = freeRange(new Random(seed));
    }

    public int basePort() {
        return basePort;
    }

    public Path data() {
        return data;
    }

    /** {@code bin/raftmq-cluster ARGS --data DIR}. */
    public Run cluster(String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--data", data.toString()));
        return script("bin/raftmq-cluster", all.toArray(new String[0]));
    }

    /** Any script under the repository root, with the test's class path and small segments. */
    public Run script(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve(script).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("RAFTMQ_CLASSPATH", System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")));
        env.put("RAFTMQ_BROKER_PROPS", SMALL);
        env.put("RAFTMQ_BROKER_JAVA_OPTS", "-Xms32m -Xmx160m");
        env.put("RAFTMQ_START_TIMEOUT_MS", "90000");
        Path out = Files.createTempFile(data.getParent(), "script", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        boolean done = p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly();
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        Files.delete(out);
        System.out.println("$ " + script + " " + String.join(" ", args) + "\n" + text);
        assertThat(done).as(script + " " + String.join(" ", args) + " within " + COMMAND_TIMEOUT_S + " s: "
            + text).isTrue();
        return new Run(p.exitValue(), text);
    }

    /** The pid the script recorded for {@code name} (naming, n0, n1, n2). */
    public long pid(String name) throws IOException {
        return Long.parseLong(Files.readString(data.resolve("pids/" + name + ".pid")).trim());
    }

    /** SIGKILL of a process this test started, and its end. */
    public static void kill9(long pid) {
        Optional<ProcessHandle> h = ProcessHandle.of(pid);
        assertThat(h).isPresent();
        assertThat(h.get().destroyForcibly()).isTrue(); // SIGKILL on Linux
        assertThat(h.get().onExit().orTimeout(30, TimeUnit.SECONDS).handle((x, e) -> e == null).join()).isTrue();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        cluster("stop"); // whatever a failed assertion left running
    }

    /** A base port P with P .. P+39 all free on loopback now (the script uses P, P+8 .. P+34). */
    private static int freeRange(Random random) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 20_000 + random.nextInt(120) * 100; // below the ephemeral range (32768+)
            if (allFree(base, 40)) {
                return base;
            }
        }
        throw new IOException("no free range of 40 loopback ports found");
    }

    private static boolean allFree(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
