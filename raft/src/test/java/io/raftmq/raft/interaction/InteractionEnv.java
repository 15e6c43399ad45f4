package io.raftmq.raft.interaction;

import io.raftmq.raft.core.ProposeResult;
import io.raftmq.raft.core.RaftConfig;
import io.raftmq.raft.core.RaftNode;
import io.raftmq.raft.core.Ready;
import io.raftmq.raft.core.TransferResult;
import io.raftmq.raft.core.quorum.MajorityConfig;
import io.raftmq.raft.log.Entry;
import io.raftmq.raft.log.MemoryRaftLog;
import io.raftmq.raft.message.RaftMessage;
import io.raftmq.raft.state.HardState;
import io.raftmq.raft.state.MemoryHardStateStore;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Harness for golden interaction scripts: a few {@link RaftNode}s, an ordered in-memory network and commands
 * that drive them by hand (ticks, readies, message delivery, isolation). Randomness is fixed at 0, so every
 * election timeout is exactly {@code electionTicks}. Every command writes what happened to the transcript.
 */
final class InteractionEnv {
    private static final int ELECTION_TICKS = 10;
    private static final int HEARTBEAT_TICKS = 2;

    private final List<RaftNode> nodes = new ArrayList<>();
    private final List<MemoryRaftLog> logs = new ArrayList<>();
    private final List<MemoryHardStateStore> stores = new ArrayList<>();
    private final List<RaftConfig> configs = new ArrayList<>();
    private MajorityConfig voters;
    private final List<RaftMessage> network = new ArrayList<>();
    private final Set<Long> isolated = new HashSet<>();
    private final StringBuilder out = new StringBuilder();

