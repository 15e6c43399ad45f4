package io.raftmq.tools.cluster;

import io.raftmq.testsupport.ProcessTest;
import io.raftmq.tools.cluster.ScriptCluster.Run;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/raftmq-cluster} run as an operator runs it, on this test's class path (RAFTMQ_CLASSPATH: no build, no
 * archives), in a temp data dir, on a free range of loopback ports (--base-port), with small segments. Covers: start
 * (with the dashboard, whose address it prints) and a healthy status; a member whose port is taken makes start fail
 * naming that member and the reason, leaving nothing running; a member killed with SIGKILL makes status fail with a
 * reason, start brings it back; restart of the leader (it hands leadership over first, waits the route wait given on
 * the command line, then SIGTERM) brings it back as a follower; restart without a member restarts all three,
 * followers first and the leader last; stop leaves no process.
 */
@ProcessTest
class ClusterScriptTest {
    @TempDir
    Path data;
    private int basePort;
    private ScriptCluster scripts;

    @BeforeEach
    void pickPorts() throws IOException {
        long seed = Long.getLong("raftmq.test.seed", System.nanoTime());
        System.out.println("ClusterScriptTest seed " + seed + " (-Draftmq.test.seed to repeat)");
        scripts = new ScriptCluster(data, seed);
        basePort = scripts.basePort();
    }

    @AfterEach
    void stopEverything() throws Exception {
        scripts.close();
    }

    @Test
    void startStatusKillBringBackRestartStop() throws Exception {
        Run start = run("start", "--base-port", Integer.toString(basePort));
        assertThat(start.code()).as(start.output()).isZero();
        assertThat(start.output()).contains("RESULT demo=ok", "RESULT status=ok members_up=3/3",
            "dashboard: http://127.0.0.1:" + (basePort + 7) + "/");
        assertThat(run("status").code()).isZero();
        transferWithTheAdminCommand(start.output());

        long n1 = pid("n1");
        kill9(n1);
        Run down = run("status");
        assertThat(down.code()).as(down.output()).isNotZero();
        assertThat(down.output()).contains("n1: not running").containsPattern("not ready: n1 \\(127\\.0\\.0\\.1:\\d+\\)"
            + " unreachable");

        Run back = run("start");
        assertThat(back.code()).as(back.output()).isZero();
        assertThat(back.output()).contains("naming is already running", "n0 is already running")
            .contains("RESULT await=ok").doesNotContain("RESULT demo=");
        assertThat(pid("n1")).isNotEqualTo(n1);

        Run healthy = run("status");
        assertThat(healthy.code()).as(healthy.output()).isZero();
        Matcher lead = Pattern.compile("RESULT status=ok .*leader=(n\\d)").matcher(healthy.output());
        assertThat(lead.find()).as(healthy.output()).isTrue();
        String leader = lead.group(1);
        long leaderPid = pid(leader);
        Run restart = run("restart", leader, "--route-wait-ms", "300"); // the producers' route wait: none here
        assertThat(restart.code()).as(restart.output()).isZero();
        assertThat(restart.output()).contains("RESULT handover=ok", "restarting " + leader, leader + " is back",
            "RESULT status=ok").doesNotContain("leader=" + leader + " ").containsPattern("route_wait_ms=3\\d\\d");
        assertThat(restart.output().indexOf("RESULT handover=ok")).as("handover before the stop")
            .isLessThan(restart.output().indexOf("restarting " + leader));
        assertThat(ProcessHandle.of(leaderPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Files.readString(data.resolve("logs/broker-" + leader + ".log")))
            .as("the leader handed leadership over before it stopped").contains("leadership transfer to");

        Matcher now = Pattern.compile("RESULT status=ok .*leader=(n\\d)").matcher(restart.output());
        assertThat(now.find()).as(restart.output()).isTrue();
        Run rolling = run("restart", "--route-wait-ms", "300");
        assertThat(rolling.code()).as(rolling.output()).isZero();
        assertThat(rolling.output()).containsPattern("rolling restart, followers first: n\\d n\\d " + now.group(1))
            .contains("n0 is back", "n1 is back", "n2 is back", "RESULT handover=ok", "RESULT status=ok");

        List<Long> pids = List.of(pid("naming"), pid("n0"), pid("n1"), pid("n2"), pid("dashboard"));
        Run stop = run("stop");
        assertThat(stop.code()).as(stop.output()).isZero();
        assertThat(stop.output()).contains("naming stopped", "n0 stopped", "n1 stopped", "n2 stopped",
            "dashboard stopped");
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        }
        assertThat(run("status").code()).isNotZero();
    }

