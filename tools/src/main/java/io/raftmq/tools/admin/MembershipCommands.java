package io.raftmq.tools.admin;

import io.raftmq.broker.processor.admin.RaftMembershipProcessor;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.json.JsonWriter;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.client.remoting.RemotingException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code raftmq-admin raft add-member | promote | remove-member}: the client side of RAFT_ADD_MEMBER (9002),
 * RAFT_PROMOTE_MEMBER (9003) and RAFT_REMOVE_MEMBER (9004) (docs/protocol.md §2.13). Each sends one
 * single-server change to the group's leader (following "ask the leader" answers a few times) and returns once it
 * committed. Replacing a member: add-member the new one (a learner, with its raft and broker addresses), promote it
 * once it caught up, remove-member the old one. Exit status as {@link LeadershipTransfer}: 0 done, 1 failed
 * (retry), 2 bad usage or a change that does not apply.
 */
final class MembershipCommands {
    private static final int REDIRECTS_MAX = 3;

    private MembershipCommands() {
    }

    /** Options every membership command shares. */
    abstract static class Base implements Callable<Integer> {
        @Option(names = "--node-id", required = true, description = "the member's Raft node id (nX in raftPeers: X+1)")
        long nodeId;
        @ArgGroup(multiplicity = "0..1")
        AdminTool.Entry entry;
        @Option(names = "--output", paramLabel = "table|json", defaultValue = "table",
            description = "output format (docs/admin.md; default ${DEFAULT-VALUE})")
        CommonOptions.Format output;
        @Option(names = "--group", description = "with --namesrv: the broker group (default: the only one)")
        String group;
        @Option(names = "--timeout-ms", defaultValue = "15000",
            description = "deadline of the request (default ${DEFAULT-VALUE})")
        long timeoutMs;

        abstract int code();

        abstract Map<String, String> fields();

        @Override
        public Integer call() throws InterruptedException {
            if (nodeId <= 0) {
                throw new IllegalArgumentException("--node-id must be positive");
            }
            Map<String, String> f = new LinkedHashMap<>(fields());
            f.put(RaftMembershipProcessor.NODE_ID, Long.toString(nodeId));
            RemotingClient client = AdminCredentials.sign(new RemotingClient(RemotingClientConfig.defaults()));
            client.start();
            try {
                String ask = AdminTool.Entry.broker(entry) != null ? AdminTool.Entry.broker(entry)
                    : LeadershipTransfer.entryBroker(client, AdminTool.Entry.namesrv(entry), null, group, timeoutMs);
                return send(client, ask, code(), f, timeoutMs, output == CommonOptions.Format.json);
            } finally {
                client.shutdown();
            }
        }
    }

    @Command(name = "add-member", mixinStandardHelpOptions = true,
        description = "Add a new member to the broker group's Raft configuration as a learner (it gets the log). "
            + "Its broker address is replicated with it: every member can then forward sends to it and name it.")
    static final class AddMember extends Base {
        @Option(names = "--raft-addr", required = true, paramLabel = "HOST:PORT",
            description = "the new member's Raft address")
        String raftAddr;
        @Option(names = "--broker-addr", required = true, paramLabel = "HOST:PORT",
            description = "the new member's client-facing broker address (its listenHost:listenPort)")
        String brokerAddr;

        @Override
        int code() {
            return RequestCode.RAFT_ADD_MEMBER;
        }

        @Override
        Map<String, String> fields() {
            if (!raftAddr.matches("[^:\\s]+:[0-9]{1,5}")) {
                throw new IllegalArgumentException("--raft-addr must be HOST:PORT, got '" + raftAddr + "'");
            }
            if (!brokerAddr.matches("[^:\\s]+:[0-9]{1,5}")) {
                throw new IllegalArgumentException("--broker-addr must be HOST:PORT, got '" + brokerAddr + "'");
            }
            return Map.of(RaftMembershipProcessor.RAFT_ADDR, raftAddr,
                RaftMembershipProcessor.BROKER_ADDR, brokerAddr);
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Make a caught-up learner a voter.")
    static final class Promote extends Base {
        @Option(names = "--lag-max", defaultValue = "1000",
            description = "entries the learner may lag behind the leader (default ${DEFAULT-VALUE})")
        long lagMax;

        @Override
        int code() {
            return RequestCode.RAFT_PROMOTE_MEMBER;
        }

        @Override
        Map<String, String> fields() {
            return Map.of(RaftMembershipProcessor.LAG_ENTRIES_MAX, Long.toString(lagMax));
        }
    }

    @Command(name = "remove-member", mixinStandardHelpOptions = true,
        description = "Remove a voter or learner (the leader too: it steps down once the removal commits).")
    static final class RemoveMember extends Base {
        @Override
        int code() {
            return RequestCode.RAFT_REMOVE_MEMBER;
        }

        @Override
        Map<String, String> fields() {
            return Map.of();
        }
    }

    /** Sends the request to the leader, following redirects; prints the outcome; returns the exit status. */
    static int send(RemotingClient client, String brokerAddr, int code, Map<String, String> fields,
                    long timeoutMs, boolean json) throws InterruptedException {
        String addr = brokerAddr;
        for (int hop = 0; hop <= REDIRECTS_MAX; hop++) {
            RemotingCommand req = RemotingCommand.createRequest(code);
            fields.forEach(req::addExtField);
            RemotingCommand r;
            try {
                r = client.invokeSync(addr, req, timeoutMs);
            } catch (RemotingException e) {
                System.err.println("cannot reach " + addr + ": " + e.getMessage());
                return LeadershipTransfer.FAILED;
            }
            try {
                String leader = r.extFields() == null ? null : r.extFields().get(RaftMembershipProcessor.LEADER_ADDR);
                if (r.code() == ResponseCode.SUCCESS) {
                    String index = r.extFields().get(RaftMembershipProcessor.INDEX);
                    String m = r.extFields().get(RaftMembershipProcessor.MEMBERSHIP);
                    if (json) {
                        JsonWriter w = Output.json().beginObject();
                        Output.str(w, "result", "ok").field("index", Long.parseLong(index));
                        Output.print(Output.str(w, "membership", m).endObject());
                        return LeadershipTransfer.OK;
                    }
                    System.out.println("membership changed at index " + index + ": " + m);
                    System.out.println("RESULT membership=ok index=" + index);
                    return LeadershipTransfer.OK;
                }
                if (r.code() == ResponseCode.SERVICE_NOT_AVAILABLE && leader != null && !leader.isEmpty()
                    && !leader.equals(addr)) {
                    addr = leader;
                    continue;
                }
                System.err.println("membership change failed: " + addr + ": " + r.remark());
                return r.code() == ResponseCode.INVALID_PARAMETER ? LeadershipTransfer.BAD_USAGE
                    : LeadershipTransfer.FAILED;
            } finally {
                r.release();
            }
        }
        System.err.println("the leader kept moving (" + (REDIRECTS_MAX + 1) + " redirects)");
        return LeadershipTransfer.FAILED;
    }
}
