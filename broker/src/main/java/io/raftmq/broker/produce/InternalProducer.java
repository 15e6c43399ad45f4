package io.raftmq.broker.produce;

import io.raftmq.broker.replication.AppendCallback;
import io.raftmq.broker.replication.SendBatcher;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageFormatException;
import io.raftmq.commitlog.message.StoredMessageEncoder;

import java.util.concurrent.CompletableFuture;

/**
 * Appends messages the broker makes itself through the {@link SendBatcher}, so they are batched, replicated and
 * committed exactly like producers' sends; nothing is reported before the Raft commit.
 *
 * <p>Threads: any. Futures complete on the raft agent thread (or the caller's, when refused at once): dependent
 * stages must be short and must not block.
 */
public final class InternalProducer {
    private final SendBatcher batcher;

    /** Where a committed message ended up. */
    public record Stored(long physicalOffset, long queueOffset) {
    }

    public InternalProducer(SendBatcher batcher) {
        this.batcher = batcher;
    }

    /**
     * Encodes {@code draft} (with the store timestamp it holds) and submits it. The future completes once the
     * message is committed and dispatched, or exceptionally with an {@link InternalSendException} carrying the
     * remoting code (14 not leader, 2 busy, 1 outcome unknown, 13 malformed).
     */
    public CompletableFuture<Stored> submit(MessageDraft draft) {
        CompletableFuture<Stored> done = new CompletableFuture<>();
        byte[] bytes;
        try {
            bytes = new StoredMessageEncoder().encode(draft);
        } catch (MessageFormatException | IllegalArgumentException | IllegalStateException e) {
            done.completeExceptionally(new InternalSendException(ResponseCode.MESSAGE_ILLEGAL,
                "cannot encode: " + e.getMessage()));
            return done;
        }
        batcher.submit(bytes, 1, new AppendCallback() {
            @Override
            public void onCommitted(long[] physicalOffsets, long[] queueOffsets, int from, int count) {
                done.complete(new Stored(physicalOffsets[from], queueOffsets[from]));
            }

            @Override
            public void onFailed(int responseCode, String remark) {
                done.completeExceptionally(new InternalSendException(responseCode, remark));
            }
        });
        return done;
    }
}
