package io.raftmq.broker.processor.send;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the hop count a forwarded send carries reads as members write it: absent 0, "true" (members before the
 * count) 1, a number itself. Method: the pure parser.
 */
class LeaderForwarderHopsTest {
    @Test
    void hopsReadAsWritten() {
        assertThat(LeaderForwarder.hops(null)).isZero();
        assertThat(LeaderForwarder.hops("true")).isEqualTo(1);
        assertThat(LeaderForwarder.hops("1")).isEqualTo(1);
        assertThat(LeaderForwarder.hops("2")).isEqualTo(2);
        assertThat(LeaderForwarder.hops("0")).as("a forwarded send made at least one hop").isEqualTo(1);
        assertThat(LeaderForwarder.hops("x")).isEqualTo(1);
    }
}
