package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: a process queue's flow control counts what waits for a listener, and its commit point never passes an
 * unconsumed message whatever order listeners finish in; orderly take/commit/rollback keep order and count failures;
 * the broadcasting offsets file has the drawn layout (golden bytes), survives a round trip and refuses damage.
 * Method: seeded random completion orders (seed printed), fixed files.
 */
class ProcessQueueAndOffsetsTest {
    private static final MessageQueue Q = new MessageQueue("T", "broker-a", 0);

    private static ReceivedMessage msg(long offset, int size) {
        return new ReceivedMessage(Q, "T", offset, 1000 + offset, 0, 0, 0, 0, "id", 0, new byte[0], Map.of(), size);
    }

    @Test
    void flowControlCountsMessagesAndBytesWaiting() {
        ProcessQueue pq = new ProcessQueue(Q, 10);
        List<ReceivedMessage> batch = new ArrayList<>();
        for (long o = 10; o < 20; o++) {
            batch.add(msg(o, 100));
        }
        assertThat(pq.put(batch, 20)).isEqualTo(10);
        assertThat(pq.put(batch.subList(0, 3), 20)).as("a repeated pull adds nothing").isZero();
        assertThat(pq.cachedCount()).isEqualTo(10);
        assertThat(pq.cachedBytes()).isEqualTo(1000);
        assertThat(pq.overLimit(10, 1000)).isFalse();
        assertThat(pq.overLimit(9, 1000)).isTrue();
        assertThat(pq.overLimit(10, 999)).isTrue();
        pq.remove(batch.subList(0, 5));
        assertThat(pq.cachedCount()).isEqualTo(5);
        assertThat(pq.cachedBytes()).isEqualTo(500);
        assertThat(pq.overLimit(9, 999)).isFalse();
    }

    @Test
    void theCommitPointNeverPassesAnUnconsumedMessage() {
        long seed = Seeds.seed("consumer.seed");
        Random rnd = new Random(seed);
        for (int round = 0; round < 200; round++) {
            ProcessQueue pq = new ProcessQueue(Q, 0);
            List<ReceivedMessage> all = new ArrayList<>();
            int n = 1 + rnd.nextInt(40);
            for (long o = 0; o < n; o++) {
                all.add(msg(o, 1));
            }
            pq.put(all, n + rnd.nextInt(3)); // filtered-out messages after the last one count as consumed
            List<ReceivedMessage> order = new ArrayList<>(all);
            Collections.shuffle(order, rnd);
            TreeMap<Long, Boolean> open = new TreeMap<>();
            all.forEach(m -> open.put(m.queueOffset(), true));
            long last = 0;
            for (ReceivedMessage m : order) {
                long commit = pq.remove(List.of(m));
                open.remove(m.queueOffset());
                long lowestOpen = open.isEmpty() ? Long.MAX_VALUE : open.firstKey();
                assertThat(commit).as("seed " + seed).isLessThanOrEqualTo(lowestOpen).isGreaterThanOrEqualTo(last);
                last = commit;
            }
            assertThat(last).as("seed " + seed).isGreaterThanOrEqualTo(n);
        }
    }

    @Test
    void orderlyTakeCommitAndRollback() {
        ProcessQueue pq = new ProcessQueue(Q, 0);
        List<ReceivedMessage> all = List.of(msg(0, 1), msg(1, 1), msg(2, 1));
        pq.put(all, 3);
        assertThat(pq.take(2)).extracting(ReceivedMessage::queueOffset).containsExactly(0L, 1L);
        assertThat(pq.commitPoint()).isZero();
        assertThat(pq.rollbackTaken()).isEqualTo(1);
        assertThat(pq.take(2)).extracting(ReceivedMessage::queueOffset).containsExactly(0L, 1L);
        assertThat(pq.rollbackTaken()).as("second failure of the same batch").isEqualTo(2);
        pq.take(2);
        assertThat(pq.commitTaken()).isEqualTo(2);
        assertThat(pq.take(5)).extracting(ReceivedMessage::queueOffset).containsExactly(2L);
        assertThat(pq.commitTaken()).isEqualTo(3);
        assertThat(pq.cachedBytes()).isZero();
    }

    @Test
    void offsetsFileGoldenBytesRoundTripAndDamage(@TempDir Path dir) throws Exception {
        Map<MessageQueue, Long> offsets = new TreeMap<>();
        offsets.put(new MessageQueue("T", "broker-b", 0), 7L);
        offsets.put(new MessageQueue("T", "broker-a", 1), 42L);
        String text = LocalOffsetStore.format(offsets);
        String content = "raftmq-offsets 1\nT\tbroker-a\t1\t42\nT\tbroker-b\t0\t7\n";
        assertThat(text).isEqualTo(content + "crc32c " + GOLDEN_CRC + "\n");

        LocalOffsetStore store = new LocalOffsetStore(dir, "G");
        offsets.forEach((q, o) -> store.update(q, o, false));
        store.update(new MessageQueue("T", "broker-a", 1), 40L, true);
        store.commit(List.of()).get();
        Path file = dir.resolve("G.offsets");
        assertThat(Files.readString(file)).isEqualTo(text);
        assertThat(new LocalOffsetStore(dir, "G").offset(new MessageQueue("T", "broker-a", 1))).isEqualTo(42);

        Files.writeString(file, text.replace("\t42\n", "\t43\n"));
        assertThatThrownBy(() -> new LocalOffsetStore(dir, "G")).hasMessageContaining("damaged")
            .hasMessageContaining("G.offsets");
        Files.writeString(file, "garbage");
        assertThatThrownBy(() -> new LocalOffsetStore(dir, "G")).hasMessageContaining("no header");
    }

    /** CRC32C of the golden content above (computed apart with a bitwise CRC32C in Python). */
    private static final String GOLDEN_CRC = "94480697";
}
