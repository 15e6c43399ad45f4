package io.raftmq.broker.schedule;

import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.SysFlag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the replicated due-message state applies the source rule exactly (only a plain copy outside the parking
 * and check-max topics, with PREPAREDTRANSACTIONOFFSET and REAL_TOPIC, marks its source done), forgets marks once
 * the cursor passes them, caps a progress entry only when messages were parked after the leader's scan, and is
 * rebuilt identically by replaying the same entries into a fresh state and index (what every member does at start).
 */
class DueStateTest {
    private static final long T0 = 1_700_000_000_000L;

    private static MessageDraft copyOf(DueHarness h, long source, String topic, int sysFlag) {
        StoredMessage s = h.read(source);
        return DueHarness.draft(topic, 0, T0 + 5000, MessageProperties.decode(s.properties()), "copy")
            .sysFlag(sysFlag).preparedTransactionOffset(source);
    }

    @Test
    void onlyPlainCopiesWithTheSourceRuleMarkTheirSourceDone(@TempDir Path dir) throws Exception {
        DueHarness h = new DueHarness(dir);
        long src = h.parkTimer(T0 + 2000, T0, "T", 0, "a");
        h.append(copyOf(h, src, "T", SysFlag.TRANSACTION_COMMIT));
        h.append(copyOf(h, src, "TRANS_CHECK_MAX_TIME_TOPIC", 0));
        h.append(copyOf(h, src, DueTime.TIMER_TOPIC, 0)); // in a parking topic: parked again, not a copy
        assertThat(h.state.isDone(src, T0 + 2000)).isFalse();
        h.append(copyOf(h, src, "T", 0));
        assertThat(h.state.isDone(src, T0 + 2000)).isTrue();
        assertThat(h.state.doneMarks()).isEqualTo(1);

        long level = h.parkLevel(2, T0, "T", 1, "b");
        Map<String, String> p = MessageProperties.decode(h.read(level).properties());
        p.remove(DueTime.DELAY); // a delivered level copy has no DELAY: its due time is read from the source
        h.append(DueHarness.draft("T", 1, T0 + 2000, p, "copy-b").preparedTransactionOffset(level));
        assertThat(h.state.isDone(level, T0 + 2000)).isTrue();

        h.state.apply(100, TimerProgressCodec.encode(T0 + 2000, h.state.parked()));
        assertThat(h.state.cursorMs()).isEqualTo(T0 + 2000);
        assertThat(h.state.doneMarks()).as("marks at or below the cursor are forgotten").isZero();
    }

    @Test
    void progressIsCappedOnlyWhenMessagesWereParkedAfterTheScan(@TempDir Path dir) throws Exception {
        DueHarness h = new DueHarness(dir);
        long seen = h.parked();
        h.parkTimer(T0 + 2000, T0, "T", 0, "a");
        h.state.apply(100, TimerProgressCodec.encode(T0 + 5000, seen));
        assertThat(h.state.cursorMs()).isEqualTo(T0 + 1999);
        h.state.apply(101, TimerProgressCodec.encode(T0 + 6000, h.state.parked()));
        assertThat(h.state.cursorMs()).isEqualTo(T0 + 6000);
        h.state.apply(102, TimerProgressCodec.encode(T0 + 1000, h.state.parked()));
        assertThat(h.state.cursorMs()).as("never backwards").isEqualTo(T0 + 6000);
    }

    @Test
    void replayRebuildsTheSameState(@TempDir Path dir) throws Exception {
        DueHarness a = new DueHarness(dir.resolve("a"));
        a.parkTimer(T0 + 2000, T0, "T", 0, "a");
        long b = a.parkLevel(3, T0, "T", 1, "b");
        a.state.apply(1, TimerProgressCodec.encode(T0 + 2500, a.state.parked()));
        a.append(copyOf(a, b, "T", 0));
        a.parkTimer(T0 + 2100, T0 + 10, "T", 0, "late");
        a.parkTimer(T0 + 90_000, T0 + 20, "T", 0, "far");
        DueHarness replay = new DueHarness(dir.resolve("b"));
        long raftIndex = 0;
        for (Map.Entry<Long, byte[]> e : a.log.entrySet()) {
            byte[] bytes = e.getValue().clone();
            replay.log.put(e.getKey(), bytes);
            replay.state.onApplied(++raftIndex, e.getKey(), new StoredMessage().wrap(ByteBuffer.wrap(bytes), 0));
            if (raftIndex == 2) {
                replay.state.apply(++raftIndex, TimerProgressCodec.encode(T0 + 2500, 2));
            }
        }
        assertThat(replay.state.cursorMs()).isEqualTo(a.state.cursorMs()).isEqualTo(T0 + 2500);
        assertThat(replay.state.doneMarks()).isEqualTo(a.state.doneMarks()).isEqualTo(1);
        assertThat(replay.state.lateMessages()).isEqualTo(a.state.lateMessages()).hasSize(1);
        assertThat(replay.index.buckets()).isEqualTo(a.index.buckets());
        assertThat(replay.index.appended()).isEqualTo(a.index.appended());
    }
}
