package io.raftmq.broker.metadata;

import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import io.raftmq.client.protocol.body.TopicConfig;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the managers turn the wire bodies into exactly the log bytes of the entry codecs' golden layouts (the same
 * hex as {@code EntryCodecGoldenTest}), and the conversion between wire bodies and replicated records loses no field.
 */
class EntryConversionsTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void topicProposedFromTheWireBodyHasTheGoldenLogBytes() {
        Fixture f = Fixture.leader();
        f.clock.set(0x0102030405060708L);
        f.topics.createOrUpdate(new TopicConfig("T", 4, 4, 6, "SINGLE_TAG", 0, false, Map.of("k", "v"))).join();
        byte[] payload = f.proposer.log().get(f.proposer.log().size() - 1).payload();
        assertThat(HEX.formatHex(payload)).isEqualTo("01" + "0102030405060708" + "000154" + "00000004"
                + "00000004" + "00000006" + "000a" + "53494e474c455f544147" + "00000000" + "00" + "0001" + "00016b"
                + "000176");
        assertThat(f.topics.get("T")).isEqualTo(new TopicConfig("T", 4, 4, 6, "SINGLE_TAG", 0, false,
                Map.of("k", "v")));
    }

    @Test
    void groupProposedFromTheWireBodyHasTheGoldenLogBytes() {
        Fixture f = Fixture.leader();
        f.clock.set(2);
        f.groups.createOrUpdate(SubscriptionGroupConfig.defaults("G")).join();
        byte[] payload = f.proposer.log().get(f.proposer.log().size() - 1).payload();
        assertThat(HEX.formatHex(payload)).isEqualTo("01" + "0000000000000002" + "000147" + "17" + "00000001"
                + "00000010" + "000a" + "435553544f4d495a4544" + "0000000000000000" + "0000000000000001" + "00000000"
                + "0000000f" + "0000");
        assertThat(f.groups.get("G")).isEqualTo(SubscriptionGroupConfig.defaults("G"));
    }

    @Test
    void everyFieldSurvivesTheRoundTrip() {
        TopicConfig t = new TopicConfig("T", 3, 5, 7, null, 9, true, Map.of("b", "2", "a", "1"));
        assertThat(EntryConversions.toWire(EntryConversions.toEntry(t))).isEqualTo(t);
        SubscriptionGroupConfig g = new SubscriptionGroupConfig("G", false, true, false, true, 3, 5, "EXPONENTIAL",
                7, 9, false, 11, 13, Map.of("k", "v"));
        assertThat(EntryConversions.toWire(EntryConversions.toEntry(g))).isEqualTo(g);
        assertThat(EntryConversions.toEntry(g).attributes()).containsExactly(Map.entry("k", "v"));
    }
}
