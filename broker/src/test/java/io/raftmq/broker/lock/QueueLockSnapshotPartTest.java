package io.raftmq.broker.lock;

import io.raftmq.broker.snapshot.SnapshotPart.RestoreMode;
import io.raftmq.client.protocol.body.MessageQueue;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the "queue-locks" snapshot part is exactly the bytes drawn in {@link QueueLockSnapshotPart} (golden hex by
 * hand; locks sorted, so the order locks were granted in does not matter), a table loaded from it decides later lock
 * calls as the original does, absence empties the table, and malformed bytes are refused.
 */
class QueueLockSnapshotPartTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final MessageQueue Q0 = new MessageQueue("t", "b", 0);
    private static final MessageQueue Q1 = new MessageQueue("t", "b", 1);

    private static QueueLockEntry lock(String group, String client, long now, MessageQueue... qs) {
        return new QueueLockEntry(true, now, 0, 60_000, group, client, List.of(qs));
    }

    @Test
    void goldenBytesAndTheSameDecisionsAfterLoad() {
        QueueLockTable t = new QueueLockTable();
        t.apply(lock("g", "c", 0x10, Q1));
        t.apply(lock("g", "c", 0x20, Q0));
        byte[] b = new QueueLockSnapshotPart(t).save();
        String lock0 = "0001" + "67" + "0001" + "74" + "0001" + "62" + "00000000" + "0001" + "63" + "0000000000000020";
        String lock1 = "0001" + "67" + "0001" + "74" + "0001" + "62" + "00000001" + "0001" + "63" + "0000000000000010";
        assertThat(HEX.formatHex(b)).isEqualTo("01" + "00000002" + lock0 + lock1);

        QueueLockTable loaded = new QueueLockTable();
        new QueueLockSnapshotPart(loaded).load(b, RestoreMode.START);
        assertThat(loaded.holder("g", Q0)).isEqualTo("c");
        assertThat(new QueueLockSnapshotPart(loaded).save()).isEqualTo(b);
        long expiredForQ1 = 0x10 + 60_001;
        assertThat(loaded.apply(lock("g", "d", expiredForQ1, Q0, Q1)))
            .isEqualTo(t.apply(lock("g", "d", expiredForQ1, Q0, Q1))).containsExactly(Q1);

        new QueueLockSnapshotPart(loaded).loadAbsent(RestoreMode.INSTALL);
        assertThat(loaded.size()).isZero();
    }

    @Test
    void malformedBytesAreRefused() {
        QueueLockSnapshotPart part = new QueueLockSnapshotPart(new QueueLockTable());
        assertThatThrownBy(() -> part.load(HEX.parseHex("02" + "00000000"), RestoreMode.START))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> part.load(HEX.parseHex("01" + "00000001" + "0001"), RestoreMode.START))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue-locks");
    }
}
