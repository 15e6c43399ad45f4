package io.raftmq.client.protocol;

import io.raftmq.client.protocol.header.BoundaryType;
import io.raftmq.client.protocol.header.PullMessageRequestHeader;
import io.raftmq.client.protocol.header.SearchOffsetRequestHeader;
import io.raftmq.client.protocol.header.SendMessageRequestHeader;
import io.raftmq.client.protocol.header.UpdateConsumerOffsetRequestHeader;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: typed headers reject missing or unparsable required fields with a clear {@link RemotingCommandException}
 * (answered SYSTEM_ERROR), take documented defaults for optional ones, and encode/decode symmetrically (long and
 * compact send names). Method: hand-built ExtFields.
 */
class HeaderDecodeTest {
    @Test
    void missingRequiredFieldNamesTheField() {
        ExtFields f = new ExtFields().put("consumerGroup", "CG").put("topic", "T").put("queueId", 1);
        assertThatThrownBy(() -> UpdateConsumerOffsetRequestHeader.decode(f))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("<commitOffset> is null")
                .extracting(e -> ((RemotingCommandException) e).responseCode()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThatThrownBy(() -> UpdateConsumerOffsetRequestHeader.decode(null))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("<consumerGroup>");
    }

    @Test
    void invalidNumberIsRejected() {
        ExtFields f = new ExtFields().put("consumerGroup", "CG").put("topic", "T").put("queueId", "x1")
                .put("commitOffset", 5);
        assertThatThrownBy(() -> UpdateConsumerOffsetRequestHeader.decode(f))
                .isInstanceOf(RemotingCommandException.class)
                        .hasMessageContaining("<queueId> has an invalid value: x1");
    }

    @Test
    void optionalFieldsTakeDefaults() throws Exception {
        ExtFields f = new ExtFields().put("topic", "T").put("queueId", 2).put("timestamp", 77L)
                .put("boundaryType", "upper");
        SearchOffsetRequestHeader h = SearchOffsetRequestHeader.decode(f);
        assertThat(h.boundaryType()).isEqualTo(BoundaryType.UPPER);
        assertThat(h.bname()).isNull();
        f.remove("boundaryType");
        assertThat(SearchOffsetRequestHeader.decode(f).boundaryType()).isEqualTo(BoundaryType.LOWER);
    }

    @Test
    void sendHeaderLongAndCompactNamesAgree() throws Exception {
        SendMessageRequestHeader h = new SendMessageRequestHeader("PG", "T", "TBW102", 4, -1, 4, 1L, 0, "p", 3, false,
                true, 16, "b");
        ExtFields v1 = new ExtFields();
        h.encodeTo(v1);
        ExtFields v2 = new ExtFields();
        h.encodeV2To(v2);
        assertThat(v1.get("bname")).isEqualTo("b");
        assertThat(v2.get("n")).isEqualTo("b");
        assertThat(v2.get("l")).isEqualTo("16");
        assertThat(SendMessageRequestHeader.decode(RequestCode.SEND_MESSAGE, v1)).isEqualTo(h);
        assertThat(SendMessageRequestHeader.decode(RequestCode.SEND_BATCH_MESSAGE, v2)).isEqualTo(h);
    }

    @Test
    void pullFlagsAndOptionalMaxBytes() throws Exception {
        PullMessageRequestHeader h = new PullMessageRequestHeader("CG", "T", 0, 5, 32,
                PullMessageRequestHeader.FLAG_SUSPEND | PullMessageRequestHeader.FLAG_COMMIT_OFFSET, -1, 15000, null,
                0, null, null, null);
        ExtFields f = new ExtFields();
        h.encodeTo(f);
        assertThat(f.contains("maxMsgBytes")).isFalse();
        assertThat(PullMessageRequestHeader.decode(f)).isEqualTo(h);
    }

    @Test
    void extFieldsHashOrderMatchesJavaHashMap() {
        String[] keys = {"zeta", "alpha", "MSG_REGION", "queueOffset", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8",
            "k9", "k10", "k11"};
        for (int cap : new int[] {16, 256, 2}) {
            ExtFields f = new ExtFields(cap);
            java.util.HashMap<String, String> m = new java.util.HashMap<>(cap);
            for (String k : keys) {
                f.put(k, "v");
                m.put(k, "v");
            }
            java.util.List<String> ours = new java.util.ArrayList<>();
            for (int i : f.hashOrder()) {
                ours.add(f.keyAt(i));
            }
            assertThat(ours).as("capacity " + cap).containsExactlyElementsOf(m.keySet());
        }
    }
}
