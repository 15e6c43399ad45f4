package io.raftmq.broker.transaction;

import io.raftmq.broker.entry.EntryFormatException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the TRANSACTION_OP payload is exactly the bytes drawn in {@link TransactionOpCodec} (golden hex written by
 * hand from the layout; it is the log format and must never change), decodes back, and malformed payloads are
 * rejected with {@link EntryFormatException} (the node stops rather than diverge).
 */
class TransactionOpCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void rollbackGoldenBytes() {
        byte[] b = TransactionOpCodec.encode(TransactionOp.rollback(0x0102030405060708L));
        assertThat(HEX.formatHex(b)).isEqualTo("01" + "01" + "0102030405060708" + "00000000");
        assertThat(TransactionOpCodec.decode(b)).isEqualTo(TransactionOp.rollback(0x0102030405060708L));
    }

    @Test
    void checkedGoldenBytes() {
        byte[] b = TransactionOpCodec.encode(TransactionOp.checked(4096, 15));
        assertThat(HEX.formatHex(b)).isEqualTo("01" + "02" + "0000000000001000" + "0000000f");
        assertThat(b).hasSize(TransactionOpCodec.LENGTH);
        assertThat(TransactionOpCodec.decode(b)).isEqualTo(TransactionOp.checked(4096, 15));
    }

    @Test
    void malformedPayloadsAreRejected() {
        byte[] good = TransactionOpCodec.encode(TransactionOp.checked(7, 1));
        assertThatThrownBy(() -> TransactionOpCodec.decode(Arrays.copyOf(good, good.length - 1)))
            .isInstanceOf(EntryFormatException.class);
        assertThatThrownBy(() -> TransactionOpCodec.decode(Arrays.copyOf(good, good.length + 1)))
            .isInstanceOf(EntryFormatException.class);
        assertThatThrownBy(() -> TransactionOpCodec.decode(HEX.parseHex("02020000000000000007" + "00000001")))
            .isInstanceOf(EntryFormatException.class).hasMessageContaining("version");
        assertThatThrownBy(() -> TransactionOpCodec.decode(HEX.parseHex("01030000000000000007" + "00000001")))
            .isInstanceOf(EntryFormatException.class).hasMessageContaining("unknown kind 3");
        assertThatThrownBy(() -> TransactionOpCodec.decode(HEX.parseHex("01020000000000000007" + "00000000")))
            .isInstanceOf(EntryFormatException.class).hasMessageContaining("check count");
        assertThatThrownBy(() -> TransactionOpCodec.decode(HEX.parseHex("0101" + "ffffffffffffffff" + "00000000")))
            .isInstanceOf(EntryFormatException.class);
    }

    @Test
    void opsValidateTheirFields() {
        assertThatThrownBy(() -> TransactionOp.checked(1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TransactionOp.rollback(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
