package io.raftmq.naming;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: configuration is read from a file and flags (flags win), defaults are safe (loopback, 9876, RocketMQ's
 * timers), and every mistake is reported with the offending key.
 */
class NamingConfigTest {
    @Test
    void defaultsAreLoopbackAndRocketMqTimers() {
        NamingConfig c = NamingConfig.fromSettings(Map.of());
        assertThat(c.listen()).isEqualTo("127.0.0.1:9876");
        assertThat(c.brokerExpiryMs()).isEqualTo(120_000);
        assertThat(c.scanIntervalMs()).isEqualTo(5_000);
        assertThat(c.replaceTopicsOnRegistration()).isFalse();
    }

    @Test
    void fileThenFlagsInEitherSpelling(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("naming.properties");
        Files.writeString(file, "listen=0.0.0.0:9877\nbrokerExpiryMs=30000\nscanIntervalMs=1000\n");
        NamingConfig c = NamingConfig.fromSettings(NamingMain.settings(new String[] {
            "-c", file.toString(), "--listen", "127.0.0.2:9999", "--scan-interval-ms=500"}));
        assertThat(c.listenHost()).isEqualTo("127.0.0.2");
        assertThat(c.listenPort()).isEqualTo(9999);
        assertThat(c.brokerExpiryMs()).isEqualTo(30_000);
        assertThat(c.scanIntervalMs()).isEqualTo(500);
    }

    @Test
    void mistakesNameTheKey() {
        assertThatThrownBy(() -> NamingConfig.fromSettings(Map.of("brokerExpiry", "5")))
                .hasMessageContaining("unknown setting 'brokerExpiry'");
        assertThatThrownBy(() -> NamingConfig.fromSettings(Map.of("listen", "9876")))
                .hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> NamingConfig.fromSettings(Map.of("brokerExpiryMs", "2m")))
                .hasMessageContaining("brokerExpiryMs must be a whole number");
        assertThatThrownBy(() -> NamingConfig.fromSettings(Map.of("brokerExpiryMs", "1000", "scanIntervalMs",
                "2000"))).hasMessageContaining("must not exceed");
        assertThatThrownBy(() -> NamingConfig.fromSettings(Map.of("queryThreads", "4294967297")))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> NamingConfig.fromSettings(Map.of("replaceTopicsOnRegistration", "yes")))
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> NamingMain.settings(new String[] {"--listen"}))
                .hasMessageContaining("needs a value");
        assertThatThrownBy(() -> NamingMain.settings(new String[] {"stray"}))
                .hasMessageContaining("unexpected argument");
    }
}
