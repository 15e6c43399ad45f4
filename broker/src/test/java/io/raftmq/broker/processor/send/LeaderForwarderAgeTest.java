package io.raftmq.broker.processor.send;

import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a member does not forward a send its producer has already given up on (born more than the age limit ago,
 * docs/raft-driver.md "Age"), reads the born timestamp under both header forms, and forwards what has none. Method:
 * a forwarder on a fixed clock and no client (a refused send must not reach one); the age is read from the request.
 */
class LeaderForwarderAgeTest {
    private static final long NOW = 1_800_000_000_000L;
    private final LeaderForwarder forwarder = new LeaderForwarder(null, 4_000, 3_000, () -> NOW);

    @Test
    void aSendOlderThanTheLimitIsAnswered14AndNotForwarded() {
        RemotingCommand request = RemotingCommand.createRequest(RequestCode.SEND_MESSAGE_V2)
            .extFields(new ExtFields().put("b", "T").put("g", Long.toString(NOW - 3_001)));

        RemotingCommand answer = forwarder.forward(null, request, "127.0.0.1:1");

        assertThat(answer.code()).isEqualTo(ResponseCode.SERVICE_NOT_AVAILABLE);
        assertThat(answer.remark()).startsWith("[NOT_LEADER]").contains("3001 ms ago").contains("not forwarded");
        assertThat(forwarder.stats()).isEqualTo(new LeaderForwarder.Stats(0, 0, 1));
    }

    @Test
    void theAgeIsReadFromEitherHeaderForm() {
        ExtFields v1 = new ExtFields().put("bornTimestamp", Long.toString(NOW - 2_999));
        ExtFields v2 = new ExtFields().put("g", Long.toString(NOW - 10));
        assertThat(forwarder.ageMs(RequestCode.SEND_MESSAGE, v1)).isEqualTo(2_999);
        assertThat(forwarder.ageMs(RequestCode.SEND_MESSAGE_V2, v2)).isEqualTo(10);
        assertThat(forwarder.ageMs(RequestCode.SEND_BATCH_MESSAGE, v2)).isEqualTo(10);
        assertThat(forwarder.ageMs(RequestCode.SEND_MESSAGE, v2)).as("v1 code, v2 names: no born time").isZero();
        assertThat(forwarder.ageMs(RequestCode.SEND_MESSAGE_V2, new ExtFields().put("g", "soon"))).isZero();
    }
}
