package io.raftmq.broker.transaction;

import io.raftmq.broker.snapshot.SnapshotPart.RestoreMode;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the "transaction-halves" snapshot part is exactly the bytes drawn in {@link PendingHalvesSnapshotPart}
 * (golden hex by hand), loads back the same pending halves with their check counts (a null producer group
 * included), absence empties the table, the floor is the lowest pending offset, and malformed bytes are refused.
 */
class PendingHalvesSnapshotPartTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void goldenBytesAndLoad() {
        PendingHalves p = new PendingHalves();
        p.replaceAll(List.of(new PendingHalves.Half(0x100, 0x200, "pg", 12, 3),
            new PendingHalves.Half(0x300, 0x400, null, -1, 0)));
        byte[] b = new PendingHalvesSnapshotPart(p).save();
        assertThat(HEX.formatHex(b)).isEqualTo("01" + "00000002"
            + "0000000000000100" + "0000000000000200" + "000000000000000c" + "00000003" + "0002" + "7067"
            + "0000000000000300" + "0000000000000400" + "ffffffffffffffff" + "00000000" + "ffff");
        assertThat(p.lowestOffset()).isEqualTo(0x100);

        PendingHalves loaded = new PendingHalves();
        new PendingHalvesSnapshotPart(loaded).load(b, RestoreMode.INSTALL);
        assertThat(loaded.snapshot()).isEqualTo(p.snapshot());
        new PendingHalvesSnapshotPart(loaded).loadAbsent(RestoreMode.START);
        assertThat(loaded.size()).isZero();
        assertThat(loaded.lowestOffset()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void malformedBytesAreRefused() {
        PendingHalvesSnapshotPart part = new PendingHalvesSnapshotPart(new PendingHalves());
        String half = "0000000000000100" + "0000000000000200" + "000000000000000c" + "00000003" + "ffff";
        assertThatThrownBy(() -> part.load(HEX.parseHex("01" + "00000002" + half + half), RestoreMode.START))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not increasing");
        assertThatThrownBy(() -> part.load(HEX.parseHex("01" + "00000001" + half + "00"), RestoreMode.START))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");
    }
}
