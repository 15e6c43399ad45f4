package io.raftmq.tools.cluster;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.client.protocol.header.ViewMessageRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.commitlog.message.MessageIds;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.tools.cluster.ClusterProbe.MemberState;
import io.raftmq.tools.cluster.ClusterProbe.Route;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * The operator CLI behind {@code bin/raftmq-cluster}, speaking the remoting protocol with our own client to a cluster
 * on this machine (loopback addresses only). Members are given as {@code --member NAME=HOST:PORT} (repeated).
 * <pre>
 *  status --namesrv A --group G --member ...   one line per member (role, term, commit/applied index, leader) and
 *                                              the NameServer; exit 0 only when all answer and exactly one leads
 *  await  --namesrv A --group G --member ... [--watch NAME=PID ...] --timeout-ms T [--demo-topic T --start-ms S]
 *         [--caught-up]                        until every member follows one leader and the NameServer routes it
 *                                              (and, with --caught-up, every member applied what the leader had
 *                                              committed when that first held);
 *                                              exit 3 as soon as a watched process is gone (RESULT exited=NAMES);
 *                                              then the demo below when a topic is given (one JVM for both)
 *  demo   --namesrv A --group G --topic T --start-ms S --wait-ms W
 *                                              sends one message to the routed leader (auto-creating T), reads it
 *                                              back by its offset msgId (code 33), prints the times from S (epoch
 *                                              ms, 0 = skip) to the routed leader and to the acknowledged send
 *  order  --namesrv A --group G --member ...   ORDER line: the members, followers first, the leader last
 *  handover --from NAME ... --timeout-ms T [--route-wait-ms W]
 *                                              if NAME leads: move leadership to the most caught-up follower
 *                                              (RAFT_TRANSFER_LEADERSHIP), wait until the NameServer routes it,
 *                                              then W more (producers' route poll + margin, default 36000;
 *                                              {@link Rolling}) while NAME forwards their sends
 * </pre>
 * Prints human-readable lines, one {@code RESULT} line, and on failure a one-line reason on stderr; exit 0 on
 * success, 1 on failure, 2 on bad usage, 3 when a watched process exited, 4 when await's demo failed.
 */
@Command(name = "ClusterTool", mixinStandardHelpOptions = true, subcommands = {ClusterTool.Status.class,
    ClusterTool.Await.class, ClusterTool.Demo.class, Rolling.Order.class, Rolling.Handover.class})
public final class ClusterTool {
    static final int EXITED = 3;
    static final int DEMO_FAILED = 4;
    private static final long POLL_NS = 20_000_000L;
    /** The demo's send and read-back: a first send may create the topic through Raft. */
    private static final long SEND_TIMEOUT_MS = 5000;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line; returns the exit code. */
    static int run(String... args) {
        CommandLine cl = new CommandLine(new ClusterTool());
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            System.err.println(line.getCommandName() + " failed: " + e);
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }

    /** The options every command shares: the cluster's NameServer, group and members. */
    static class Target {
        @Option(names = "--namesrv", required = true, description = "NameServer HOST:PORT")
        String namesrv;
        @Option(names = "--group", defaultValue = "broker-a", description = "broker group (default ${DEFAULT-VALUE})")
        String group;
        @Option(names = "--member", description = "NAME=HOST:PORT of a member, in order (repeat)")
        Map<String, String> members = new LinkedHashMap<>();
    }

