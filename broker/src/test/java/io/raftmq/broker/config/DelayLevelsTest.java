package io.raftmq.broker.config;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The messageDelayLevel setting: RocketMQ's text form, clamping, and clear errors at startup. */
class DelayLevelsTest {
    @Test
    void theDefaultHasRocketMqsEighteenLevels() {
        DelayLevels d = DelayLevels.parse(DelayLevels.DEFAULT_TEXT);
        assertThat(d.count()).isEqualTo(18);
        assertThat(d.delayMs(1)).isEqualTo(1_000);
        assertThat(d.delayMs(3)).isEqualTo(10_000);
        assertThat(d.delayMs(5)).isEqualTo(60_000);
        assertThat(d.delayMs(18)).isEqualTo(7_200_000);
        assertThat(d.clamp(40)).as("above the last level: the last").isEqualTo(18);
        assertThat(d.delayMs(40)).isEqualTo(7_200_000);
        assertThat(d.toString()).isEqualTo(DelayLevels.DEFAULT_TEXT);
        assertThat(DelayLevels.parse("  2s   1d ").delayMs(2)).isEqualTo(86_400_000);
    }

    @Test
    void malformedLevelsAreRefusedNamingTheToken() {
        assertThatThrownBy(() -> DelayLevels.parse("")).hasMessageContaining("at least one");
        assertThatThrownBy(() -> DelayLevels.parse("1s 5x")).hasMessageContaining("'5x'");
        assertThatThrownBy(() -> DelayLevels.parse("1s s")).hasMessageContaining("'s'");
        assertThatThrownBy(() -> DelayLevels.parse("0s")).hasMessageContaining("positive");
        assertThatThrownBy(() -> DelayLevels.parse("400d")).hasMessageContaining("365d");
    }

    @Test
    void theBrokerConfigValidatesTheMessagingSettings() throws Exception {
        BrokerConfig c = BrokerConfig.fromProperties(BrokerConfigTest.base(), "b.properties");
        assertThat(c.messageDelayLevel().count()).isEqualTo(18);
        assertThat(c.timerMaxDelaySec()).isEqualTo(259_200);
        assertThat(c.transactionCheckMax()).isEqualTo(15);
        assertThat(c.toProperties()).containsEntry("messageDelayLevel", DelayLevels.DEFAULT_TEXT);
        assertThatThrownBy(() -> BrokerConfig.fromProperties(with("messageDelayLevel", "1s 2q"), "b.properties"))
            .isInstanceOf(BrokerConfigException.class).hasMessageContaining("messageDelayLevel")
            .hasMessageContaining("'2q'");
        assertThatThrownBy(() -> BrokerConfig.fromProperties(with("transactionCheckMax", "0"), "b.properties"))
            .isInstanceOf(BrokerConfigException.class).hasMessageContaining("transactionCheckMax");
        assertThatThrownBy(() -> BrokerConfig.fromProperties(with("queueLockExpiryMs", "10"), "b.properties"))
            .isInstanceOf(BrokerConfigException.class).hasMessageContaining("queueLockExpiryMs");
    }

    private static Map<String, String> with(String key, String value) {
        Map<String, String> m = new HashMap<>(BrokerConfigTest.base());
        m.put(key, value);
        return m;
    }
}
