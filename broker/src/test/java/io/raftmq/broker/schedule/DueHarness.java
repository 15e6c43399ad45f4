package io.raftmq.broker.schedule;

import io.raftmq.broker.config.DelayLevels;
import io.raftmq.broker.produce.InternalSendException;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.StoredMessageEncoder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * Test fixture: one replicated due-message state (what every member derives by replaying the log) over an in-memory
 * "commit log" (position to stored message bytes), with deliveries and progress proposals that the test commits
 * (applies in order), fails or leaves pending, so a leader's {@link DueDelivery} can be driven tick by tick with a
 * manual clock.
 */
final class DueHarness {
    static final DelayLevels LEVELS = DelayLevels.parse("1s 2s 3s");
    private static final HostAddress HOST = HostAddress.of(new byte[] {127, 0, 0, 1}, 10911);

    final TreeMap<Long, byte[]> log = new TreeMap<>();
    final DueIndex index;
    final DueState state;
    /** Deliveries and progress proposals not yet committed, in proposal order. */
    final List<Pending> pending = new ArrayList<>();
    /** Every committed delivered copy, in commit order: (source position, copy). */
    final List<Map.Entry<Long, StoredMessage>> copies = new ArrayList<>();
    boolean autoCommit = true;
    /** TIMER_PROGRESS entries committed. */
    long progressEntries;
    private long nextPhys = 4096;
    private long raftIndex;

    /** A proposal awaiting the test's verdict. */
    record Pending(MessageDraft draft, byte[] progress, CompletableFuture<Object> future) {
    }

    DueHarness(Path dir) throws IOException {
        index = new DueIndex(dir);
        state = new DueState(LEVELS, index, this::sourceDue);
    }

    private long sourceDue(long phys) {
        StoredMessage m = read(phys);
        return DueTime.dueMs(m.topic(), m.queueId(), m.storeTimestamp(), m.properties(), LEVELS);
    }

    StoredMessage read(long phys) {
        return new StoredMessage().wrap(ByteBuffer.wrap(log.get(phys)), 0);
    }

    /** A delivery service for a leader whose readiness is {@code readyTerm[0]}. */
    DueDelivery delivery(long[] readyTerm, java.util.function.Predicate<String> topicExists) {
        return new DueDelivery(state, index, (phys, size) -> {
            byte[] b = log.get(phys);
            if (b == null || b.length != size) {
                throw new IllegalArgumentException("no message of " + size + " bytes at " + phys);
            }
            return ByteBuffer.wrap(b);
        }, this::deliver, this::propose, topicExists, () -> readyTerm[0]);
    }

    private CompletableFuture<?> deliver(MessageDraft d) {
        Pending p = new Pending(d, null, new CompletableFuture<>());
        return submit(p);
    }

    private CompletableFuture<?> propose(byte[] payload) {
        return submit(new Pending(null, payload, new CompletableFuture<>()));
    }

    private CompletableFuture<?> submit(Pending p) {
        if (autoCommit) {
            commit(p);
        } else {
            pending.add(p);
        }
        return p.future;
    }

    /** Parked messages applied so far. */
    long parked() {
        return state.parked();
    }

    /** Commits every pending proposal in order. */
    void commitPending() {
        List<Pending> l = new ArrayList<>(pending);
        pending.clear();
        l.forEach(this::commit);
    }

    /** Commits the pending proposal {@code p} (applies it on "every member"). */
    void commit(Pending p) {
        pending.remove(p);
        if (p.draft != null) {
            StoredMessage copy = read(append(p.draft));
            copies.add(Map.entry(copy.preparedTransactionOffset(), copy));
        } else {
            state.apply(++raftIndex, p.progress);
            progressEntries++;
        }
        p.future.complete(null);
    }

    /** Fails every pending proposal with {@code code} (14: lost leadership, not committed). */
    void failPending(int code) {
        List<Pending> l = new ArrayList<>(pending);
        pending.clear();
        l.forEach(p -> p.future.completeExceptionally(new InternalSendException(code, "test")));
    }

    /** Appends and applies a message; returns its position. */
    long append(MessageDraft d) {
        byte[] bytes = new StoredMessageEncoder().encode(d);
        long phys = nextPhys;
        nextPhys += bytes.length;
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putLong(StoredMessage.PHYSICAL_OFFSET_OFFSET, phys);
        log.put(phys, bytes);
        state.onApplied(++raftIndex, phys, new StoredMessage().wrap(b, 0));
        return phys;
    }

    /** Parks a delay-level message stored at {@code storeMs} for {@code topic}/{@code queue}. */
    long parkLevel(int level, long storeMs, String topic, int queue, String body) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(MessageProperties.UNIQ_KEY, body);
        p.put(DueTime.DELAY, Integer.toString(level));
        p.put(DueTime.REAL_TOPIC, topic);
        p.put(DueTime.REAL_QID, Integer.toString(queue));
        return append(draft(DueTime.SCHEDULE_TOPIC, level - 1, storeMs, p, body));
    }

    /** Parks a timer message due at {@code dueMs}. */
    long parkTimer(long dueMs, long storeMs, String topic, int queue, String body) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(MessageProperties.UNIQ_KEY, body);
        p.put(DueTime.TIMER_DELIVER_MS, Long.toString(dueMs));
        p.put(DueTime.TIMER_OUT_MS, Long.toString(dueMs));
        p.put(DueTime.REAL_TOPIC, topic);
        p.put(DueTime.REAL_QID, Integer.toString(queue));
        return append(draft(DueTime.TIMER_TOPIC, 0, storeMs, p, body));
    }

    static MessageDraft draft(String topic, int queue, long storeMs, Map<String, String> props, String body) {
        return new MessageDraft().topic(topic).queueId(queue).body(body.getBytes(StandardCharsets.UTF_8))
            .properties(MessageProperties.encode(props)).bornTimestamp(storeMs - 1).bornHost(HOST)
            .storeTimestamp(storeMs).storeHost(HOST);
    }
}