    @Command(name = "status", description = "Each member's Raft view; exit 0 only if all are up with one leader.")
    static final class Status extends Target implements Callable<Integer> {
        @Override
        public Integer call() {
            try (ClusterProbe probe = new ClusterProbe()) {
                List<MemberState> states = probe.members(members);
                Route route = probe.route(namesrv, group);
                System.out.printf("%-6s %-22s %-10s %6s %10s %10s %s%n", "member", "address", "role", "term",
                    "commit", "applied", "leader");
                for (MemberState m : states) {
                    if (m.up()) {
                        System.out.printf("%-6s %-22s %-10s %6d %10d %10d %s%n", m.name(), m.addr(), m.role(),
                            m.term(), m.commitIndex(), m.appliedIndex(), m.leaderAddr());
                    } else {
                        System.out.printf("%-6s %-22s %-10s %s%n", m.name(), m.addr(), "DOWN", m.error());
                    }
                }
                System.out.printf("%-6s %-22s %s%n", "naming", namesrv, route.up() ? "up, routes "
                    + Optional.ofNullable(route.leaderAddr()).orElse("no leader") + " for " + group
                    : "DOWN " + route.error());
                String reason = Readiness.up(namesrv, route, states);
                long upCount = states.stream().filter(MemberState::up).count();
                if (reason != null) {
                    System.out.println("RESULT status=failed members_up=" + upCount + "/" + states.size());
                    System.err.println("not ready: " + reason);
                    return 1;
                }
                MemberState leader = Readiness.leader(states);
                System.out.println("RESULT status=ok members_up=" + upCount + "/" + states.size() + " leader="
                    + leader.name() + " term=" + leader.term());
                return 0;
            }
        }
    }

    @Command(name = "await", description = "Wait until every member follows one leader that the NameServer routes.")
    static final class Await extends Target implements Callable<Integer> {
        @Option(names = "--watch", description = "NAME=PID of a process that must stay alive meanwhile (repeat)")
        Map<String, Long> watch = new LinkedHashMap<>();
        @Option(names = "--timeout-ms", defaultValue = "30000",
            description = "give up after (default ${DEFAULT-VALUE})")
        long timeoutMs;
        @Option(names = "--demo-topic", description = "when ready, run demo with this topic in the same JVM")
        String demoTopic;
        @Option(names = "--start-ms", defaultValue = "0", description = "for the demo: see demo --start-ms")
        long startMs;
        @Option(names = "--caught-up", description = "also wait until every member applied what the leader had"
            + " committed when the group first settled")
        boolean caughtUp;

        @Override
        public Integer call() {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            try (ClusterProbe probe = new ClusterProbe()) {
                String reason;
                long catchUpTo = -1;
                while (true) {
                    List<String> exited = watch.entrySet().stream().filter(e -> !alive(e.getValue()))
                        .map(Map.Entry::getKey).toList();
                    if (!exited.isEmpty()) {
                        System.out.println("RESULT await=failed exited=" + String.join(",", exited));
                        return EXITED;
                    }
                    List<MemberState> states = probe.members(members);
                    reason = Readiness.settled(namesrv, group, probe.route(namesrv, group), states);
                    if (reason == null && caughtUp) {
                        catchUpTo = catchUpTo >= 0 ? catchUpTo : Readiness.leader(states).commitIndex();
                        reason = Readiness.caughtUp(states, catchUpTo);
                    }
                    if (reason == null) {
                        MemberState leader = Readiness.leader(states);
                        System.out.println("RESULT await=ok leader=" + leader.name() + " term=" + leader.term());
                        return demoTopic == null || demo(probe, this, demoTopic, startMs, 0) == 0 ? 0 : DEMO_FAILED;
                    }
                    if (System.nanoTime() - deadline > 0) {
                        break;
                    }
                    LockSupport.parkNanos(POLL_NS);
                }
                System.out.println("RESULT await=failed timeout_ms=" + timeoutMs);
                System.err.println("not ready after " + timeoutMs + " ms: " + reason);
                return 1;
            }
        }

        private static boolean alive(long pid) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    @Command(name = "demo", description = "Send one message to the routed leader and read it back.")
    static final class Demo extends Target implements Callable<Integer> {
        @Option(names = "--topic", defaultValue = "DemoTopic", description = "topic (default ${DEFAULT-VALUE})")
        String topic;
        @Option(names = "--start-ms", defaultValue = "0", description = "epoch ms the cluster start began (0: none)")
        long startMs;
        @Option(names = "--wait-ms", defaultValue = "5000",
            description = "wait for a routed leader (default ${DEFAULT-VALUE})")
        long waitMs;

        @Override
        public Integer call() throws Exception {
            try (ClusterProbe probe = new ClusterProbe()) {
                return demo(probe, this, topic, startMs, waitMs);
            }
        }
    }

