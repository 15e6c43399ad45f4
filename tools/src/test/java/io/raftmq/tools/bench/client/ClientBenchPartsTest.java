package io.raftmq.tools.bench.client;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pieces of {@link ClientBench} that decide its verdict without a cluster: the body layout (golden bytes and
 * id round trip), the sequence sets that count missing messages and the flag parser.
 */
class ClientBenchPartsTest {

    @Test
    void bodyHeaderHasTheDrawnLayout() {
        byte[] b = BenchBody.create(24, 0x0102030405060708L, new SplittableRandom(7));
        BenchBody.setId(b, BenchBody.id(3, 0x1122334455L));
        assertThat(HexFormat.of().formatHex(b, 0, 16)).isEqualTo("0102030405060708" + "0000031122334455");
        assertThat(BenchBody.idOf(b, 0x0102030405060708L)).isEqualTo(3L << 40 | 0x1122334455L);
        assertThat(BenchBody.idOf(b, 99)).as("another run's message").isEqualTo(-1);
        long id = BenchBody.idOf(b, 0x0102030405060708L);
        assertThat(BenchBody.thread(id)).isEqualTo(3);
        assertThat(BenchBody.seq(id)).isEqualTo(0x1122334455L);
    }

    @Test
    void missingIsAcknowledgedMinusSeen() {
        SeqBits acked = new SeqBits();
        SeqBits seen = new SeqBits();
        for (long s = 0; s < 200_000; s++) {
            acked.add(s);
            if (s != 5 && s != 150_000) {
                seen.add(s);
            }
        }
        assertThat(seen.add(7)).as("duplicate").isFalse();
        seen.add(300_000); // seen but never acknowledged (an errored send that was stored): not missing
        assertThat(acked.cardinality()).isEqualTo(200_000);
        assertThat(acked.countNotIn(seen)).isEqualTo(2);
        assertThat(seen.contains(150_000)).isFalse();
        assertThat(seen.contains(300_000)).isTrue();
    }

    @Test
    void flagsAreParsedAndChecked() {
        ClientBenchConfig c = ClientBenchConfig.parse(new String[] {"--threads", "8", "--seconds", "10",
            "--producers", "16", "--topic", "T1"});
        assertThat(c.threadsMax()).isEqualTo(8);
        assertThat(c.producersMax()).as("never more producers than threads").isEqualTo(8);
        assertThat(c.durationMs()).isEqualTo(10_000);
        assertThat(c.warmupMs()).isEqualTo(2000);
        assertThat(c.queuesMax()).isEqualTo(16);
        assertThat(c.ratePerSec()).as("unpaced by default").isZero();
        assertThat(ClientBenchConfig.parse(new String[] {"--rate", "3000"}).ratePerSec()).isEqualTo(3000);
        assertThatThrownBy(() -> ClientBenchConfig.parse(new String[] {"--rate", "-1"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate");
        assertThatThrownBy(() -> ClientBenchConfig.parse(new String[] {"--size", "8"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--size");
        assertThatThrownBy(() -> ClientBenchConfig.parse(new String[] {"--threads"}))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientBenchConfig.parse(new String[] {"--topic", "a b"}))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientBenchConfig.parse(new String[] {"--threads", "many"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--threads");
        assertThatThrownBy(() -> ClientBenchConfig.parse(new String[] {"--nope", "1"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--nope");
    }
}
