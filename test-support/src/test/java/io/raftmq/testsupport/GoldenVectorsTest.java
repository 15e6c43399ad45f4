package io.raftmq.testsupport;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: every golden vector ships on the class path and reads back exactly: each {@code .bin} equals the hex line of
 * its {@code .hex} twin, the README lists numbers 01-36, and a missing name fails loudly. Also: a seed given as a
 * system property is the seed used. Method: read through {@link GoldenVectors} and {@link Seeds} only.
 */
class GoldenVectorsTest {
    private static final String[] BIN_WITH_HEX = {
        "01_get_routeinfo_request_json", "02_get_routeinfo_request_rocketmq", "03_send_message_v2_request_json",
        "04_send_message_v2_request_rocketmq", "05_send_message_response_json", "06_pull_message_request_json",
        "07_pull_message_request_rocketmq", "08_stored_message_v1", "09_stored_message_ipv6", "10_batch_body",
        "12_heartbeat_request_json", "28_error_response_json", "29_query_consumer_offset_response_json",
        "30_pull_response_found_json", "31_heartbeat_response_json", "32_pull_response_not_found_json",
        "33_send_message_response_rocketmq", "34_notify_consumer_ids_changed_json",
        "35_check_transaction_state_json", "36_dledger_entry",
    };

    @Test
    void binariesMatchTheirHexTwins() {
        for (String v : BIN_WITH_HEX) {
            byte[] bin = GoldenVectors.bytes(v + ".bin");
            assertThat(bin).as(v).isNotEmpty();
            assertThat(bin).as(v).isEqualTo(HexFormat.of().parseHex(GoldenVectors.text(v + ".hex").trim()));
        }
    }

    @Test
    void readmeListsEveryNumber() {
        Set<Integer> listed = new TreeSet<>();
        for (String line : GoldenVectors.text("README.md").split("\n")) {
            if (line.startsWith("| ")) {
                Matcher m = Pattern.compile("\\b(\\d\\d)\\b").matcher(line.split("\\|")[1]);
                while (m.find()) {
                    listed.add(Integer.parseInt(m.group(1)));
                }
            }
        }
        for (int n = 1; n <= 36; n++) {
            assertThat(listed).as("vector %02d listed in vectors/README.md", n).contains(n);
        }
        assertThat(GoldenVectors.text("11_heartbeat_body.json")).startsWith("{");
    }

    @Test
    void missingVectorFailsWithItsName() {
        assertThatThrownBy(() -> GoldenVectors.bytes("99_nope.bin"))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vectors/99_nope.bin");
    }

    @Test
    void seedFromPropertyIsUsed() {
        System.setProperty("testsupport.selftest.seed", "42");
        try {
            assertThat(Seeds.seed("testsupport.selftest.seed")).isEqualTo(42);
            assertThat(Seeds.seed("testsupport.selftest.seed", 7)).isEqualTo(42);
        } finally {
            System.clearProperty("testsupport.selftest.seed");
        }
        assertThat(Seeds.seed("testsupport.selftest.seed", 7)).isEqualTo(7);
    }
}
