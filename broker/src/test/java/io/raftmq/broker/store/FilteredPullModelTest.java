package io.raftmq.broker.store;

import io.raftmq.broker.filter.SqlFilter;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.testsupport.Seeds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a pull with a filter (none, tag, SQL92) answers what a plain model of the queue says, whatever its offset
 * and caps: the messages that pass, in queue order, from the pull's offset up to its next offset and none of the
 * rest; no more than the message cap; within the byte cap unless it is a single message; a next offset within the
 * scan cap; and a batch cut short of the scan cap only because it is full. Method: a queue of 400 messages with
 * random tags (A, B, C), random KEYS (x0..x4) and random body sizes, a scan cap of 100 units, then 3,000 pulls at
 * random offsets with random filters and caps, each checked against the model. Seeded ({@code -Dpull.seed=N},
 * printed).
 */
class FilteredPullModelTest {
    private static final int MESSAGES = 400;
    private static final int SCAN_MAX = 100;
    private static final int PULLS = 3_000;
    private static final String[] TAGS = {"A", "B", "C"};

    @TempDir
    Path dir;
    StoreFixture fx;
    BrokerStore bs;
    final List<String> tags = new ArrayList<>();
    final List<String> keys = new ArrayList<>();
    final List<Integer> sizes = new ArrayList<>();

    /** A filter and the model's view of it. */
    private record Case(String name, MessageFilter filter, BiPredicate<String, String> passes) {
    }

    @AfterEach
    void tearDown() throws Exception {
        if (fx != null) {
            fx.close();
        }
    }

    @Test
    void filteredPullsAnswerWhatTheModelSays() throws Exception {
        long seed = Seeds.seed("pull.seed");
        SplittableRandom r = new SplittableRandom(seed);
        fx = new StoreFixture(dir);
        bs = new BrokerStore(fx.store, new StoreReadConfig(32, 256 * 1024, SCAN_MAX, 4, 64, 32),
            ByteBufAllocator.DEFAULT);
        for (int i = 0; i < MESSAGES; i++) {
            String tag = TAGS[r.nextInt(TAGS.length)];
            String key = "x" + r.nextInt(5);
            byte[] m = fx.message("T", 0, tag, key, 20 + r.nextInt(300));
            fx.appendRecord(m);
            tags.add(tag);
            keys.add(key);
            sizes.add(m.length);
        }
        fx.commit();
        List<Case> cases = List.of(
            new Case("all", MessageFilter.ALL, (t, k) -> true),
            new Case("tag A", MessageFilter.ofExpression("A"), (t, k) -> t.equals("A")),
            new Case("tag A||C", MessageFilter.ofExpression("A || C"), (t, k) -> !t.equals("B")),
            new Case("sql rare", MessageFilter.ofSql(SqlFilter.compile("TAGS = 'B' AND KEYS = 'x3'")),
                (t, k) -> t.equals("B") && k.equals("x3")),
            new Case("sql common", MessageFilter.ofSql(SqlFilter.compile("KEYS <> 'x0'")), (t, k) -> !k.equals("x0")),
            new Case("sql in", MessageFilter.ofSql(SqlFilter.compile("KEYS IN ('x1', 'x2') OR TAGS = 'C'")),
                (t, k) -> k.equals("x1") || k.equals("x2") || t.equals("C")));
        for (int i = 0; i < PULLS; i++) {
            Case c = cases.get(r.nextInt(cases.size()));
            int offset = r.nextInt(MESSAGES);
            int messagesMax = 1 + r.nextInt(40);
            int bytesMax = switch (r.nextInt(3)) {
                case 0 -> sizes.get(offset) - 1;
                case 1 -> 1 + r.nextInt(3_000);
                default -> 1 << 20;
            };
            check("seed " + seed + " pull " + i + " " + c.name() + " @" + offset + " max " + messagesMax + " bytes "
                + bytesMax, c, offset, messagesMax, bytesMax);
        }
    }

    private void check(String what, Case c, int offset, int messagesMax, int bytesMax) throws Exception {
        PullResult res = bs.pull("T", 0, offset, messagesMax, bytesMax, c.filter());
        List<Long> got = offsets(res);
        long next = res.nextBeginOffset();
        int messagesCap = Math.min(messagesMax, 32);
        long scanEnd = Math.min(MESSAGES, offset + SCAN_MAX);
        assertThat(next).as(what + ": next offset within the scan").isGreaterThan(offset).isLessThanOrEqualTo(scanEnd);
        List<Long> passing = new ArrayList<>();
        for (long o = offset; o < next; o++) {
            if (c.passes().test(tags.get((int) o), keys.get((int) o))) {
                passing.add(o);
            }
        }
        assertThat(got).as(what + ": exactly the passing messages before the next offset").isEqualTo(passing);
        assertThat(res.status()).as(what).isEqualTo(got.isEmpty() ? PullStatus.NO_MATCHED_MESSAGE : PullStatus.FOUND);
        assertThat(got.size()).as(what + ": message cap").isLessThanOrEqualTo(messagesCap);
        long bytes = got.stream().mapToLong(o -> sizes.get(o.intValue())).sum();
        assertThat(got.size() <= 1 || bytes <= bytesMax).as(what + ": byte cap (" + bytes + ")").isTrue();
        if (next < scanEnd) {
            long firstLeft = -1;
            for (long o = next; o < scanEnd && firstLeft < 0; o++) {
                firstLeft = c.passes().test(tags.get((int) o), keys.get((int) o)) ? o : -1;
            }
            boolean full = got.size() == messagesCap
                || (firstLeft >= 0 && !got.isEmpty() && bytes + sizes.get((int) firstLeft) > bytesMax);
            assertThat(full).as(what + ": stopped at " + next + " before the scan end " + scanEnd
                + " with a batch that is not full (" + got.size() + " messages, " + bytes + " bytes)").isTrue();
        }
    }

    private static List<Long> offsets(PullResult res) {
        List<Long> out = new ArrayList<>();
        ByteBuf body = res.takeBody();
        if (body == null) {
            return out;
        }
        try {
            ByteBuffer copy = ByteBuffer.allocate(body.readableBytes());
            body.getBytes(body.readerIndex(), copy);
            for (String d : StoreFixture.describe(copy.flip())) {
                out.add(Long.parseLong(d.substring(d.indexOf('@') + 1, d.indexOf(':'))));
            }
        } finally {
            body.release();
        }
        return out;
    }
}
