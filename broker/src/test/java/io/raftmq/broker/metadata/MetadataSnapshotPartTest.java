package io.raftmq.broker.metadata;

import io.raftmq.broker.snapshot.SnapshotPart.RestoreMode;
import io.raftmq.client.protocol.body.TopicConfig;
import org.junit.jupiter.api.Test;

import java.util.HexFormat;
import java.util.zip.CRC32C;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the "metadata" snapshot part is the {@link MetadataStateMachine} image drawn there (golden hex by hand for
 * a new member: header, the built-in topic table as the topic manager writes it, empty group and offset sections,
 * CRC32C), loads into another member, resets to a new group's state when absent, and refuses damaged bytes.
 */
class MetadataSnapshotPartTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void goldenBytesOfANewMember() {
        Fixture f = Fixture.member();
        byte[] b = new MetadataSnapshotPart(f.sm).save();
        String topics = HEX.formatHex(f.topics.snapshot());
        String groups = "0000000000000000" + "0000000000000000" + "0000000000000000" + "00000000";
        String body = "524d5153" + "01" + "0000000000000000" + String.format("%08x", topics.length() / 2) + topics
            + String.format("%08x", groups.length() / 2) + groups + "00000004" + "00000000";
        CRC32C crc = new CRC32C();
        crc.update(HEX.parseHex(body));
        assertThat(HEX.formatHex(b)).isEqualTo(body + String.format("%08x", (int) crc.getValue()));
    }

    @Test
    void loadsIntoAnotherMemberAndResetsWhenAbsent() throws Exception {
        Fixture leader = Fixture.leader();
        leader.topics.createOrUpdate(TopicConfig.of("T", 4)).get();
        leader.offsets.commit("G", "T", 1, 77);
        leader.offsets.flush();
        byte[] image = new MetadataSnapshotPart(leader.sm).save();

        Fixture member = Fixture.member();
        MetadataSnapshotPart part = new MetadataSnapshotPart(member.sm);
        part.load(image, RestoreMode.INSTALL);
        assertThat(member.topics.get("T")).isNotNull();
        assertThat(member.offsets.query("G", "T", 1)).isEqualTo(77);
        assertThat(part.save()).isEqualTo(image);
        part.loadAbsent(RestoreMode.START);
        assertThat(member.topics.get("T")).isNull();
        assertThat(part.save()).isEqualTo(new MetadataSnapshotPart(Fixture.member().sm).save());
        image[image.length / 2] ^= 1;
        assertThatThrownBy(() -> part.load(image, RestoreMode.START)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("metadata");
    }
}
