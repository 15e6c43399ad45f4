package io.raftmq.tools.admin;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract scripts rely on, without a cluster: {@code --help} exits 0 and shows the command; a missing or
 * doubled entry point, an unknown option or a malformed {@code --to} exits 2 with a reason on stderr; a broker that
 * does not answer exits 1 naming it. (The transfer itself is covered against live members by the broker's
 * LeadershipTransferProcessorTest and the chaos module's rolling restart.)
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
        assertThat(AdminTool.run("raft", "transfer", "--to", "127.0.0.1:10911")).isEqualTo(2);
        assertThat(stderr()).contains("--namesrv", "--broker");
        assertThat(AdminTool.run("raft", "transfer", "--namesrv", "127.0.0.1:9876", "--broker", "127.0.0.1:1"))
            .isEqualTo(2);
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
}
