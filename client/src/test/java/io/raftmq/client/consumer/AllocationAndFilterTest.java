package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.client.protocol.body.SubscriptionData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the allocation strategies give the assignments written down here (golden; the consistent-hash ones computed
 * apart with a few lines of Python over the same ring rules), shares are disjoint and cover every queue, and
 * consistent hashing moves only the leaving consumer's queues; tag expressions parse as the official client's and
 * match tag strings. Method: fixed queue and consumer lists.
 */
class AllocationAndFilterTest {
    private static List<MessageQueue> queues(int n) {
        List<MessageQueue> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new MessageQueue("T", i < n / 2 ? "broker-a" : "broker-b", i < n / 2 ? i : i - n / 2));
        }
        out.sort(null);
        return out;
    }

    private static List<Integer> ids(List<MessageQueue> all, List<MessageQueue> share) {
        List<Integer> out = new ArrayList<>();
        for (MessageQueue q : share) {
            out.add(all.indexOf(q));
        }
        return out;
    }

    @Test
    void averageGivesContiguousBlocksTheFirstOnesOneMore() {
        List<MessageQueue> qs = queues(8);
        List<String> cs = List.of("c0", "c1", "c2");
        AllocationStrategy avg = AllocationStrategy.AVERAGE;
        assertThat(ids(qs, avg.allocate("c0", qs, cs))).containsExactly(0, 1, 2);
        assertThat(ids(qs, avg.allocate("c1", qs, cs))).containsExactly(3, 4, 5);
        assertThat(ids(qs, avg.allocate("c2", qs, cs))).containsExactly(6, 7);
        List<String> many = List.of("a", "b", "c", "d", "e");
        List<MessageQueue> four = queues(4);
        assertThat(ids(four, avg.allocate("d", four, many))).containsExactly(3);
        assertThat(avg.allocate("e", four, many)).isEmpty();
        assertThat(avg.allocate("stranger", qs, cs)).isEmpty();
    }

    @Test
    void consistentHashGoldenAndOnlyTheLeaversQueuesMove() {
        List<MessageQueue> qs = queues(8);
        List<String> cs = List.of("c0", "c1", "c2");
        AllocationStrategy ch = AllocationStrategy.CONSISTENT_HASH;
        Set<MessageQueue> union = new HashSet<>();
        int total = 0;
        for (String c : cs) {
            List<MessageQueue> share = ch.allocate(c, qs, cs);
            union.addAll(share);
            total += share.size();
        }
        assertThat(union).hasSize(8);
        assertThat(total).isEqualTo(8);
        assertThat(ids(qs, ch.allocate("c0", qs, cs))).containsExactly(0);
        assertThat(ids(qs, ch.allocate("c1", qs, cs))).containsExactly(1, 3, 6);
        assertThat(ids(qs, ch.allocate("c2", qs, cs))).containsExactly(2, 4, 5, 7);
        List<String> two = List.of("c0", "c1");
        for (String c : two) {
            assertThat(ch.allocate(c, qs, two)).containsAll(ch.allocate(c, qs, cs));
        }
        assertThat(AllocationStrategy.md5("c0-0")).isEqualTo(GOLDEN_MD5);
    }

    /** The ring position of "c0-0": MD5's first 4 bytes, little-endian (computed apart with Python's hashlib). */
    private static final long GOLDEN_MD5 = 1_052_317_834L;

    @Test
    void tagExpressionsParseAndMatch() {
        assertThat(TagFilter.parse("*").all()).isTrue();
        assertThat(TagFilter.parse(null).all()).isTrue();
        assertThat(TagFilter.parse(" ").all()).isTrue();
        TagFilter f = TagFilter.parse(" TagA || TagB||TagA ");
        assertThat(f.tags()).containsExactly("TagA", "TagB");
        assertThat(f.matches("TagA")).isTrue();
        assertThat(f.matches("TagC")).isFalse();
        assertThat(f.matches(null)).isFalse();
        assertThat(TagFilter.ALL.matches(null)).isTrue();
        SubscriptionData sd = f.toSubscription("T", 42);
        assertThat(sd.codeSet()).containsExactly("TagA".hashCode(), "TagB".hashCode());
        assertThat(sd.codeSet().get(0)).isEqualTo(2598919); // docs/protocol.md §3.8
        assertThat(sd.subString()).isEqualTo("TagA || TagB||TagA");
        assertThatThrownBy(() -> TagFilter.parse("a || ")).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> TagFilter.parse("a b")).hasMessageContaining("without spaces");
    }
}
