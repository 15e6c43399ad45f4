package io.raftmq.chaos.fault;

import io.raftmq.testsupport.Seeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The power-loss cut on temp files (seeded, seed printed): the durable prefix is always kept, an un-fsynced suffix
 * is zeroed from a point between the durable mark and the data end, a preallocated file keeps its fsynced length,
 * and a file that grew past its fsynced size is truncated back.
 */
class PowerLossCutTest {
    @TempDir
    Path dir;

    @Test
    void keepsTheDurablePrefixAndCutsInsideTheUnsyncedSuffix() throws IOException {
        Random random = new Random(Seeds.seed("chaos.seed"));
        for (int i = 0; i < 50; i++) {
            Path f = dir.resolve("seg" + i);
            byte[] data = new byte[4096];
            Arrays.fill(data, 0, 3000, (byte) 7); // 3000 data bytes, then preallocated zeros
            Files.write(f, data);
            PowerLoss.Cut c = PowerLoss.cutFile(f, new PowerLoss.Durable(1000, 4096), random);
            byte[] after = Files.readAllBytes(f);
            assertThat(after).hasSize(4096); // fsynced length kept
            assertThat(c.cutAt()).isBetween(1000L, 3000L);
            for (int b = 0; b < 4096; b++) {
                assertThat(after[b]).as("byte " + b).isEqualTo(b < c.cutAt() ? (byte) 7 : 0);
            }
        }
    }

    @Test
    void anAppendedFileIsTruncatedBackAndAFullyDurableOneIsUntouched() throws IOException {
        Random random = new Random(Seeds.seed("chaos.seed"));
        Path grown = dir.resolve("grown");
        Files.write(grown, filled(2000));
        PowerLoss.Cut c = PowerLoss.cutFile(grown, new PowerLoss.Durable(500, 500), random);
        assertThat(Files.size(grown)).isEqualTo(c.cutAt()).isBetween(500L, 2000L);

        Path durable = dir.resolve("durable");
        Files.write(durable, filled(800));
        PowerLoss.Cut none = PowerLoss.cutFile(durable, new PowerLoss.Durable(800, 800), random);
        assertThat(none.lostBytes()).isZero();
        assertThat(Files.readAllBytes(durable)).isEqualTo(filled(800));
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 1);
        return b;
    }
}
