package io.raftmq.client.producer;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: UNIQ_KEY ids have the official layout (docs/protocol.md §3.3, {@link UniqIds}): 32 uppercase hex characters
 * of ip, pid, salt, ms since the month's start (UTC) and a counter (golden string), and do not repeat.
 */
class UniqIdsTest {
    @Test
    void layoutGolden() {
        UniqIds ids = new UniqIds(new byte[] {10, 0, 0, 1}, 0x1234, 0xCAFEBABE);
        // 2026-12-06T00:00:01.5Z is 5 days + 1.5 s after 2026-12-01: 432_001_500 ms = 0x19BFD1DC
        long now = java.time.Instant.parse("2026-12-06T00:00:01.500Z").toEpochMilli();
        assertThat(ids.next(now)).isEqualTo("0A000001" + "1234" + "CAFEBABE" + "19BFD1DC" + "0000");
        assertThat(ids.next(now)).isEqualTo("0A000001" + "1234" + "CAFEBABE" + "19BFD1DC" + "0001");
        assertThat(ids.format(0, 0xFFFF1)).endsWith("00000000FFF1");
        long nextMonth = java.time.Instant.parse("2027-01-01T00:00:00.007Z").toEpochMilli();
        assertThat(ids.next(nextMonth)).isEqualTo("0A000001" + "1234" + "CAFEBABE" + "00000007" + "0002");
    }

    @Test
    void processIdsAreUniqueAndWellFormed() {
        Set<String> seen = new HashSet<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < 10_000; i++) {
            String id = UniqIds.process().next(now);
            assertThat(id).hasSize(32).matches("[0-9A-F]{32}");
            assertThat(seen.add(id)).isTrue();
        }
    }
}
