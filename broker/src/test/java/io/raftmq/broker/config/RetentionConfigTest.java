package io.raftmq.broker.config;

import io.raftmq.broker.retention.RetentionSettings;
import org.junit.jupiter.api.Test;

import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the retention settings (RocketMQ's names and defaults: fileReservedTime 72 h, deleteWhen "04",
 * diskMaxUsedSpaceRatio 75, diskSpaceCleanForciblyRatio 85, diskSpaceWarningLevelRatio 90, cleanResourceInterval
 * 10 s, deleteFileBatchMax 10) load, fileReservedTimeMs overrides the hours, and every bad value is refused with a
 * message naming the file and the key. Method: the valid base of {@link BrokerConfigTest}, one setting changed per
 * case.
 */
class RetentionConfigTest {
    private static final String SRC = "broker-x.properties";

    private static BrokerConfig load(String... kv) throws BrokerConfigException {
        Map<String, String> m = BrokerConfigTest.base();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return BrokerConfig.fromProperties(m, SRC);
    }

    private static void assertRejected(String key, String value, String expected) {
        assertThatThrownBy(() -> load(key, value)).isInstanceOf(BrokerConfigException.class)
            .hasMessageStartingWith(SRC + ": " + key.split(",")[0]).hasMessageContaining(expected);
    }

    @Test
    void defaultsAreRocketMqs() throws Exception {
        BrokerConfig c = load();
        assertThat(c.fileReservedTime()).isEqualTo(72);
        assertThat(c.fileReservedMs()).isEqualTo(72L * 3_600_000);
        assertThat(c.deleteWhenHours()).containsExactly(4);
        assertThat(c.diskMaxUsedSpaceRatio()).isEqualTo(75);
        assertThat(c.diskSpaceCleanForciblyRatio()).isEqualTo(85);
        assertThat(c.diskSpaceWarningLevelRatio()).isEqualTo(90);
        assertThat(c.cleanResourceInterval()).isEqualTo(10_000);
        assertThat(c.deleteFileBatchMax()).isEqualTo(10);
        RetentionSettings s = RetentionSettings.from(c, ZoneOffset.UTC);
        assertThat(s.maxUsedRatio()).isEqualTo(0.75);
        assertThat(s.forciblyRatio()).isEqualTo(0.85);
        assertThat(s.warningRatio()).isEqualTo(0.90);
        assertThat(s.reservedMs()).isEqualTo(72L * 3_600_000);
    }

    @Test
    void millisecondsOverrideHoursAndSeveralDeleteHoursParse() throws Exception {
        BrokerConfig c = load("fileReservedTime", "5", "fileReservedTimeMs", "1500", "deleteWhen", "01;04; 23");
        assertThat(c.fileReservedMs()).isEqualTo(1500);
        assertThat(c.deleteWhenHours()).containsExactlyInAnyOrder(1, 4, 23);
        assertThat(load("fileReservedTime", "5").fileReservedMs()).isEqualTo(5 * 3_600_000L);
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        assertRejected("fileReservedTime", "0", "at least 1 (hours)");
        assertRejected("fileReservedTimeMs", "-1", "must be >= 1");
        assertRejected("deleteWhen", "24", "hours 00..23");
        assertRejected("deleteWhen", "4am", "hours 00..23");
        assertRejected("deleteWhen", ";", "at least one hour");
        assertRejected("diskMaxUsedSpaceRatio", "100", "percentage in [1, 99]");
        assertRejected("diskSpaceWarningLevelRatio", "0", "percentage in [1, 99]");
        assertRejected("cleanResourceInterval", "5", "at least 10");
        assertRejected("deleteFileBatchMax", "0", "must be >= 1");
        assertRejected("retentionFollowerSilentMsMax", "0", "must be >= 1");
    }

    @Test
    void ratiosMustRiseFromMaxUsedToForciblyToWarning() throws Exception {
        assertThatThrownBy(() -> load("diskMaxUsedSpaceRatio", "90")).isInstanceOf(BrokerConfigException.class)
            .hasMessage(SRC + ": diskSpaceCleanForciblyRatio: must be >= diskMaxUsedSpaceRatio (90), got 85");
        assertThatThrownBy(() -> load("diskSpaceCleanForciblyRatio", "95")).isInstanceOf(BrokerConfigException.class)
            .hasMessage(SRC + ": diskSpaceWarningLevelRatio: must be >= diskSpaceCleanForciblyRatio (95), got 90");
        BrokerConfig equal = load("diskMaxUsedSpaceRatio", "80", "diskSpaceCleanForciblyRatio", "80",
            "diskSpaceWarningLevelRatio", "80");
        assertThat(equal.diskSpaceWarningLevelRatio()).isEqualTo(80);
    }
}
