package io.raftmq.broker.store;

import io.raftmq.commitlog.store.StoreFixture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmq.commitlog.message.StoredMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: BrokerStore answers the time, offset and lookup queries of docs/protocol.md §2.5/2.10 (store times, search by
 * timestamp, view by physical offset, query by key and unique key, queue bounds, the earliest stored message) from
 * committed data only. Method: a StoreFixture in a temp dir whose n-th message has store time BASE_TS + n * 1000; the
 * test appends records and "commits" them by dispatching.
 */
class BrokerStoreLookupTest {
    @TempDir
    Path dir;
    StoreFixture fx;
    BrokerStore bs;

    @BeforeEach
    void open() throws Exception {
        fx = new StoreFixture(dir);
        bs = new BrokerStore(fx.store, StoreReadConfig.defaults(), ByteBufAllocator.DEFAULT);
    }

    @AfterEach
    void close() throws Exception {
        fx.close();
    }

    @Test
    void timesAndSearchByTimestamp() throws Exception {
        fx.append("T", 0, "TagA", 5); // store times BASE + 0, 1000, ..., 4000
        fx.commit();
        long base = StoreFixture.BASE_TS;
        assertThat(bs.earliestStoreTime("T", 0)).isEqualTo(base);
        assertThat(bs.lastStoreTime("T", 0)).isEqualTo(base + 4000);
        assertThat(bs.storeTimeAt("T", 0, 2)).isEqualTo(base + 2000);
        assertThat(bs.storeTimeAt("T", 0, 5)).isEqualTo(-1);
        assertThat(bs.earliestStoreTime("nope", 0)).isEqualTo(-1);
        assertThat(bs.searchOffset("T", 0, base + 1500, false)).isEqualTo(2);
        assertThat(bs.searchOffset("T", 0, base + 2000, false)).isEqualTo(2);
        assertThat(bs.searchOffset("T", 0, base + 1500, true)).isEqualTo(1);
        assertThat(bs.searchOffset("T", 0, base + 2000, true)).isEqualTo(2);
        assertThat(bs.searchOffset("T", 0, base + 99_000, false)).isEqualTo(5);
        assertThat(bs.searchOffset("T", 0, base + 99_000, true)).isEqualTo(4);
        assertThat(bs.searchOffset("T", 0, 0, false)).isZero();
        assertThat(bs.searchOffset("T", 0, 0, true)).isZero();
        assertThat(bs.searchOffset("nope", 3, base, false)).isZero();
    }

    @Test
    void viewByPhysicalOffsetAndRejectBogusOffsets() throws Exception {
        fx.append("T", 0, "TagA", 3);
        fx.commit();
        long phys = fx.physicalOffsets.get(1);
        ByteBuf m = bs.viewMessage(phys);
        try {
            ByteBuffer copy = ByteBuffer.allocate(m.readableBytes());
            m.getBytes(m.readerIndex(), copy);
            assertThat(StoreFixture.describe(copy.flip())).containsExactly("T@1:m1");
            assertThat(new StoredMessage().wrap(copy, 0).physicalOffset()).isEqualTo(phys);
        } finally {
            m.release();
        }
        assertThat(bs.viewMessage(phys + 1)).isNull();
        assertThat(bs.viewMessage(phys - 48)).isNull();
        assertThat(bs.viewMessage(-5)).isNull();
        assertThat(bs.viewMessage(Long.MAX_VALUE)).isNull();
        assertThat(bs.viewMessage(bs.committedPosition() - 3)).isNull();
    }

    @Test
    void queryByKeyAndUniqueKeyRechecksTopicAndKey() throws Exception {
        fx.append("T", 0, "TagA", 3); // keys "k0 common", "k1 common", "k2 common"
        fx.append("U", 0, "TagA", 1); // key "k3 common" on another topic
        fx.commit();
        QueryResult byKey = bs.queryMessages("T", "common", 64, 0, Long.MAX_VALUE, false);
        assertThat(byKey.messageCount()).isEqualTo(3);
        assertThat(byKey.indexLastUpdatePhyoffset()).isEqualTo(bs.committedPosition());
        assertThat(byKey.indexLastUpdateTimestamp()).isEqualTo(StoreFixture.BASE_TS + 2000);
        assertThat(describe(byKey.body())).containsExactlyInAnyOrder("T@0:m0", "T@1:m1", "T@2:m2");
        QueryResult one = bs.queryMessages("T", "k1", 64, 0, Long.MAX_VALUE, false);
        assertThat(describe(one.body())).containsExactly("T@1:m1");
        QueryResult uniq = bs.queryMessages("T", StoreFixture.uniqKey(2), 64, 0, Long.MAX_VALUE, true);
        assertThat(describe(uniq.body())).containsExactly("T@2:m2");
        QueryResult otherTopic = bs.queryMessages("T", "k3", 64, 0, Long.MAX_VALUE, false);
        assertThat(otherTopic.messageCount()).isZero();
        assertThat(otherTopic.body()).isNull();
        QueryResult limited = bs.queryMessages("T", "common", 2, 0, Long.MAX_VALUE, false);
        assertThat(limited.messageCount()).isEqualTo(2);
        limited.body().release();
    }

    private static List<String> describe(ByteBuf body) {
        try {
            ByteBuffer copy = ByteBuffer.allocate(body.readableBytes());
            body.getBytes(body.readerIndex(), copy);
            return StoreFixture.describe(copy.flip());
        } finally {
            body.release();
        }
    }

    @Test
    void storeViewBoundsAreZeroForUnknownQueues() throws Exception {
        assertThat(bs.minOffset("nope", 0)).isZero();
        assertThat(bs.maxOffset("nope", 0)).isZero();
        fx.append("T", 2, "TagA", 4);
        fx.commit();
        assertThat(bs.minOffset("T", 2)).isZero();
        assertThat(bs.maxOffset("T", 2)).isEqualTo(4);
        assertThat(bs.maxOffset("T", 1)).isZero();
    }

    @Test
    void earliestMessageIsTheOldestOverAllQueues() throws Exception {
        assertThat(bs.earliestMessageStoreTime()).isEqualTo(-1);
        fx.append("T", 3, "TagA", 2); // BASE_TS, BASE_TS + 1000
        fx.append("U", 0, "TagA", 2); // BASE_TS + 2000, + 3000
        assertThat(bs.earliestMessageStoreTime()).as("uncommitted").isEqualTo(-1);
        fx.commit();
        assertThat(bs.earliestMessageStoreTime()).isEqualTo(StoreFixture.BASE_TS);
    }
}
