package io.raftmq.broker.transaction;

import io.netty.buffer.ByteBuf;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.produce.InternalProducer;
import io.raftmq.broker.replication.LeaderReadiness;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.commitlog.message.MessageDraft;

import java.util.concurrent.CompletableFuture;

/**
 * The broker's {@link HalfStore}: halves are read with {@link BrokerStore#viewMessage}, messages written through
 * the {@link InternalProducer} (batched and committed like producers' sends), TRANSACTION_OP entries proposed to
 * the group's Raft log, and readiness taken from {@link LeaderReadiness}.
 *
 * <p>Threads: any.
 */
public final class BrokerHalfStore implements HalfStore {
    private final BrokerStore view;
    private final InternalProducer producer;
    private final MetadataProposer proposer;
    private final LeaderReadiness readiness;

    public BrokerHalfStore(BrokerStore view, InternalProducer producer, MetadataProposer proposer,
                           LeaderReadiness readiness) {
        this.view = view;
        this.producer = producer;
        this.proposer = proposer;
        this.readiness = readiness;
    }

    @Override
    public byte[] read(long offset) {
        ByteBuf b = view.viewMessage(offset);
        if (b == null) {
            return null;
        }
        try {
            byte[] out = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), out);
            return out;
        } finally {
            b.release();
        }
    }

    @Override
    public CompletableFuture<?> write(MessageDraft draft) {
        return producer.submit(draft);
    }

    @Override
    public CompletableFuture<?> propose(TransactionOp op) {
        return proposer.propose(EntryType.TRANSACTION_OP, TransactionOpCodec.encode(op));
    }

    @Override
    public long readyTerm() {
        return readiness.readyTerm();
    }
}
