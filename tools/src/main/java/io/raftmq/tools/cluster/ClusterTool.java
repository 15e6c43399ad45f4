package io.raftmq.tools.cluster;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerData;
import io.raftmq.client.protocol.body.KVTable;
import io.raftmq.client.protocol.body.TopicRouteData;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.protocol.header.SendMessageResponseHeader;
import io.raftmq.client.protocol.header.ViewMessageRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.commitlog.message.MessageIds;
import io.raftmq.commitlog.message.StoredMessage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Small operator CLI used by {@code bin/raftmq-cluster}, speaking the remoting protocol with our own client:
 * <pre>
 *  status BROKER_ADDR...                 role, term, commit/applied index, leader of each member (code 28)
 *  wait-leader NAMESRV GROUP TIMEOUT_MS   until the NameServer routes GROUP's brokerId 0; prints its address
 *  demo NAMESRV GROUP TOPIC START_MS WAIT_MS   waits up to WAIT_MS for a routed leader, sends one message to it
 *                                          (auto-creating TOPIC), reads it back by its offset msgId (code 33),
 *                                          prints both and the times from START_MS (epoch ms, 0 = skip) to
 *                                          the leader seen in the route and to the acknowledged send
 * </pre>
 * Prints human-readable lines and one {@code RESULT} line; exit code 0 on success, 1 on failure, 2 on bad usage.
 */
public final class ClusterTool {
    private static final long TIMEOUT_MS = 5000;

    private ClusterTool() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            usage();
        }
        RemotingClient client = new RemotingClient(RemotingClientConfig.defaults());
        client.start();
        int rc;
        try {
            rc = switch (args[0]) {
                case "status" -> status(client, args);
                case "wait-leader" -> args.length == 4 ? waitLeader(client, args[1], args[2], Long.parseLong(args[3]))
                    : usage();
                case "demo" -> args.length == 6 ? demo(client, args) : usage();
                default -> usage();
            };
        } finally {
            client.shutdown();
        }
        System.exit(rc);
    }

    private static int usage() {
        System.err.println("usage: ClusterTool status ADDR... | wait-leader NAMESRV GROUP TIMEOUT_MS"
            + " | demo NAMESRV GROUP TOPIC START_MS WAIT_MS");
        System.exit(2);
        return 2;
    }

    private static int status(RemotingClient client, String[] args) {
        int ok = 0;
        System.out.printf("%-22s %-10s %6s %10s %10s %s%n", "member", "role", "term", "commit", "applied", "leader");
        for (int i = 1; i < args.length; i++) {
            try {
                RemotingCommand r = client.invokeSync(args[i], RemotingCommand.createRequest(
                    RequestCode.GET_BROKER_RUNTIME_INFO), TIMEOUT_MS);
                try {
                    Map<String, String> t = KVTable.decode(r.bodyBytes()).table();
                    System.out.printf("%-22s %-10s %6s %10s %10s %s%n", args[i], t.get("raftRole"), t.get("raftTerm"),
                        t.get("raftCommitIndex"), t.get("raftAppliedIndex"), t.get("raftLeaderAddr"));
                    ok++;
                } finally {
                    r.release();
                }
            } catch (Exception e) { // CLI boundary: a dead member is reported, not fatal
                System.out.printf("%-22s %-10s %s%n", args[i], "DOWN", e.getMessage());
            }
        }
        System.out.println("RESULT status reachable=" + ok + "/" + (args.length - 1));
        return ok == args.length - 1 ? 0 : 1;
    }

    /** The address routed as brokerId 0 of {@code group} (from TBW102's route), or null. */
    static String routedLeader(RemotingClient client, String namesrv, String group) {
        try {
            RemotingCommand r = client.invokeSync(namesrv, RemotingCommand.createRequest(
                RequestCode.GET_ROUTEINFO_BY_TOPIC, new GetRouteInfoRequestHeader("TBW102", null)), TIMEOUT_MS);
            try {
                if (r.code() != ResponseCode.SUCCESS) {
                    return null;
                }
                for (BrokerData bd : TopicRouteData.decode(r.bodyBytes()).brokerDatas()) {
                    if (bd.brokerName().equals(group)) {
                        return bd.brokerAddrs().get(BrokerData.MASTER_ID);
                    }
                }
                return null;
            } finally {
                r.release();
            }
        } catch (Exception e) { // CLI boundary: "not routed yet"
            return null;
        }
    }

    private static int waitLeader(RemotingClient client, String namesrv, String group, long timeoutMs)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            String leader = routedLeader(client, namesrv, group);
            if (leader != null) {
                System.out.println("RESULT leader=" + leader);
                return 0;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
        }
        System.out.println("RESULT leader=none after " + timeoutMs + " ms");
        return 1;
    }

    private static int demo(RemotingClient client, String[] args) throws Exception {
        long deadline = System.currentTimeMillis() + Long.parseLong(args[5]);
        String leader = routedLeader(client, args[1], args[2]);
        while (leader == null && System.currentTimeMillis() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
            leader = routedLeader(client, args[1], args[2]);
        }
        if (leader == null) {
            System.out.println("RESULT demo=failed no leader routed for " + args[2]);
            return 1;
        }
        long routedMs = System.currentTimeMillis();
        String body = "hello from raftmq at " + System.currentTimeMillis();
        SendMessageRequestHeader h = new SendMessageRequestHeader("demo-producer", args[3], "TBW102", 4, 0, 0,
            System.currentTimeMillis(), 0, "UNIQ_KEY\u0001DEMO" + System.nanoTime() + "\u0002", 0, false, false,
            null, args[2]);
        RemotingCommand r = client.invokeSync(leader, RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2,
            h.asV2()).setBody(body.getBytes(StandardCharsets.UTF_8)), TIMEOUT_MS);
        long ackMs = System.currentTimeMillis();
        SendMessageResponseHeader sent;
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                System.out.println("RESULT demo=failed send answered " + r.code() + " " + r.remark());
                return 1;
            }
            sent = SendMessageResponseHeader.decode(r.extFields());
        } finally {
            r.release();
        }
        System.out.println("sent to " + leader + ": SEND_OK msgId=" + sent.msgId() + " queue=" + sent.queueId()
            + " queueOffset=" + sent.queueOffset());
        long startMs = Long.parseLong(args[4]);
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
        String addr = java.net.InetAddress.getByAddress(id.storeHost().ip()).getHostAddress() + ":"
            + id.storeHost().port();
        RemotingCommand r = client.invokeSync(addr, RemotingCommand.createRequest(RequestCode.VIEW_MESSAGE_BY_ID,
            new ViewMessageRequestHeader(id.physicalOffset(), null)), TIMEOUT_MS);
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
