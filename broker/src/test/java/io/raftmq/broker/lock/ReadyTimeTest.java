package io.raftmq.broker.lock;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Goal: the ready time is the clock reading at the first observation of each new ready term (injected clock). */
class ReadyTimeTest {
    @Test
    void recordsTheFirstObservationOfEachReadyTerm() {
        long[] term = {0};
        long[] now = {100};
        ReadyTime t = new ReadyTime(() -> term[0], () -> now[0]);
        assertThat(t.observe()).isEqualTo(-1);
        term[0] = 3;
        now[0] = 200;
        assertThat(t.observe()).isEqualTo(200);
        now[0] = 300;
        assertThat(t.observe()).isEqualTo(200);
        term[0] = 0;
        assertThat(t.observe()).isEqualTo(-1);
        term[0] = 5;
        now[0] = 400;
        assertThat(t.observe()).isEqualTo(400);
    }
}