    private static int demo(ClusterProbe probe, Target d, String topic, long startMs, long waitMs) {
        try {
            return demoSend(probe, d, topic, startMs, waitMs);
        } catch (Exception e) { // CLI boundary: a failed demo is a one-line reason
            System.out.println("RESULT demo=failed " + e);
            System.err.println("demo failed: " + ClusterProbe.describe(e));
            return 1;
        }
    }

    private static int demoSend(ClusterProbe probe, Target d, String topic, long startMs, long waitMs)
            throws Exception {
        RemotingClient client = probe.client();
        long deadline = System.currentTimeMillis() + waitMs;
        String leader = probe.route(d.namesrv, d.group).leaderAddr();
        while (leader == null && System.currentTimeMillis() < deadline) {
            LockSupport.parkNanos(10_000_000L);
            leader = probe.route(d.namesrv, d.group).leaderAddr();
        }
        if (leader == null) {
            System.out.println("RESULT demo=failed no leader routed for " + d.group);
            System.err.println("demo failed: the NameServer routes no leader for " + d.group);
            return 1;
        }
        ClusterProbe.requireLoopback(leader);
        long routedMs = System.currentTimeMillis();
        String body = "hello from raftmq at " + System.currentTimeMillis();
        SendMessageRequestHeader h = new SendMessageRequestHeader("demo-producer", topic, "TBW102", 4, 0, 0,
            System.currentTimeMillis(), 0, "UNIQ_KEY\u0001DEMO" + System.nanoTime() + "\u0002", 0, false, false,
            null, d.group);
        RemotingCommand r = client.invokeSync(leader, RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2,
            h.asV2()).setBody(body.getBytes(StandardCharsets.UTF_8)), SEND_TIMEOUT_MS);
        long ackMs = System.currentTimeMillis();
        SendMessageResponseHeader sent;
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                System.out.println("RESULT demo=failed send answered " + r.code() + " " + r.remark());
                System.err.println("demo failed: the send answered " + r.code() + " " + r.remark());
                return 1;
            }
            sent = SendMessageResponseHeader.decode(r.extFields());
        } finally {
            r.release();
        }
        System.out.println("sent to " + leader + ": SEND_OK msgId=" + sent.msgId() + " queue=" + sent.queueId()
            + " queueOffset=" + sent.queueOffset());
        String elapsed = startMs > 0 ? " start_to_first_send_ms=" + (ackMs - startMs) + " start_to_leader_routed_ms="
            + (routedMs - startMs) : "";
        String readBack = readBack(client, sent.msgId());
        System.out.println("read back: " + readBack);
        boolean unsupported = readBack.startsWith("(VIEW_MESSAGE_BY_ID answered "
            + ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
        String verdict = readBack.equals(body) ? "match" : unsupported ? "unsupported" : "MISMATCH";
        System.out.println("RESULT demo=ok msgId=" + sent.msgId() + elapsed + " readBack=" + verdict);
        return verdict.equals("MISMATCH") ? 1 : 0;
    }

    /** VIEW_MESSAGE_BY_ID at the address inside the offset msgId; the body, or a description of the failure. */
    private static String readBack(RemotingClient client, String offsetMsgId) throws Exception {
        MessageIds.OffsetMsgId id = MessageIds.decodeOffsetMsgId(offsetMsgId);
        String addr = ClusterProbe.requireLoopback(java.net.InetAddress.getByAddress(id.storeHost().ip())
            .getHostAddress() + ":" + id.storeHost().port());
        RemotingCommand r = client.invokeSync(addr, RemotingCommand.createRequest(RequestCode.VIEW_MESSAGE_BY_ID,
            new ViewMessageRequestHeader(id.physicalOffset(), null)), SEND_TIMEOUT_MS);
        try {
            if (r.code() != ResponseCode.SUCCESS || r.body() == null) {
                return "(VIEW_MESSAGE_BY_ID answered " + r.code() + " " + r.remark() + ")";
            }
            ByteBuffer b = ByteBuffer.wrap(r.bodyBytes());
            return new String(new StoredMessage().wrap(b, 0).body(), StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }
}
