package io.raftmq.broker.pop;

import io.raftmq.broker.entry.EntryFormatException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the POP payload is exactly the layout drawn in {@link PopCodec} (golden hex written by hand from the drawing;
 * it is the log format and must never change), every op round-trips, and malformed payloads fail with
 * {@link EntryFormatException}.
 */
class PopCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void modeGoldenBytes() {
        byte[] b = PopCodec.encode(new PopEntry.Mode("t", "g", true, 2));
        assertThat(HEX.formatHex(b)).isEqualTo("01" + "01" + "000174" + "000167" + "01" + "00000002");
        assertThat(PopCodec.decode(b)).isEqualTo(new PopEntry.Mode("t", "g", true, 2));
    }

    @Test
    void popGoldenBytes() {
        PopEntry.Pop p = new PopEntry.Pop("g", "t", 3, 1000, 5000, -1, 10, 12, List.of(10L, 4L));
        byte[] b = PopCodec.encode(p);
        assertThat(HEX.formatHex(b)).isEqualTo("01" + "02" + "000167" + "000174" + "00000003"
            + "00000000000003e8" + "0000000000001388" + "ffffffffffffffff" + "000000000000000a"
            + "000000000000000c" + "00000002" + "000000000000000a" + "0000000000000004");
        assertThat(PopCodec.decode(b)).isEqualTo(p);
    }

    @Test
    void ackAndChangeGoldenBytes() {
        PopEntry.Ack a = new PopEntry.Ack("g", "t", 1, 7, List.of(5L));
        byte[] b = PopCodec.encode(a);
        assertThat(HEX.formatHex(b)).isEqualTo("01" + "03" + "000167" + "000174" + "00000001"
            + "0000000000000007" + "00000001" + "0000000000000005");
        assertThat(PopCodec.decode(b)).isEqualTo(a);
        PopEntry.Change c = new PopEntry.Change("g", "t", 0, 9, 7, 8, 1000);
        byte[] cb = PopCodec.encode(c);
        assertThat(HEX.formatHex(cb)).isEqualTo("01" + "04" + "000167" + "000174" + "00000000"
            + "0000000000000009" + "0000000000000007" + "0000000000000008" + "00000000000003e8");
        assertThat(PopCodec.decode(cb)).isEqualTo(c);
    }

    @Test
    void batchGoldenBytes() {
        PopEntry.Batch b = new PopEntry.Batch(List.of(new PopEntry.Ack("g", "t", 1, 7, List.of(5L)),
            new PopEntry.Change("g", "t", 0, 9, 7, 8, 1000)));
        byte[] bytes = PopCodec.encode(b);
        assertThat(HEX.formatHex(bytes)).isEqualTo("01" + "05" + "0002"
            + "03" + "000167" + "000174" + "00000001" + "0000000000000007" + "00000001" + "0000000000000005"
            + "04" + "000167" + "000174" + "00000000" + "0000000000000009" + "0000000000000007"
            + "0000000000000008" + "00000000000003e8");
        assertThat(PopCodec.decode(bytes)).isEqualTo(b);
        byte[] empty = HEX.parseHex("01" + "05" + "0000");
        assertThatThrownBy(() -> PopCodec.decode(empty)).isInstanceOf(EntryFormatException.class)
            .hasMessageContaining("BATCH of 0");
        byte[] nested = PopCodec.encode(new PopEntry.Batch(List.of(new PopEntry.Ack("g", "t", 1, 7, List.of()))));
        nested[4] = 2; // a POP op inside a BATCH
        assertThatThrownBy(() -> PopCodec.decode(nested)).isInstanceOf(EntryFormatException.class)
            .hasMessageContaining("op 2 inside a BATCH");
        assertThatThrownBy(() -> PopCodec.encode(new PopEntry.Batch(List.of(new PopEntry.Mode("t", "g", true, 0)))))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PopCodec.encode(new PopEntry.Batch(List.of())))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsMalformedPayloadsAndEntries() {
        byte[] good = PopCodec.encode(new PopEntry.Ack("g", "t", 1, 7, List.of(5L)));
        assertThatThrownBy(() -> PopCodec.decode(Arrays.copyOf(good, good.length - 1)))
            .isInstanceOf(EntryFormatException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> PopCodec.decode(Arrays.copyOf(good, good.length + 1)))
            .isInstanceOf(EntryFormatException.class).hasMessageContaining("trailing");
        byte[] badOp = good.clone();
        badOp[1] = 9;
        assertThatThrownBy(() -> PopCodec.decode(badOp)).hasMessageContaining("unknown op 9");
        byte[] negative = good.clone();
        negative[negative.length - 8] = (byte) 0x80;
        assertThatThrownBy(() -> PopCodec.decode(negative)).hasMessageContaining("negative");
        byte[] backwards = PopCodec.encode(new PopEntry.Pop("g", "t", 0, 1, 1, 0, 5, 5, List.of()));
        backwards[backwards.length - 5] = 4; // to = 4 < from = 5
        assertThatThrownBy(() -> PopCodec.decode(backwards)).hasMessageContaining("from after to");
        assertThatThrownBy(() -> PopCodec.encode(new PopEntry.Pop("g", "t", 0, 1, 1, 0, 6, 5, List.of())))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PopCodec.encode(new PopEntry.Mode(null, "g", true, 0)))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
