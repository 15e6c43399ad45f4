package io.raftmq.raft.driver;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the driver's small public types keep their contracts: {@link NotLeaderException} carries a node hint and,
 * once a layer that knows addresses attached it, the leader's address; {@link DurabilityMode} round-trips its
 * configuration spelling. Method: plain values.
 */
class DriverTypesTest {
    @Test
    void notLeaderCarriesTheHintAndAnAttachedAddress() {
        NotLeaderException raw = new NotLeaderException(3);
        assertThat(raw.leaderHint()).isEqualTo(3);
        assertThat(raw.leaderAddress()).isNull();
        assertThat(raw).hasMessage("not the leader; leader hint 3");
        NotLeaderException withAddr = raw.withLeaderAddress("10.0.0.3:10911");
        assertThat(withAddr.leaderHint()).isEqualTo(3);
        assertThat(withAddr.leaderAddress()).isEqualTo("10.0.0.3:10911");
        assertThat(withAddr).hasMessage("not the leader; leader hint 3 at 10.0.0.3:10911");
        assertThat(new NotLeaderException(0, null).leaderAddress()).isNull();
    }

    @Test
    void durabilityModesRoundTripTheirSpelling() {
        for (DurabilityMode m : DurabilityMode.values()) {
            assertThat(DurabilityMode.parse(m.text())).isEqualTo(m);
            assertThat(DurabilityMode.parse(m.text().toUpperCase())).isEqualTo(m);
        }
        assertThat(DurabilityMode.QUORUM_FSYNC.text()).isEqualTo("quorum-fsync");
        assertThat(DurabilityMode.QUORUM_MEMORY.text()).isEqualTo("quorum-memory");
        assertThat(DurabilityMode.parse("fsync")).isNull();
    }
}