    String run(String command) {
        out.setLength(0);
        String[] args = command.trim().split("\\s+");
        switch (args[0]) {
            case "add-nodes" -> addNodes(args);
            case "tick" -> tick(id(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 1);
            case "tick-election" -> tick(id(args[1]), ELECTION_TICKS);
            case "tick-heartbeat" -> tick(id(args[1]), HEARTBEAT_TICKS);
            case "process-ready" -> processReady(id(args[1]));
            case "deliver-msgs" -> deliver();
            case "stabilize" -> stabilize();
            case "propose" -> propose(id(args[1]), args[2]);
            case "transfer-leadership" -> transfer(id(args[1]), Long.parseLong(args[2]));
            case "isolate" -> isolate(Long.parseLong(args[1]));
            case "peer-unreachable" -> peerUnreachable(id(args[1]), Long.parseLong(args[2]));
            case "campaign-soon" -> campaignSoon(id(args[1]));
            case "restart" -> restart(id(args[1]));
            case "heal" -> {
                isolated.clear();
                line("healed");
            }
            case "status" -> status();
            case "log" -> log(id(args[1]));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
        return out.toString();
    }

    private void addNodes(String[] args) {
        int n = Integer.parseInt(args[1]);
        boolean preVote = !hasFlag(args, "prevote=false");
        boolean checkQuorum = !hasFlag(args, "checkquorum=false");
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i + 1;
        }
        voters = MajorityConfig.of(ids);
        for (int i = 0; i < n; i++) {
            RaftConfig config = new RaftConfig(i + 1, ELECTION_TICKS, HEARTBEAT_TICKS, 4, 1 << 20, 16, 1000,
                checkQuorum, preVote);
            configs.add(config);
            MemoryRaftLog log = new MemoryRaftLog();
            logs.add(log);
            stores.add(new MemoryHardStateStore());
            nodes.add(new RaftNode(config, voters, log, HardState.EMPTY, 0, bound -> 0, () -> null));
        }
        line("added " + n + " nodes (preVote=" + preVote + ", checkQuorum=" + checkQuorum + ")");
    }

    private static boolean hasFlag(String[] args, String flag) {
        for (String a : args) {
            if (a.equalsIgnoreCase(flag)) {
                return true;
            }
        }
        return false;
    }

    private void tick(int idx, int count) {
        RaftNode n = nodes.get(idx);
        for (int i = 0; i < count; i++) {
            n.tick();
        }
        line("node " + n.id() + " ticked " + count + "x: " + n.role() + " term=" + n.term());
    }

    private boolean processReady(int idx) {
        RaftNode n = nodes.get(idx);
        if (!n.hasReady()) {
            return false;
        }
        Ready r = n.ready();
        line("> " + n.id() + " handling Ready");
        if (r.hardState() != null) {
            HardState hs = r.hardState();
            line("  HardState term=" + hs.term() + " vote=" + hs.votedFor() + " commit=" + hs.commitIndex());
        }
        if (!r.entries().isEmpty()) {
            line("  Entries: " + Format.entries(r.entries()));
        }
        for (RaftMessage m : r.earlyMessages()) {
            send("  send (early): ", m);
        }
        logs.get(idx).write(r.entries());
        logs.get(idx).sync();
        if (r.hardState() != null) {
            stores.get(idx).save(r.hardState());
        }
        for (RaftMessage m : r.messages()) {
            send("  send: ", m);
        }
        if (!r.committedEntries().isEmpty()) {
            line("  Apply: " + Format.entries(r.committedEntries()));
        }
        n.advance(r);
        if (!r.entries().isEmpty()) {
            Entry last = r.entries().get(r.entries().size() - 1);
            n.persisted(last.index(), last.term());
        }
        return true;
    }

    private void send(String prefix, RaftMessage m) {
        boolean dropped = isolated.contains(m.from()) || isolated.contains(m.to());
        line(prefix + Format.message(m) + (dropped ? "  (dropped)" : ""));
        if (!dropped) {
            network.add(m);
        }
    }

    private boolean deliver() {
        if (network.isEmpty()) {
            return false;
        }
        List<RaftMessage> batch = new ArrayList<>(network);
        network.clear();
        for (RaftMessage m : batch) {
            line("> " + m.to() + " receiving " + Format.message(m));
            nodes.get((int) m.to() - 1).step(m);
        }
        return true;
    }

    private void stabilize() {
        boolean progress = true;
        for (int round = 0; progress && round < 100; round++) {
            progress = false;
            for (int i = 0; i < nodes.size(); i++) {
                progress |= processReady(i);
            }
            progress |= deliver();
        }
        if (progress) {
            line("did not stabilize within 100 rounds");
        }
    }

    private void propose(int idx, String data) {
        ProposeResult r = nodes.get(idx).propose(Entry.TYPE_APPLICATION_MIN, data.getBytes(StandardCharsets.UTF_8));
        line("propose to " + (idx + 1) + ": " + r);
    }

    private void transfer(int idx, long target) {
        TransferResult r = nodes.get(idx).transferLeadership(target);
        line("transfer " + (idx + 1) + " -> " + target + ": " + r);
    }

    private void isolate(long id) {
        isolated.add(id);
        line("isolated " + id);
    }

    private void peerUnreachable(int idx, long peer) {
        RaftNode n = nodes.get(idx);
        n.peerUnreachable(peer);
        line("node " + n.id() + " told " + peer + " is unreachable: " + n.role() + " term=" + n.term() + " leader="
            + n.leaderId());
    }

    private void campaignSoon(int idx) {
        RaftNode n = nodes.get(idx);
        n.campaignSoon();
        line("node " + n.id() + " started: " + n.role() + " term=" + n.term() + " leader=" + n.leaderId());
    }

    /** A process restart: a new node on the same (synced) log and hard state; messages to the old one are lost. */
    private void restart(int idx) {
        RaftNode old = nodes.get(idx);
        network.removeIf(m -> m.to() == old.id());
        nodes.set(idx, new RaftNode(configs.get(idx), voters, logs.get(idx), stores.get(idx).load(), 0,
            bound -> 0, () -> null));
        line("node " + old.id() + " restarted: " + nodes.get(idx).role() + " term=" + nodes.get(idx).term());
    }

    private void status() {
        for (RaftNode n : nodes) {
            line(n.id() + ": " + n.role() + " term=" + n.term() + " leader=" + n.leaderId() + " commit="
                + n.commitIndex() + " applied=" + n.appliedIndex() + " last=" + n.lastIndex());
        }
    }

    private void log(int idx) {
        MemoryRaftLog log = logs.get(idx);
        List<Entry> es = log.lastIndex() >= log.firstIndex()
            ? log.entries(log.firstIndex(), log.lastIndex() + 1, Long.MAX_VALUE) : List.of();
        line((idx + 1) + ": " + Format.entries(es));
    }

    private int id(String arg) {
        return Integer.parseInt(arg) - 1;
    }

    private void line(String s) {
        out.append(s).append('\n');
    }
}
