package io.raftmq.broker;

import io.raftmq.broker.config.BrokerConfig;
import io.raftmq.broker.processor.send.SendHold;
import io.raftmq.broker.replication.MemberAddresses;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.broker.retention.RetentionService;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.raft.driver.RaftAgent;
import io.raftmq.raft.driver.RaftStatus;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The member's rows of the GET_BROKER_RUNTIME_INFO table (docs/protocol.md): raft status, send batching and holding,
 * retention and the log's first offset. Reads only the raft agent's published {@link RaftStatus} and counters, so it
 * runs on any thread (the admin processor's). The parts are read through suppliers at each call, as they are created
 * while the member starts.
 */
final class RuntimeInfo {
    private final BrokerConfig config;
    private final MemberAddresses addresses;
    private final Supplier<RaftAgent> agent;
    private final Supplier<SendBatcher> batcher;
    private final Supplier<SendHold> hold;
    private final Supplier<RetentionService> retention;
    private final Supplier<MessageStore> store;

    RuntimeInfo(BrokerConfig config, MemberAddresses addresses, Supplier<RaftAgent> agent,
                Supplier<SendBatcher> batcher, Supplier<SendHold> hold, Supplier<RetentionService> retention,
                Supplier<MessageStore> store) {
        this.config = config;
        this.addresses = addresses;
        this.agent = agent;
        this.batcher = batcher;
        this.hold = hold;
        this.retention = retention;
        this.store = store;
    }

    /** Adds this member's rows to {@code table}. */
    void contribute(Map<String, String> table) {
        RaftAgent a = agent.get();
        RaftStatus s = a.status();
        table.put("raftRole", s.role().name());
        table.put("raftTerm", Long.toString(s.term()));
        table.put("raftCommitIndex", Long.toString(s.commitIndex()));
        table.put("raftAppliedIndex", Long.toString(s.appliedIndex()));
        table.put("raftLastIndex", Long.toString(s.lastIndex()));
        table.put("raftLeaderId", Long.toString(s.leaderId()));
        String leaderAddr = s.leaderId() > 0 ? addresses.brokerAddrOf(s.leaderId()) : null;
        table.put("raftLeaderAddr", leaderAddr == null ? "" : leaderAddr);
        table.put("raftSelfId", config.raftSelfId());
        table.put("raftAddr", config.raftSelf().address());
        table.put("raftMembership", String.valueOf(s.membership()));
        table.put("raftRepairing", Boolean.toString(a.repairing()));
        table.put("raftFailed", Boolean.toString(s.failed()));
        table.put("brokerAddr", config.brokerAddr());
        SendBatcher.Stats b = batcher.get().stats();
        table.put("sendEntriesProposed", Long.toString(b.entriesProposed()));
        table.put("sendCommitted", Long.toString(b.sendsCommitted()));
        table.put("sendFailed", Long.toString(b.sendsFailed()));
        RetentionService r = retention.get();
        table.put("retentionDeletedSegments", Long.toString(r == null ? 0 : r.deletedSegments()));
        table.put("retentionDeletedBytes", Long.toString(r == null ? 0 : r.deletedBytes()));
        MessageStore st = store.get();
        table.put("commitLogMinOffset", Long.toString(st == null ? 0 : st.commitLog().startPosition()));
        SendHold.Stats h = hold.get().stats();
        table.put("sendHeld", Long.toString(h.holds()));
        table.put("sendHoldExpired", Long.toString(h.expired()));
    }
}
