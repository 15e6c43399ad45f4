package io.raftmq.broker.pop;

import io.netty.buffer.ByteBufAllocator;
import io.raftmq.broker.clients.ClientManager;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.metadata.SubscriptionGroupManager;
import io.raftmq.broker.metadata.TopicConfigManager;
import io.raftmq.broker.replication.BrokerStateMachine;
import io.raftmq.broker.store.BrokerStore;

import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * Wiring of pop consumption (docs/consumer-protocol.md "Pop consumption"): the replicated {@link PopState} is
 * registered with the state machine (entry type {@link EntryType#POP} and the snapshot part) before the raft agent
 * replays the log, and the {@link PopProcessor} is built once the store and the managers serve.
 */
public final class PopFeature {
    private final PopState state = new PopState();

    /** Registers the state's entry type and snapshot part. */
    public void register(BrokerStateMachine sm) {
        sm.register(EntryType.POP, state);
        sm.addSnapshotPart(new PopSnapshotPart(state));
    }

    /** GET_BROKER_RUNTIME_INFO: {@code popInFlight}, the offsets handed out and not acked yet on this member. */
    public void contribute(Map<String, String> table) {
        table.put("popInFlight", Integer.toString(state.inFlightTotal()));
    }

    /** The replicated state. */
    public PopState state() {
        return state;
    }

    /**
     * The processor of {@link PopProcessor#CODES}.
     *
     * @param deadLetters sends an exhausted message to its group's dead-letter queue
     * @param committed   the group's committed consumer offset of a queue (-1: none): where a first pop starts
     * @param timeoutMs   how long a commit may take before answering 1
     */
    public PopProcessor processor(MetadataProposer proposer, BrokerStore store, TopicConfigManager topics,
                                  SubscriptionGroupManager groups, ClientManager clients, String brokerName,
                                  DeadLetters deadLetters, ToLongFunction<PopState.QueueKey> committed,
                                  int maxBytes, LongSupplier clockMs, ScheduledExecutorService scheduler,
                                  long timeoutMs) {
        Popper popper = new Popper(state, proposer, store, deadLetters, committed, ByteBufAllocator.DEFAULT,
            maxBytes);
        return new PopProcessor(state, popper, proposer, topics, groups, clients, brokerName, clockMs, scheduler,
            timeoutMs);
    }
}
