package io.raftmq.broker.store;

import io.raftmq.broker.filter.SqlFilter;
import io.raftmq.commitlog.store.StoreFixture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.raftmq.commitlog.CommitLog;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: BrokerStore's pulls serve exactly the committed (dispatched) messages of a real MessageStore with the
 * statuses, next offsets, tag filtering and caps of docs/protocol.md §2.4 (the time/offset/lookup queries of
 * 2.5/2.10 are {@link BrokerStoreLookupTest}'s). Method: a StoreFixture in a temp dir; the test appends records and
 * "commits" them by dispatching; bodies are decoded with the commitlog's flyweight and compared by topic, stamped
 * queue offset and message number, and byte for byte with the CommitLog's own crc-checked record reads; retention
 * races run seeded (seed printed), 5 times.
 */
class BrokerStoreTest {
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

    private static List<String> take(PullResult r) {
        ByteBuf body = r.takeBody();
        if (body == null) {
            return List.of();
        }
        try {
            ByteBuffer copy = ByteBuffer.allocate(body.readableBytes());
            body.getBytes(body.readerIndex(), copy);
            return StoreFixture.describe(copy.flip());
        } finally {
            body.release();
        }
    }

    @Test
    void foundReturnsCommittedMessagesInOrderWithNextOffset() throws Exception {
        fx.append("T", 0, "TagA", 5);
        fx.commit();
        PullResult r = bs.pull("T", 0, 1, 32, Integer.MAX_VALUE, MessageFilter.ALL);
        assertThat(r.status()).isEqualTo(PullStatus.FOUND);
        assertThat(r.nextBeginOffset()).isEqualTo(5);
        assertThat(r.minOffset()).isZero();
        assertThat(r.maxOffset()).isEqualTo(5);
        assertThat(r.messageCount()).isEqualTo(4);
        assertThat(take(r)).containsExactly("T@1:m1", "T@2:m2", "T@3:m3", "T@4:m4");
    }

    @Test
    void boundaryStatusesFollowTheSpecTable() throws Exception {
        assertThat(bs.pull("T", 0, 0, 32, 1 << 20, MessageFilter.ALL).status())
            .isEqualTo(PullStatus.NO_MESSAGE_IN_QUEUE);
        PullResult unknownAt5 = bs.pull("T", 0, 5, 32, 1 << 20, MessageFilter.ALL);
        assertThat(unknownAt5.status()).isEqualTo(PullStatus.NO_MESSAGE_IN_QUEUE);
        assertThat(unknownAt5.nextBeginOffset()).isZero();
        fx.append("T", 0, "TagA", 3);
        fx.commit();
        PullResult one = bs.pull("T", 0, 3, 32, 1 << 20, MessageFilter.ALL);
        assertThat(one.status()).isEqualTo(PullStatus.OFFSET_OVERFLOW_ONE);
        assertThat(one.nextBeginOffset()).isEqualTo(3);
        PullResult badly = bs.pull("T", 0, 9, 32, 1 << 20, MessageFilter.ALL);
        assertThat(badly.status()).isEqualTo(PullStatus.OFFSET_OVERFLOW_BADLY);
        assertThat(badly.nextBeginOffset()).isEqualTo(3);
        assertThat(badly.maxOffset()).isEqualTo(3);
    }

    @Test
    void undispatchedDataIsNeverServed() throws Exception {
        fx.append("T", 0, "TagA", 3);
        fx.commit();
        fx.append("T", 0, "TagA", 2); // appended, not committed
        assertThat(bs.maxOffset("T", 0)).isEqualTo(3);
        PullResult r = bs.pull("T", 0, 0, 32, 1 << 20, MessageFilter.ALL);
        assertThat(take(r)).containsExactly("T@0:m0", "T@1:m1", "T@2:m2");
        assertThat(r.nextBeginOffset()).isEqualTo(3);
        assertThat(bs.pull("T", 0, 3, 32, 1 << 20, MessageFilter.ALL).status())
            .isEqualTo(PullStatus.OFFSET_OVERFLOW_ONE);
        long uncommittedPhys = fx.physicalOffsets.get(3);
        assertThat(bs.viewMessage(uncommittedPhys)).isNull();
        fx.commit();
        assertThat(take(bs.pull("T", 0, 3, 32, 1 << 20, MessageFilter.ALL))).containsExactly("T@3:m3", "T@4:m4");
    }

    @Test
    void tagFilterSkipsOtherTagsAndReportsRetryWhenNothingMatches() throws Exception {
        for (int i = 0; i < 6; i++) {
            fx.append("T", 0, i % 2 == 0 ? "TagA" : "TagB", 1);
        }
        fx.commit();
        PullResult a = bs.pull("T", 0, 0, 32, 1 << 20, MessageFilter.ofExpression("TagA"));
        assertThat(take(a)).containsExactly("T@0:m0", "T@2:m2", "T@4:m4");
        assertThat(a.nextBeginOffset()).isEqualTo(6);
        PullResult both = bs.pull("T", 0, 0, 32, 1 << 20, MessageFilter.ofExpression(" TagA || TagB "));
        assertThat(both.messageCount()).isEqualTo(6);
        both.release();
        PullResult none = bs.pull("T", 0, 1, 32, 1 << 20, MessageFilter.ofExpression("TagC"));
        assertThat(none.status()).isEqualTo(PullStatus.NO_MATCHED_MESSAGE);
        assertThat(none.nextBeginOffset()).isEqualTo(6);
        assertThat(MessageFilter.ofExpression("*").matchesAll()).isTrue();
        assertThat(MessageFilter.ofExpression("").matchesAll()).isTrue();
        assertThat(MessageFilter.ofExpression("TagA").matches(2598919)).isTrue();
    }

    @Test
    void sqlFilterKeepsOnlyMessagesWhosePropertiesPassAndMovesPastTheRest() throws Exception {
        for (int i = 0; i < 6; i++) {
            fx.append("T", 0, i % 2 == 0 ? "TagA" : "TagB", 1);
        }
        fx.commit();
        MessageFilter sql = MessageFilter.ofSql(SqlFilter.compile("TAGS = 'TagB' AND KEYS <> 'k3 common'"));
        PullResult r = bs.pull("T", 0, 0, 32, 1 << 20, sql);
        assertThat(r.status()).isEqualTo(PullStatus.FOUND);
        assertThat(r.messageCount()).isEqualTo(2);
        assertThat(take(r)).containsExactly("T@1:m1", "T@5:m5");
        assertThat(r.nextBeginOffset()).isEqualTo(6);
        PullResult capped = bs.pull("T", 0, 0, 1, 1 << 20, sql);
        assertThat(take(capped)).as("the cap counts passing messages; the next offset follows the last")
            .containsExactly("T@1:m1");
        assertThat(capped.nextBeginOffset()).isEqualTo(2);
        PullResult two = bs.pull("T", 0, 0, 2, 1 << 20, sql);
        assertThat(take(two)).as("more candidates are read until the batch is full").containsExactly("T@1:m1",
            "T@5:m5");
        assertThat(two.nextBeginOffset()).isEqualTo(6);
        PullResult one = bs.pull("T", 0, 1, 1, 1 << 20, MessageFilter.ALL);
        int size = one.bodyBytes();
        one.release();
        PullResult byBytes = bs.pull("T", 0, 0, 32, size + 1, sql);
        assertThat(take(byBytes)).containsExactly("T@1:m1");
        assertThat(byBytes.nextBeginOffset()).as("at the first passing message that did not fit").isEqualTo(5);
        PullResult none = bs.pull("T", 0, 2, 32, 1 << 20, MessageFilter.ofSql(SqlFilter.compile("TAGS = 'TagC'")));
        assertThat(none.status()).isEqualTo(PullStatus.NO_MATCHED_MESSAGE);
        assertThat(none.nextBeginOffset()).isEqualTo(6);
        assertThat(none.takeBody()).isNull();
        assertThat(sql.matchesAll()).isFalse();
        assertThat(sql.matches(12345)).as("SQL92 passes every tag code to the property stage").isTrue();
    }

    @Test
    void messageAndByteCapsLimitTheAnswerButNeverBelowOneMessage() throws Exception {
        fx.append("T", 0, "TagA", 40);
        fx.commit();
        PullResult capped = bs.pull("T", 0, 0, 1000, Integer.MAX_VALUE, MessageFilter.ALL);
        assertThat(capped.messageCount()).isEqualTo(32); // pullMessagesMax
        assertThat(capped.nextBeginOffset()).isEqualTo(32);
        capped.release();
        PullResult two = bs.pull("T", 0, 0, 2, Integer.MAX_VALUE, MessageFilter.ALL);
        assertThat(take(two)).containsExactly("T@0:m0", "T@1:m1");
        PullResult first = bs.pull("T", 0, 5, 1, Integer.MAX_VALUE, MessageFilter.ALL);
        int size = first.bodyBytes(); // messages 5..9 all have the same size (keys "k5 common" .. "k9 common")
        first.release();
        PullResult bytes = bs.pull("T", 0, 5, 32, 3 * size - 1, MessageFilter.ALL);
        assertThat(bytes.messageCount()).isEqualTo(2);
        assertThat(bytes.bodyBytes()).isLessThanOrEqualTo(3 * size - 1);
        assertThat(bytes.nextBeginOffset()).isEqualTo(7);
        bytes.release();
        PullResult tiny = bs.pull("T", 0, 5, 32, 1, MessageFilter.ALL);
        assertThat(tiny.messageCount()).isEqualTo(1);
        tiny.release();
        BrokerStore small = new BrokerStore(fx.store, new StoreReadConfig(4, 2 * size, 100, 1, 64, 32),
                ByteBufAllocator.DEFAULT);
        PullResult cfg = small.pull("T", 0, 0, 32, Integer.MAX_VALUE, MessageFilter.ALL);
        assertThat(cfg.messageCount()).isEqualTo(2);
        cfg.release();
    }

    @Test
    void interleavedBatchRecordsAcrossSegmentsAreSlicedExactly() throws Exception {
        List<String> expectA = new ArrayList<>();
        int n = 0;
        for (int r = 0; r < 150; r++) {
            byte[] a = fx.message("A", 1, "TagA", "ka", 300 + r * 7 % 200);
            expectA.add("A@" + r + ":m" + n++);
            byte[] b = fx.message("B", 0, "TagB", "kb", 900);
            n++;
            fx.appendRecord(a, b);
            if (r % 10 == 0) {
                fx.appendOther();
            }
        }
        fx.commit();
        assertThat(fx.store.commitLog().endPosition()).isGreaterThan(3 * 64 * 1024); // several segments
        List<String> got = new ArrayList<>();
        long offset = 0;
        while (offset < 150) {
            PullResult r = bs.pull("A", 1, offset, 7, Integer.MAX_VALUE, MessageFilter.ALL);
            assertThat(r.status()).isEqualTo(PullStatus.FOUND);
            ByteBuf body = r.takeBody();
            assertStoredBytes(body, logImage());
            r = new PullResult(r.status(), r.nextBeginOffset(), r.minOffset(), r.maxOffset(), r.messageCount(), body);
            got.addAll(take(r));
            offset = r.nextBeginOffset();
        }
        assertThat(got).isEqualTo(expectA);
        assertThat(bs.maxOffset("B", 0)).isEqualTo(150);
    }

    @Test
    void runsOfOneQueuesMessagesInARecordAreServedExactly() throws Exception {
        List<String> expectA = new ArrayList<>();
        int n = 0;
        int a = 0;
        for (int r = 0; r < 120; r++) {
            byte[] a1 = fx.message("A", 2, "TagA", "k", 200 + r % 50);
            byte[] a2 = fx.message("A", 2, r % 3 == 0 ? "Other" : "TagA", "k", 310);
            byte[] a3 = fx.message("A", 2, "TagA", "k", 420);
            byte[] b = fx.message("B", 0, "TagB", "kb", 500);
            for (int k = 0; k < 3; k++) {
                if (k != 1 || r % 3 != 0) {
                    expectA.add("A@" + a + ":m" + n);
                }
                a++;
                n++;
            }
            n++;
            fx.appendRecord(a1, a2, a3, b); // three messages of A/2 back to back, then one of B
        }
        fx.commit();
        assertThat(fx.store.commitLog().endPosition()).isGreaterThan(3 * 64 * 1024); // several segments
        List<String> got = new ArrayList<>();
        long offset = 0;
        MessageFilter tagA = MessageFilter.ofExpression("TagA");
        while (offset < a) {
            PullResult r = bs.pull("A", 2, offset, 11, Integer.MAX_VALUE, tagA);
            assertThat(r.status()).isEqualTo(PullStatus.FOUND);
            ByteBuf body = r.takeBody();
            assertStoredBytes(body, logImage());
            r = new PullResult(r.status(), r.nextBeginOffset(), r.minOffset(), r.maxOffset(), r.messageCount(), body);
            got.addAll(take(r));
            offset = r.nextBeginOffset();
        }
        assertThat(got).isEqualTo(expectA);
    }

    /**
     * Asserts that {@code body} is a sequence of whole messages, each byte for byte the stored message that starts
     * at one of the fixture's physical offsets, as the CommitLog's own crc-checked record read shows it.
     */
    /** Takes the pull's body (if any), checks it against the stored image and releases it. */
    private void assertBodyStored(PullResult r, byte[] image) {
        ByteBuf body = r.takeBody();
        if (body != null) {
            try {
                assertStoredBytes(body, image);
            } finally {
                body.release();
            }
        }
    }

    private void assertStoredBytes(ByteBuf body, byte[] image) {
        int at = body.readerIndex();
        while (at < body.writerIndex()) {
            int size = body.getInt(at + StoredMessage.TOTAL_SIZE_OFFSET);
            long phys = body.getLong(at + StoredMessage.PHYSICAL_OFFSET_OFFSET);
            assertThat(fx.physicalOffsets).contains(phys);
            byte[] served = new byte[size];
            body.getBytes(at, served);
            assertThat(served).isEqualTo(Arrays.copyOfRange(image, (int) phys, (int) phys + size));
            at += size;
        }
        assertThat(at).isEqualTo(body.writerIndex());
    }

    /** The retained log as bytes by absolute position, from whole-record (crc-checked) CommitLog reads. */
    private byte[] logImage() {
        CommitLog log = fx.store.commitLog();
        byte[] image = new byte[(int) log.endPosition()];
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long pos = log.startPosition();
        while (pos < log.endPosition()) {
            buf.clear();
            long first = log.read(pos, buf);
            buf.flip().get(0, image, (int) first, buf.limit());
            pos = first + buf.limit();
        }
        return image;
    }

    @Test
    void pullServesTheStoredBytesExactlyWithFilterAndCaps() throws Exception {
        for (int i = 0; i < 120; i++) {
            fx.appendRecord(fx.message("T", 0, i % 3 == 0 ? "TagB" : "TagA", "k", 200 + i * 13 % 700));
        }
        fx.commit();
        byte[] image = logImage();
        MessageFilter[] filters = {MessageFilter.ALL, MessageFilter.ofExpression("TagA"),
            MessageFilter.ofExpression("TagB")};
        int[] expected = {120, 80, 40};
        for (int f = 0; f < filters.length; f++) {
            long offset = 0;
            int served = 0;
            while (offset < 120) {
                PullResult r = bs.pull("T", 0, offset, 1000, 4000, filters[f]);
                assertThat(r.status()).isIn(PullStatus.FOUND, PullStatus.NO_MATCHED_MESSAGE);
                assertThat(r.messageCount()).isLessThanOrEqualTo(32);
                assertThat(r.bodyBytes()).isLessThanOrEqualTo(Math.max(4000, 1000));
                assertBodyStored(r, image);
                served += r.messageCount();
                offset = r.nextBeginOffset();
            }
            assertThat(served).as("filter %s", f).isEqualTo(expected[f]);
        }
    }

    @Test
    void messagesDeletedByRetentionAreReportedRemovedNotServed() throws Exception {
        for (int i = 0; i < 200; i++) {
            fx.appendRecord(fx.message("T", 0, "TagA", "k", 900));
        }
        fx.commit();
        assertThat(fx.store.commitLog().deleteExpired(Long.MAX_VALUE, Long.MAX_VALUE)).isPositive();
        long start = fx.store.commitLog().startPosition();
        int firstKept = 0;
        while (fx.physicalOffsets.get(firstKept) < start) {
            firstKept++;
        }
        // the ConsumeQueue still points below the new log start (its own cleanup has not run yet)
        PullResult gone = bs.pull("T", 0, 0, 32, Integer.MAX_VALUE, MessageFilter.ALL);
        assertThat(gone.status()).isEqualTo(PullStatus.MESSAGE_WAS_REMOVING);
        assertThat(gone.nextBeginOffset()).isEqualTo(1);
        assertThat(bs.storeTimeAt("T", 0, 0)).isEqualTo(-1);
        assertThat(bs.viewMessage(fx.physicalOffsets.get(0))).isNull();
        PullResult kept = bs.pull("T", 0, firstKept, 32, Integer.MAX_VALUE, MessageFilter.ALL);
        assertThat(kept.status()).isEqualTo(PullStatus.FOUND);
        assertThat(take(kept).get(0)).isEqualTo("T@" + firstKept + ":m" + firstKept);
    }

    @RepeatedTest(5)
    void retentionRacingPullsNeverServesWrongBytes() throws Exception {
        long seed = Seeds.seed("store.seed");
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 400;
        for (int i = 0; i < n; i++) {
            fx.appendRecord(fx.message("T", 0, "TagA", "k", 300 + i * 7 % 900));
        }
        fx.commit();
        byte[] image = logImage();
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger pulls = new AtomicInteger();
        AtomicInteger raced = new AtomicInteger();
        CompletableFuture<int[]> puller = CompletableFuture.supplyAsync(() -> {
            int[] statuses = new int[PullStatus.values().length];
            while (!done.get()) {
                PullResult r;
                try {
                    r = bs.pull("T", 0, rnd.nextInt(n), 1 + rnd.nextInt(32), Integer.MAX_VALUE, MessageFilter.ALL);
                } catch (StoreReadException e) { // typed and retryable: the ConsumeQueue lost the race
                    assertThat(e.getMessage()).contains("racing its retention");
                    raced.incrementAndGet();
                    continue;
                }
                statuses[r.status().ordinal()]++;
                pulls.incrementAndGet();
                assertBodyStored(r, image);
            }
            return statuses;
        });
        for (long floor = 1; floor <= n + 1; floor += 5) {
            awaitMore(pulls, pulls.get() + 3, puller); // interleave: a few pulls between retention steps
            fx.store.deleteExpired(floor, Long.MAX_VALUE);
        }
        done.set(true);
        int[] statuses = puller.get(60, TimeUnit.SECONDS);
        assertThat(statuses[PullStatus.FOUND.ordinal()]).isPositive();
        assertThat(fx.store.commitLog().startPosition()).isGreaterThan(fx.physicalOffsets.get(n / 2));
        assertThat(statuses[PullStatus.OFFSET_TOO_SMALL.ordinal()]).isPositive();
        assertThat(raced.get()).as("pulls failed by the ConsumeQueue race").isLessThan(pulls.get());
        PullResult r = bs.pull("T", 0, 0, 32, Integer.MAX_VALUE, MessageFilter.ALL);
        assertThat(r.status()).isEqualTo(PullStatus.OFFSET_TOO_SMALL);
    }

    private static void awaitMore(AtomicInteger counter, int target, CompletableFuture<?> worker) {
        Awaits.await("puller progress").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1)).until(() -> {
            if (worker.isDone()) {
                worker.join(); // surfaces the worker's failure
            }
            return counter.get() >= target;
        });
    }
}
