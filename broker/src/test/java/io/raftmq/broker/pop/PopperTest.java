package io.raftmq.broker.pop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.store.MessageFilter;
import io.raftmq.broker.store.StoreReadConfig;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.store.StoreFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the leader's pop over a real store (docs/consumer-protocol.md "Pop consumption"), on explicit times (no
 * wall clock): new messages are handed out in offset order and only once; an un-acked one comes back when its
 * invisible time has passed with reconsumeTimes + 1 written into the answered copy; an acked one never does; one
 * handed out more often than the group's maximum goes to the dead-letter port and is acked; a tag filter hands out
 * only matching messages and moves past the others. Proposals apply synchronously to the state, as a commit would.
 */
class PopperTest {
    private static final PopState.QueueKey Q = new PopState.QueueKey("g", "T", 0);

    @TempDir
    Path dir;
    private StoreFixture fx;
    private final PopState state = new PopState();
    private final List<Long> deadLettered = new CopyOnWriteArrayList<>();
    private Popper popper;
    private long committed = -1;
    private CompletableFuture<Boolean> dlqAnswer = CompletableFuture.completedFuture(true);

    @BeforeEach
    void open() throws Exception {
        fx = new StoreFixture(dir);
        BrokerStore store = new BrokerStore(fx.store, StoreReadConfig.defaults(), ByteBufAllocator.DEFAULT);
        MetadataProposer proposer = new MetadataProposer() {
            @Override
            public boolean isLeader() {
                return true;
            }

            @Override
            public CompletableFuture<Void> propose(byte type, byte[] payload) {
                assertThat(type).isEqualTo(EntryType.POP);
                state.apply(0, payload);
                return CompletableFuture.completedFuture(null);
            }
        };
        DeadLetters dlq = (group, phys) -> {
            deadLettered.add(phys);
            return dlqAnswer;
        };
        popper = new Popper(state, proposer, store, dlq, k -> committed, ByteBufAllocator.DEFAULT, 1 << 20);
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    /** Pops and returns (offset, reconsumeTimes) pairs read from the answered body. */
    private List<long[]> pop(int max, long now, int maxReconsume, MessageFilter filter) throws Exception {
        Popper.Popped p = popper.pop(Q, max, now, 1000, filter, maxReconsume, false).get(5, TimeUnit.SECONDS);
        List<long[]> out = new ArrayList<>();
        ByteBuf b = p.body();
        if (b == null) {
            assertThat(p.offsets()).isEmpty();
            return out;
        }
        try {
            while (b.isReadable()) {
                int at = b.readerIndex();
                ByteBuf one = b.readSlice(b.getInt(at));
                out.add(new long[] {one.getLong(StoredMessage.QUEUE_OFFSET_OFFSET),
                    one.getInt(StoredMessage.reconsumeTimesOffset(one.getInt(StoredMessage.SYS_FLAG_OFFSET)))});
            }
        } finally {
            b.release();
        }
        assertThat(out.stream().map(x -> x[0]).toList()).isEqualTo(p.offsets());
        return out;
    }

    private static List<Long> offsets(List<long[]> popped) {
        return popped.stream().map(x -> x[0]).toList();
    }

    @Test
    void newMessagesOnceThenTheUnackedOnesAfterTheirInvisibleTime() throws Exception {
        fx.append("T", 0, "TagA", 5);
        fx.commit();
        assertThat(offsets(pop(3, 100, 16, MessageFilter.ALL))).containsExactly(0L, 1L, 2L);
        assertThat(offsets(pop(3, 101, 16, MessageFilter.ALL))).containsExactly(3L, 4L);
        assertThat(pop(3, 102, 16, MessageFilter.ALL)).isEmpty();
        state.apply(new PopEntry.Ack("g", "T", 0, 100, List.of(1L)));
        assertThat(pop(8, 1099, 16, MessageFilter.ALL)).isEmpty();
        List<long[]> again = pop(8, 1100, 16, MessageFilter.ALL);
        assertThat(offsets(again)).containsExactly(0L, 2L);
        assertThat(again).allSatisfy(x -> assertThat(x[1]).isEqualTo(1));
        assertThat(offsets(pop(8, 1101, 16, MessageFilter.ALL))).containsExactly(3L, 4L);
        assertThat(deadLettered).isEmpty();
    }

    @Test
    void aMessageHandedOutMoreThanTheMaximumGoesToTheDeadLetterQueue() throws Exception {
        fx.append("T", 0, "TagA", 1);
        fx.commit();
        assertThat(offsets(pop(1, 0, 1, MessageFilter.ALL))).containsExactly(0L);
        assertThat(pop(1, 1000, 1, MessageFilter.ALL).get(0)[1]).isEqualTo(1); // the one retry allowed
        assertThat(pop(1, 2000, 1, MessageFilter.ALL)).isEmpty();
        assertThat(deadLettered).containsExactly(fx.physicalOffsets.get(0));
        assertThat(state.flights(Q)).isEmpty();
        assertThat(pop(1, 5000, 1, MessageFilter.ALL)).isEmpty();
    }

    @Test
    void aMessageOnItsWayToTheDeadLetterQueueIsSentOnce() throws Exception {
        fx.append("T", 0, "TagA", 1);
        fx.commit();
        dlqAnswer = new CompletableFuture<>();
        assertThat(offsets(pop(1, 0, 0, MessageFilter.ALL))).containsExactly(0L);
        assertThat(pop(1, 1000, 0, MessageFilter.ALL)).isEmpty();
        assertThat(pop(1, 1001, 0, MessageFilter.ALL)).isEmpty(); // the send is still pending: not sent again
        assertThat(deadLettered).hasSize(1);
        assertThat(state.flights(Q)).containsOnlyKeys(0L);
        dlqAnswer.complete(true);
        assertThat(state.flights(Q)).isEmpty();
    }

    @Test
    void aFirstPopStartsAtTheCommittedOffsetOrPinsTheStart() throws Exception {
        fx.append("T", 0, "TagA", 4);
        fx.commit();
        committed = 2;
        assertThat(offsets(pop(8, 0, 16, MessageFilter.ALL))).containsExactly(2L, 3L);
        PopState.QueueKey other = new PopState.QueueKey("g", "T", 1);
        committed = -1;
        assertThat(popper.pop(other, 8, 0, 1000, MessageFilter.ALL, 16, true).get(5, TimeUnit.SECONDS).body())
            .isNull();
        assertThat(state.next(other)).as("the end of the empty queue, pinned").isZero();
        fx.append("T", 1, "TagA", 2);
        fx.commit();
        Popper.Popped p = popper.pop(other, 8, 1, 1000, MessageFilter.ALL, 16, true).get(5, TimeUnit.SECONDS);
        assertThat(p.offsets()).containsExactly(0L, 1L);
        p.body().release();
    }

    @Test
    void aTagFilterHandsOutOnlyMatchingMessagesAndMovesPastTheRest() throws Exception {
        for (int i = 0; i < 6; i++) {
            fx.append("T", 0, i % 2 == 0 ? "TagA" : "TagB", 1);
        }
        fx.commit();
        assertThat(offsets(pop(8, 0, 16, MessageFilter.ofExpression("TagB")))).containsExactly(1L, 3L, 5L);
        assertThat(state.next(Q)).isEqualTo(6);
        assertThat(state.flights(Q)).containsOnlyKeys(1L, 3L, 5L);
    }
}
