package io.raftmq.broker.schedule;

import io.raftmq.broker.entry.EntryFormatException;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: TIMER_PROGRESS payloads are exactly the bytes drawn in {@link TimerProgressCodec} (golden hex written by
 * hand from the layout; it is the log format and must never change), decode back, and malformed payloads are
 * rejected with {@link EntryFormatException}.
 */
class TimerProgressCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void goldenBytes() {
        byte[] b = TimerProgressCodec.encode(0x0102030405060708L, 0x090a0b0c0d0e0f10L);
        assertThat(HEX.formatHex(b)).isEqualTo("01" + "0102030405060708" + "090a0b0c0d0e0f10");
        assertThat(TimerProgressCodec.decode(b)).isEqualTo(new TimerProgressCodec.Progress(0x0102030405060708L,
            0x090a0b0c0d0e0f10L));
        assertThat(HEX.formatHex(TimerProgressCodec.encode(0, 0))).isEqualTo("01" + "0000000000000000"
            + "0000000000000000");
    }

    @Test
    void rejectsMalformedPayloads() {
        assertThatThrownBy(() -> TimerProgressCodec.decode(HEX.parseHex("01" + "0000000000000001")))
            .isInstanceOf(EntryFormatException.class).hasMessageContaining("17 bytes");
        assertThatThrownBy(() -> TimerProgressCodec.decode(HEX.parseHex("02" + "0000000000000001"
            + "0000000000000000")))
            .isInstanceOf(EntryFormatException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> TimerProgressCodec.decode(HEX.parseHex("01" + "8000000000000000"
            + "0000000000000000")))
            .isInstanceOf(EntryFormatException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> TimerProgressCodec.encode(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
