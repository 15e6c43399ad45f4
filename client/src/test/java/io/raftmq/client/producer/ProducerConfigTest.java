package io.raftmq.client.producer;

import io.raftmq.client.protocol.body.MessageQueue;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: producer settings are validated once with messages that name the bad setting, defaults are the documented
 * ones, and the queue selectors pick as documented (round robin; one queue per key hash).
 */
class ProducerConfigTest {
    @Test
    void defaultsAndValidation() {
        ProducerConfig c = ProducerConfig.builder().namesrv("127.0.0.1:9876;10.0.0.2:9876").group("PG").build();
        assertThat(c.client().namesrvAddrs()).containsExactly("127.0.0.1:9876", "10.0.0.2:9876");
        assertThat(c.sendTimeoutMs()).isEqualTo(3000);
        assertThat(c.retriesMax()).isEqualTo(2);
        assertThat(c.compressThresholdBytes()).isEqualTo(4096);
        assertThat(c.bodyBytesMax()).isEqualTo(4 << 20);
        assertThat(c.client().routeRefreshMs()).isEqualTo(30_000);
        assertThatThrownBy(() -> ProducerConfig.builder().group("PG").build())
            .hasMessageContaining("namesrv addresses are required");
        assertThatThrownBy(() -> ProducerConfig.builder().namesrv("nohostport").group("PG").build())
            .hasMessageContaining("'nohostport' is not host:port");
        assertThatThrownBy(() -> ProducerConfig.builder().namesrv("h:1").build()).hasMessageContaining("group");
        assertThatThrownBy(() -> ProducerConfig.builder().namesrv("h:1").group("PG").retriesMax(17).build())
            .hasMessageContaining("retriesMax must be 0..16, got 17");
        assertThatThrownBy(() -> ProducerConfig.builder().namesrv("h:1").group("PG").bodyBytesMax(5 << 20)
            .build()).hasMessageContaining("bodyBytesMax must be 1..4194304");
        assertThatThrownBy(() -> ProducerConfig.builder().namesrv("h:1").group("PG").sendTimeoutMs(0).build())
            .hasMessageContaining("sendTimeoutMs");
        assertThatThrownBy(() -> ProducerConfig.builder().namesrv("h:1").group("PG").retryBackoffMs(50, 10)
            .build()).hasMessageContaining("retryBackoffMsMax");
        assertThatThrownBy(() -> ProducerConfig.builder().namesrv("h:1").group("PG").faultBackoffMs(100, 10)
            .build()).hasMessageContaining("faultBackoffMsMax (10) must be >= faultBackoffMsMin (100)");
        assertThatThrownBy(() -> ProducerConfig.builder().namesrv("h:1").group("PG").ioThreads(0).build())
            .hasMessageContaining("ioThreads");
        assertThat(c.slowSendProbeMs()).isEqualTo(200);
        assertThatThrownBy(() -> ProducerConfig.builder().namesrv("h:1").group("PG").slowSendProbeMs(3000).build())
            .hasMessageContaining("slowSendProbeMs must be 0 (off) or 10..sendTimeoutMs-1 (2999), got 3000");
    }

    @Test
    void selectors() {
        List<MessageQueue> qs = List.of(new MessageQueue("T", "a", 0), new MessageQueue("T", "a", 1),
            new MessageQueue("T", "b", 0));
        MessageQueueSelector rr = MessageQueueSelector.roundRobin();
        Message m = Message.of("T", "x");
        assertThat(List.of(rr.select(qs, m, null), rr.select(qs, m, null), rr.select(qs, m, null),
            rr.select(qs, m, null))).containsExactly(qs.get(0), qs.get(1), qs.get(2), qs.get(0));
        MessageQueueSelector byKey = MessageQueueSelector.byKeyHash();
        assertThat(byKey.select(qs, m, "order-42")).isEqualTo(qs.get(Math.floorMod("order-42".hashCode(), 3)));
        assertThat(byKey.select(qs, m.keys("k9"), null)).isEqualTo(qs.get(Math.floorMod("k9".hashCode(), 3)));
        assertThat(byKey.select(qs, Message.of("T", "y"), null)).isEqualTo(qs.get(0));
    }
}
