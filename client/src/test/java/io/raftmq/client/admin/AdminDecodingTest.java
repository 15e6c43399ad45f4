package io.raftmq.client.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.testsupport.GoldenVectors;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: what the admin API parses that no other client test covers: the stored messages of a VIEW_MESSAGE_BY_ID,
 * QUERY_MESSAGE or one-message pull answer become {@link MessageView}s with the queue id read from each message
 * (golden vectors 08 IPv4 and 09 IPv6, written by RocketMQ 5.3.3; docs/protocol.md §3.1), a truncated answer fails
 * cleanly; an offset msgId names its store host and commit-log offset (§3.3, the documented example and vectors
 * 08/09); a member's Raft address is its own raftPeers entry; a group's lag per member is counted from the
 * leader's last index. Method: decode the golden bytes.
 */
class AdminDecodingTest {
    @Test
    void storedMessagesOfALookupAnswer() throws RemotingCommandException {
        byte[] v08 = GoldenVectors.bytes("08_stored_message_v1.bin").clone();
        v08[15] = 3; // QUEUEID (offset 12, big-endian): the decoder must take it from the message
        byte[] v09 = GoldenVectors.bytes("09_stored_message_ipv6.bin");
        ByteBuf body = Unpooled.wrappedBuffer(v08, v09);
        try {
            List<MessageView> ms = MessageView.decode(body, "broker-a");
            assertThat(ms).hasSize(2);
            MessageView a = ms.get(0);
            assertThat(a.topic()).isEqualTo("TopicTest");
            assertThat(a.brokerName()).isEqualTo("broker-a");
            assertThat(a.queueId()).isEqualTo(3);
            assertThat(new String(a.body(), StandardCharsets.UTF_8)).isEqualTo("Hello");
            assertThat(a.msgId()).isEqualTo("7F0000010001B4AAC2F1234500000000");
            assertThat(a.offsetMsgId()).isEqualTo("7F00000100002A9F0000000000000000");
            assertThat(a.tags()).isEqualTo("TagA");
            assertThat(a.keys()).isEqualTo("KEY1");
            assertThat(a.properties()).containsEntry("CLUSTER", "DefaultCluster").containsKey("UNIQ_KEY");
            assertThat(a.storeTimestamp()).isEqualTo(1_700_000_000_123L);
            assertThat(a.bornTimestamp()).isEqualTo(1_700_000_000_000L);
            MessageView b = ms.get(1);
            assertThat(b.queueId()).isZero();
            assertThat(b.queueOffset()).isEqualTo(1);
            assertThat(b.commitLogOffset()).isEqualTo(200);
            assertThat(body.readerIndex()).isZero();
        } finally {
            body.release();
        }
    }

    @Test
    void aTruncatedAnswerFails() {
        byte[] v08 = GoldenVectors.bytes("08_stored_message_v1.bin");
        ByteBuf body = Unpooled.wrappedBuffer(Arrays.copyOf(v08, v08.length - 3));
        try {
            assertThatThrownBy(() -> MessageView.decode(body, "broker-a"))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("TOTALSIZE");
        } finally {
            body.release();
        }
    }

    @Test
    void offsetMsgIds() {
        OffsetMsgId v4 = OffsetMsgId.parse("7F00000100002A9F0000000000000000");
        assertThat(v4).isEqualTo(new OffsetMsgId("127.0.0.1:10911", 0));
        assertThat(OffsetMsgId.parse("7f00000100002a9f00000000000000C8")).isEqualTo(new OffsetMsgId(
            "127.0.0.1:10911", 200));
        OffsetMsgId v6 = OffsetMsgId.parse("0".repeat(30) + "01" + "00002A9F" + "00000000000000C8");
        assertThat(v6).isEqualTo(new OffsetMsgId("[0000:0000:0000:0000:0000:0000:0000:0001]:10911", 200));
        assertThat(OffsetMsgId.parse("7F00000100002A9F000000000000000")).as("31 digits").isNull();
        assertThat(OffsetMsgId.parse("ZZ00000100002A9F0000000000000000")).isNull();
        assertThat(OffsetMsgId.parse(null)).isNull();
    }

    @Test
    void raftAddressFromABrokerConfig() {
        String config = "brokerName=broker-a\nraftPeers=n0-127.0.0.1:9000;n1-127.0.0.1:9001;n2-127.0.0.1:9002\n"
            + "raftSelfId=n1\nlistenPort=10911\n";
        assertThat(AdminCluster.raftAddressIn(config)).isEqualTo("127.0.0.1:9001");
        assertThat(AdminCluster.raftAddressIn("raftSelfId=n3\nraftPeers=n0-h:1\n")).isNull();
        assertThat(AdminCluster.raftAddressIn("brokerName=x\n")).isNull();
    }

    @Test
    void raftAddressFromRuntimeInfoOrNoneForAnOlderMember() {
        assertThat(AdminCluster.raftAddressOf(Map.of("raftAddr", "127.0.0.1:9001", "raftRole", "LEADER")))
            .isEqualTo("127.0.0.1:9001");
        assertThat(AdminCluster.raftAddressOf(Map.of("raftRole", "LEADER"))).as("older member").isNull();
        assertThat(AdminCluster.raftAddressOf(Map.of("raftAddr", " "))).isNull();
    }

    @Test
    void lagPerMemberFromTheLeadersLastIndex() {
        ClusterStatus.Member l = new ClusterStatus.Member("a:1", 0, true, "LEADER", "n0", 3, 90, 90, 100, "a:1", null);
        ClusterStatus.Member f = new ClusterStatus.Member("b:1", 1, true, "FOLLOWER", "n1", 3, 90, 88, 93, "a:1",
            null);
        ClusterStatus.Member down = new ClusterStatus.Member("c:1", 2, false, null, null, -1, -1, -1, -1, null, "x");
        ClusterStatus.Group g = new ClusterStatus.Group("c", "broker-a", "a:1", List.of(l, f, down));
        assertThat(g.lagOf(l)).isZero();
        assertThat(g.lagOf(f)).isEqualTo(7);
        assertThat(g.lagOf(down)).isEqualTo(-1);
        assertThat(new ClusterStatus.Group("c", "broker-a", null, List.of(l, f)).lagOf(f)).isEqualTo(-1);
    }
}
