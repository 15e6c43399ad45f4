package io.raftmq.chaos.bench;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pieces of {@link ClientBench} that decide its verdict without a cluster: the body layout (golden bytes and
 * id round trip), the sequence sets that count missing messages, the histogram's percentiles and the flag parser.
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
    void percentilesAreWithinOneThirtySecondBelow() {
        LatencyHistogram a = new LatencyHistogram();
        LatencyHistogram b = new LatencyHistogram();
        for (int v = 1; v <= 10_000; v++) {
            (v % 2 == 0 ? a : b).record(v);
        }
        a.add(b);
        assertThat(a.count()).isEqualTo(10_000);
        assertThat(a.percentile(0.5)).isBetween(5000L - 5000 / 32, 5000L);
        assertThat(a.percentile(0.99)).isBetween(9900L - 9900 / 32, 9900L);
        assertThat(a.percentile(1.0)).isBetween(10_000L - 10_000 / 32, 10_000L);
        assertThat(new LatencyHistogram().percentile(0.99)).isZero();
        for (int bucket = 0; bucket < LatencyHistogram.BUCKETS - 32; bucket++) {
            assertThat(LatencyHistogram.bucket(LatencyHistogram.lowest(bucket))).isEqualTo(bucket);
        }
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
        assertThatThrownBy(() -> ClientBenchConfig.parse(new String[] {"--size", "8"}))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--size");
        assertThatThrownBy(() -> ClientBenchConfig.parse(new String[] {"--threads"}))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClientBenchConfig.parse(new String[] {"--topic", "a b"}))
            .isInstanceOf(IllegalArgumentException.class);
    }
}
