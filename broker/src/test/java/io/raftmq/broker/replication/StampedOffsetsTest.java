package io.raftmq.broker.replication;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.commitlog.dispatch.DispatchConfig;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.store.MessageStoreConfig;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.raft.log.Entry;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the offsets a committed send is answered with, taken from what the raft log filed at append
 * ({@link StampedOffsets}), equal what reading the record back gives ({@link SendBatcher#readOffsets}); entries a
 * truncation removed are never answered from the filed stamps, not even once the index holds a re-appended entry
 * (only the new entry's own term matches, with the new record's offsets); entries pushed out of the rings and entries
 * of a reset log fall back to the read; a filed entry asked for with another message count is an error. Method: a
 * real store from the commitlog test fixture (64 KiB segments) under a {@link CommitLogRaftLog}, seeded bodies of 1-3
 * messages (seed printed by {@link Seeds}), entries appended as the raft agent does.
 */
class StampedOffsetsTest {
    private static final long SEED = Seeds.seed("stamped.seed", 20261206L);
    private static final long NOW_MS = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void filedOffsetsEqualTheReadBack() throws IOException {
        try (MessageStore store = MessageStore.open(config(dir.resolve("s")))) {
            CommitLogRaftLog log = new CommitLogRaftLog(store, dir.resolve("boundary"), () -> NOW_MS, 16);
            List<Entry> entries = entries(StoreFixture.bodies(SEED, 300, 0), 1, 2);
            for (int i = 0; i < entries.size(); i += 7) { // batches of 7 entries, as a busy agent appends
                log.append(entries.subList(i, Math.min(entries.size(), i + 7)));
            }
            int checked = 0;
            for (Entry e : entries) {
                if (e.type() == EntryType.MESSAGE) {
                    assertFiledEqualsReadBack(log, store, e);
                    checked++;
                }
            }
            assertThat(checked).isGreaterThan(200);
            assertThat(log.stampedOffsets().misses()).isZero();
        }
    }

    @Test
    void aTruncatedEntryIsNeverAnsweredFromTheFiledStampsOnlyItsReplacement() throws IOException {
        try (MessageStore store = MessageStore.open(config(dir.resolve("s")))) {
            CommitLogRaftLog log = new CommitLogRaftLog(store, dir.resolve("boundary"), () -> NOW_MS, 16);
            List<Entry> old = entries(StoreFixture.bodies(SEED, 60, 0), 1, 3);
            log.append(old);
            Entry kept = old.get(38);
            Entry replaced = old.get(43);
            long[][] before = filed(log, replaced, count(replaced));
            assertThat(before).isNotNull();

            log.truncateSuffix(41);
            for (Entry e : old.subList(40, old.size())) {
                assertThat(filed(log, e, count(e))).as("index %d after truncation", e.index()).isNull();
            }
            assertFiledEqualsReadBack(log, store, kept);

            // the new leader's entries at the same indices: other bodies, a higher term
            List<Entry> fresh = entries(StoreFixture.bodies(SEED + 1, 30, 5000), 41, 4);
            log.append(fresh);
            assertThat(filed(log, replaced, count(replaced))).as("old term at a re-appended index").isNull();
            Entry now = fresh.get((int) (replaced.index() - 41));
            assertThat(now.index()).isEqualTo(replaced.index());
            long[][] after = assertFiledEqualsReadBack(log, store, now);
            assertThat(after[0][0]).as("the re-appended record's own offsets").isNotEqualTo(before[0][0]);
        }
    }

    @Test
    void entriesPushedOutOrResetAreReadBackAndACountMismatchFails() throws IOException {
        try (MessageStore store = MessageStore.open(config(dir.resolve("s")))) {
            CommitLogRaftLog log = new CommitLogRaftLog(store, dir.resolve("boundary"), () -> NOW_MS, 16);
            List<Entry> all = entries(StoreFixture.bodies(SEED, 1100, 0), 1, 1); // more than the 1024 entry slots
            for (int i = 0; i < all.size(); i += 50) {
                log.append(all.subList(i, Math.min(all.size(), i + 50)));
            }
            Entry first = all.get(1);
            Entry last = all.get(all.size() - 2);
            assertThat(filed(log, first, count(first))).as("pushed out by 1100 later entries").isNull();
            assertFiledEqualsReadBack(log, store, last);
            assertThatThrownBy(() -> filed(log, last, count(last) + 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stamped messages of the committed entry");

            log.stampedOffsets().clearEntries(); // what a snapshot reset does
            assertThat(filed(log, last, count(last))).isNull();
        }
    }

    /** The fixture's store, with the broker's MESSAGE record type (what the read-back checks). */
    private static MessageStoreConfig config(Path root) {
        MessageStoreConfig c = StoreFixture.config(root);
        DispatchConfig d = c.dispatch();
        return new MessageStoreConfig(c.commitLog(), new DispatchConfig(d.directory(), EntryType.MESSAGE,
            d.consumeQueueUnitsPerFile(), d.indexSlotCount(), d.indexEntryCount(), d.checkpointIntervalBytes(),
            d.readChunkBytes()), c.messagesMax());
    }

    /** Asserts that the filed offsets of {@code e} exist and equal the read-back; returns them. */
    private static long[][] assertFiledEqualsReadBack(CommitLogRaftLog log, MessageStore store, Entry e) {
        int n = count(e);
        long[][] filed = filed(log, e, n);
        assertThat(filed).as("entry %d filed", e.index()).isNotNull();
        long[] physical = new long[n];
        long[] queue = new long[n];
        ByteBuffer buffer = ByteBuffer.allocate(store.commitLog().config().recordBytesMax());
        assertThat(SendBatcher.readOffsets(store.commitLog(), buffer, e.index(), physical, queue)).isNull();
        assertThat(filed[0]).as("physical offsets of %d", e.index()).isEqualTo(physical);
        assertThat(filed[1]).as("queue offsets of %d", e.index()).isEqualTo(queue);
        return filed;
    }

    private static long[][] filed(CommitLogRaftLog log, Entry e, int n) {
        long[] physical = new long[n];
        long[] queue = new long[n];
        return log.stampedOffsets().lookup(e.index(), e.term(), n, physical, queue) ? new long[][] {physical, queue}
            : null;
    }

    /** Stored messages in the entry's body. */
    private static int count(Entry e) {
        ByteBuffer b = ByteBuffer.wrap(e.payload());
        int n = 0;
        for (int at = 0; at < b.limit(); at += b.getInt(at + StoredMessage.TOTAL_SIZE_OFFSET)) {
            n++;
        }
        return n;
    }

    /** Raft entries carrying {@code bodies} from {@code first}: message records, every 5th index another type. */
    private static List<Entry> entries(List<ByteBuffer> bodies, long first, long term) {
        List<Entry> out = new ArrayList<>();
        for (ByteBuffer b : bodies) {
            long index = first + out.size();
            byte[] payload = new byte[b.remaining()];
            b.duplicate().get(payload);
            out.add(new Entry(term, index, index % 5 == 0 ? StoreFixture.OTHER : EntryType.MESSAGE, payload));
        }
        return out;
    }
}