    @Test
    void startFailsNamingTheMemberWhosePortIsTakenAndLeavesNothingRunning() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), basePort + 20)); // n1's port
            Run start = run("start", "--base-port", Integer.toString(basePort));
            assertThat(start.code()).as(start.output()).isNotZero();
            assertThat(start.output()).containsPattern("(?m)^n1: .*" + (basePort + 20) + ".*[Aa]ddress already in use")
                .contains("start FAILED");
            for (String name : List.of("naming", "n0", "n1", "n2")) {
                assertThat(data.resolve("pids/" + name + ".pid")).doesNotExist();
            }
            assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("")
                .contains("-Draftmq.data=" + data)).toList()).as("processes of this data dir").isEmpty();
        }
    }

    /**
     * bin/raftmq-admin against the running cluster: to a named follower through the NameServer (exit 0, it then
     * leads), asked of a follower without a target (the follower names the leader, which picks a member; exit 0),
     * and to an address that is no member (exit 2, the reason names it); then {@code cluster --output json} shows a
     * leader and followers, and {@code topic stats} of an unknown topic exits 3.
     */
    private void transferWithTheAdminCommand(String startOutput) throws Exception {
        Matcher lead = Pattern.compile("RESULT status=ok .*leader=n(\\d)").matcher(startOutput);
        assertThat(lead.find()).as(startOutput).isTrue();
        int leader = Integer.parseInt(lead.group(1));
        String target = "127.0.0.1:" + (basePort + 10 * (1 + (leader + 1) % 3));
        Run moved = script("bin/raftmq-admin", "raft", "transfer", "--to", target, "--namesrv",
            "127.0.0.1:" + basePort);
        assertThat(moved.code()).as(moved.output()).isZero();
        assertThat(moved.output()).contains("RESULT transfer=ok leader=" + target + " term=");
        assertThat(run("status").output()).containsPattern("(?m)^n" + (leader + 1) % 3 + " .* LEADER ");

        String follower = "127.0.0.1:" + (basePort + 10 * (1 + leader)); // the old leader follows now
        Run any = script("bin/raftmq-admin", "raft", "transfer", "--broker", follower);
        assertThat(any.code()).as(any.output()).isZero();
        assertThat(any.output()).contains("RESULT transfer=ok leader=").doesNotContain("leader=" + target);

        Run unknown = script("bin/raftmq-admin", "raft", "transfer", "--to", "127.0.0.1:1", "--broker", follower);
        assertThat(unknown.code()).as(unknown.output()).isEqualTo(2);
        assertThat(unknown.output()).contains("127.0.0.1:1 is not a member");
        Run after = run("status");
        assertThat(after.code()).as(after.output()).isZero();

        Run cluster = script("bin/raftmq-admin", "cluster", "--output", "json", "--namesrv", "127.0.0.1:" + basePort);
        assertThat(cluster.code()).as(cluster.output()).isZero();
        assertThat(cluster.output()).contains("\"role\":\"LEADER\"", "\"role\":\"FOLLOWER\"");
        Run missing = script("bin/raftmq-admin", "topic", "stats", "-t", "NoSuchTopic", "--namesrv",
            "127.0.0.1:" + basePort);
        assertThat(missing.code()).as(missing.output()).isEqualTo(3);
    }

    private Run run(String... args) throws IOException, InterruptedException {
        return scripts.cluster(args);
    }

    private Run script(String script, String... args) throws IOException, InterruptedException {
        return scripts.script(script, args);
    }

    private long pid(String name) throws IOException {
        return scripts.pid(name);
    }

    private static void kill9(long pid) {
        ScriptCluster.kill9(pid);
    }
}
