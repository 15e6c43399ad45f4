package io.raftmq.broker.transaction;

import io.raftmq.broker.produce.InternalSendException;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.StoredMessageEncoder;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Test fixture: an in-memory replicated log behind {@link HalfStore}. Writes and proposals wait in a queue until
 * the test commits them ({@link #commitNext}, {@link #commitAll}) or fails them, so races between resolutions are
 * played out step by step; committing applies the record to the {@link PendingHalves} exactly as the state machine
 * would (a message with its physical offset, an op by its payload) and then completes the proposer's future.
 */
final class TxnLog implements HalfStore {
    static final HostAddress HOST = HostAddress.of(new InetSocketAddress("127.0.0.1", 10911));

    final PendingHalves pending = new PendingHalves();
    final Map<Long, byte[]> messages = new TreeMap<>();
    final List<byte[]> committedMessages = new ArrayList<>();
    final List<TransactionOp> committedOps = new ArrayList<>();
    private final Deque<Runnable> queued = new ArrayDeque<>();
    private final Deque<CompletableFuture<?>> futures = new ArrayDeque<>();
    long term = 1;
    private long nextOffset = 1000;
    private long halfQueueOffset;
    private long index;

    @Override
    public byte[] read(long offset) {
        return messages.get(offset);
    }

    @Override
    public CompletableFuture<?> write(MessageDraft draft) {
        byte[] bytes = new StoredMessageEncoder().encode(draft);
        CompletableFuture<Long> f = new CompletableFuture<>();
        queued.add(() -> f.complete(append(bytes, 0)));
        futures.add(f);
        return f;
    }

    @Override
    public CompletableFuture<?> propose(TransactionOp op) {
        byte[] payload = TransactionOpCodec.encode(op);
        CompletableFuture<Void> f = new CompletableFuture<>();
        queued.add(() -> {
            index++;
            pending.apply(index, payload);
            committedOps.add(TransactionOpCodec.decode(payload));
            f.complete(null);
        });
        futures.add(f);
        return f;
    }

    @Override
    public long readyTerm() {
        return term;
    }

    /** Records waiting for their commit. */
    int queued() {
        return queued.size();
    }

    /** Commits the oldest waiting record. */
    void commitNext() {
        futures.poll();
        queued.poll().run();
    }

    void commitAll() {
        while (!queued.isEmpty()) {
            commitNext();
        }
    }

    /** Fails the oldest waiting record with {@code cause} (nothing is applied). */
    void failNext(Throwable cause) {
        queued.poll();
        futures.poll().completeExceptionally(cause);
    }

    /** Fails the oldest waiting record with {@code code} (nothing is applied). */
    void failNext(int code) {
        queued.poll();
        futures.poll().completeExceptionally(new InternalSendException(code, "test failure"));
    }

    /** Stores a half message as the route and the store would, and applies it; returns its physical offset. */
    long half(String group, long storeTimestamp, String immunity, String uniq) {
        StringBuilder p = new StringBuilder();
        prop(p, "TAGS", "TagA");
        prop(p, "UNIQ_KEY", uniq);
        prop(p, TransactionNames.TRAN_MSG, "true");
        prop(p, TransactionNames.PGROUP, group);
        if (immunity != null) {
            prop(p, TransactionNames.CHECK_IMMUNITY_TIME_IN_SECONDS, immunity);
        }
        prop(p, TransactionNames.REAL_TOPIC, "RealTopic");
        prop(p, TransactionNames.REAL_QID, "3");
        MessageDraft d = new MessageDraft().topic(TransactionNames.HALF_TOPIC).queueId(0).flag(0)
            .body(("body-" + uniq).getBytes(java.nio.charset.StandardCharsets.UTF_8)).properties(p.toString())
            .sysFlag(0).bornTimestamp(storeTimestamp - 1).bornHost(HOST).storeTimestamp(storeTimestamp)
            .storeHost(HOST).reconsumeTimes(0).preparedTransactionOffset(0);
        return append(new StoredMessageEncoder().encode(d), halfQueueOffset++);
    }

    private static void prop(StringBuilder b, String name, String value) {
        b.append(name).append('\u0001').append(value).append('\u0002');
    }

    /** Stamps the offsets, keeps the bytes readable and applies the message; returns its physical offset. */
    private long append(byte[] bytes, long queueOffset) {
        long offset = nextOffset;
        nextOffset += bytes.length;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putLong(StoredMessage.QUEUE_OFFSET_OFFSET, queueOffset);
        b.putLong(StoredMessage.PHYSICAL_OFFSET_OFFSET, offset);
        messages.put(offset, bytes);
        committedMessages.add(bytes);
        index++;
        pending.onApplied(index, offset, new StoredMessage().wrap(b, 0));
        return offset;
    }

    static StoredMessage wrap(byte[] bytes) {
        return new StoredMessage().wrap(ByteBuffer.wrap(bytes), 0);
    }
}
