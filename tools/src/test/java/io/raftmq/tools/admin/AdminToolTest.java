package io.raftmq.tools.admin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract scripts rely on, without a cluster: {@code --help} exits 0 and shows the command, on every command
 * and subcommand; a missing or doubled entry point, an unknown option, a malformed {@code --to}, {@code --namesrv},
 * {@code --output} or time, or a wrong mix of options exits 2 with a reason on stderr; a broker or NameServer that
 * does not answer exits 1 naming it; {@code completion bash} prints a script naming the commands. (The transfer
 * itself is covered against live members by the broker's LeadershipTransferProcessorTest and the chaos module's
 * rolling restart; the other commands by AdminCliClusterTest.)
 */
class AdminToolTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void helpExitsZero() {
        assertThat(AdminTool.run("raft", "transfer", "--help")).isZero();
        assertThat(stdout()).contains("--to", "--namesrv", "--broker", "--timeout-ms");
        assertThat(AdminTool.run("--help")).isZero();
    }

    @Test
    void badUsageExitsTwo() {
        assertThat(AdminTool.run("raft", "transfer", "--namesrv", "127.0.0.1:9876", "--broker", "127.0.0.1:1"))
            .as("at most one of --namesrv and --broker").isEqualTo(2);
        assertThat(stderr()).contains("--namesrv", "--broker");
        assertThat(AdminTool.run("raft", "transfer", "--broker", "127.0.0.1:1", "--bogus")).isEqualTo(2);
        assertThat(AdminTool.run("raft", "move")).isEqualTo(2);
        assertThat(AdminTool.run()).isEqualTo(2);
        assertThat(AdminTool.run("raft")).isEqualTo(2);
        assertThat(stderr()).contains("missing command", "transfer");
        err.reset();
        assertThat(AdminTool.run("raft", "transfer", "--broker", "127.0.0.1:1", "--to", "nonsense")).isEqualTo(2);
        assertThat(stderr()).contains("--to must be HOST:PORT");
    }

    @Test
    void anUnreachableBrokerExitsOne() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = s.getLocalPort();
        } // closed: nothing listens there now
        String addr = "127.0.0.1:" + port;
        assertThat(AdminTool.run("raft", "transfer", "--broker", addr, "--timeout-ms", "2000")).isEqualTo(1);
        assertThat(stderr()).contains("transfer failed", addr);
    }

    @Test
    void membershipCommandsCheckTheirArguments() throws IOException {
        assertThat(AdminTool.run("raft", "add-member", "--help")).isZero();
        assertThat(AdminTool.run("raft", "add-member", "--node-id", "4", "--broker", "127.0.0.1:1")).isEqualTo(2);
        assertThat(AdminTool.run("raft", "add-member", "--node-id", "4", "--raft-addr", "nonsense", "--broker-addr",
            "127.0.0.1:2", "--broker", "127.0.0.1:1")).isEqualTo(2);
        assertThat(AdminTool.run("raft", "add-member", "--node-id", "4", "--raft-addr", "127.0.0.1:3", "--broker",
            "127.0.0.1:1")).as("--broker-addr is required").isEqualTo(2);
        assertThat(AdminTool.run("raft", "add-member", "--node-id", "4", "--raft-addr", "127.0.0.1:3",
            "--broker-addr", "nonsense", "--broker", "127.0.0.1:1")).isEqualTo(2);
        assertThat(stderr()).contains("--broker-addr must be HOST:PORT");
        assertThat(AdminTool.run("raft", "promote", "--node-id", "0", "--broker", "127.0.0.1:1")).isEqualTo(2);
        assertThat(AdminTool.run("raft", "remove-member", "--broker", "127.0.0.1:1")).isEqualTo(2);
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = s.getLocalPort();
        }
        String addr = "127.0.0.1:" + port;
        assertThat(AdminTool.run("raft", "remove-member", "--node-id", "2", "--broker", addr, "--timeout-ms", "2000"))
            .isEqualTo(1);
        assertThat(stderr()).contains("cannot reach", addr);
    }

    @Test
    void everyCommandAndSubcommandHasHelp() {
        List<List<String>> commands = new ArrayList<>();
        collect(new CommandLine(AdminTool.class), new ArrayList<>(), commands);
        assertThat(commands).extracting(c -> String.join(" ", c)).contains("cluster", "topic stats", "group progress",
            "offset reset", "message get", "naming list", "completion", "raft transfer");
        for (List<String> c : commands) {
            out.reset();
            List<String> args = new ArrayList<>(c);
            args.add("--help");
            assertThat(AdminTool.run(args.toArray(new String[0]))).as(String.join(" ", args)).isZero();
            assertThat(stdout()).as(String.join(" ", args)).contains("Usage: raftmq-admin " + String.join(" ", c));
        }
        out.reset();
        AdminTool.run("topic", "stats", "--help");
        assertThat(stdout()).contains("--namesrv", "RAFTMQ_NAMESRV", "--output", "--timeout-ms");
        out.reset();
        AdminTool.run("--help");
        assertThat(stdout()).contains("Exit status:", "3   not found");
    }

    private static void collect(CommandLine cl, List<String> path, List<List<String>> out) {
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            out.add(p);
            collect(e.getValue(), p, out);
        }
    }

    @Test
    void bashCompletionNamesTheCommands() {
        assertThat(AdminTool.run("completion", "bash")).isZero();
        assertThat(stdout()).contains("complete -F", "raftmq-admin", "topic", "progress", "--output");
        assertThat(AdminTool.run("completion", "fish")).isEqualTo(2);
        assertThat(stderr()).contains("only bash");
    }

    @Test
    void newCommandsCheckTheirArgumentsBeforeConnecting() {
        assertThat(AdminTool.run("topic")).isEqualTo(2);
        assertThat(AdminTool.run("topic", "stats")).isEqualTo(2);
        assertThat(AdminTool.run("topic", "list", "--output", "yaml")).isEqualTo(2);
        assertThat(AdminTool.run("topic", "list", "--namesrv", "nonsense")).isEqualTo(2);
        assertThat(AdminTool.run("topic", "list", "--timeout-ms", "0")).isEqualTo(2);
        assertThat(AdminTool.run("message", "get", "--topic", "T")).isEqualTo(2);
        assertThat(AdminTool.run("message", "get", "--id", "x", "--key", "k", "--topic", "T")).isEqualTo(2);
        assertThat(AdminTool.run("offset", "reset", "-g", "G", "-t", "T", "--to-time", "1", "--to-offset", "2"))
            .isEqualTo(2);
        assertThat(AdminTool.run("offset", "reset", "-g", "G", "-t", "T", "--to-time", "1", "--queue", "0"))
            .isEqualTo(2);
        assertThat(stderr()).contains("--queue goes with --to-offset");
        assertThat(OffsetCommands.parseTime("2026-01-31T12:00:00Z")).isEqualTo(1_769_860_800_000L);
        assertThat(OffsetCommands.parseTime("2026-01-31T13:00:00+01:00")).isEqualTo(1_769_860_800_000L);
        assertThat(OffsetCommands.parseTime("-1")).isEqualTo(-1);
        assertThat(MessageCommands.printable("h\u00e9llo\n".getBytes(StandardCharsets.UTF_8)))
            .isEqualTo("h\u00e9llo\n");
        assertThat(MessageCommands.printable(new byte[] {0x41, 0x00})).isNull();
        assertThat(MessageCommands.printable(new byte[] {(byte) 0xC3})).isNull();
    }

    @Test
    void anUnreachableNameServerExitsOne() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = s.getLocalPort();
        }
        assertThat(AdminTool.run("topic", "list", "--namesrv", "127.0.0.1:" + port, "--timeout-ms", "2000"))
            .isEqualTo(1);
        assertThat(stderr()).contains("list failed", "127.0.0.1:" + port);
        assertThat(AdminTool.run("naming", "list", "--namesrv", "127.0.0.1:" + port, "--timeout-ms", "2000"))
            .isEqualTo(1);
    }
}
