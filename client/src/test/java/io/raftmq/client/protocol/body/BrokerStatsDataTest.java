package io.raftmq.client.protocol.body;

import io.raftmq.client.protocol.ExtFields;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.header.ViewBrokerStatsDataRequestHeader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: the VIEW_BROKER_STATS_DATA (315) header and body encode as RocketMQ's classes do (fields in fastjson's
 * alphabetical order, windows day, hour, minute) and decode back; a body with a window missing reads it as zeros,
 * and a header without {@code statsKey} is refused.
 */
class BrokerStatsDataTest {
    @Test
    void bodyEncodesInFastjsonOrderAndDecodesBack() throws RemotingCommandException {
        BrokerStatsData d = new BrokerStatsData(new BrokerStatsItem(1, 0.5, 1.0), new BrokerStatsItem(2, 0.25, 2.0),
                new BrokerStatsItem(3, 0.125, 1.5));
        String json = new String(d.encode(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"statsDay\":{\"avgpt\":1.5,\"sum\":3,\"tps\":0.125},"
                + "\"statsHour\":{\"avgpt\":2.0,\"sum\":2,\"tps\":0.25},"
                + "\"statsMinute\":{\"avgpt\":1.0,\"sum\":1,\"tps\":0.5}}");
        assertThat(BrokerStatsData.decode(d.encode())).isEqualTo(d);
    }

    @Test
    void aMissingWindowReadsAsZeros() throws RemotingCommandException {
        BrokerStatsData d = BrokerStatsData.decode("{\"statsDay\":{\"sum\":7}}".getBytes(StandardCharsets.UTF_8));
        assertThat(d.statsDay()).isEqualTo(new BrokerStatsItem(7, 0, 0));
        assertThat(d.statsMinute()).isEqualTo(new BrokerStatsItem(0, 0, 0));
        assertThatThrownBy(() -> BrokerStatsData.decode("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RemotingCommandException.class);
    }

    @Test
    void headerRoundTripsAndRequiresBothFields() throws RemotingCommandException {
        ExtFields f = new ExtFields();
        new ViewBrokerStatsDataRequestHeader("GROUP_GET_NUMS", "T@G").encodeTo(f);
        assertThat(ViewBrokerStatsDataRequestHeader.decode(f))
                .isEqualTo(new ViewBrokerStatsDataRequestHeader("GROUP_GET_NUMS", "T@G"));
        assertThatThrownBy(() -> ViewBrokerStatsDataRequestHeader.decode(new ExtFields().put("statsName", "X")))
                .isInstanceOf(RemotingCommandException.class).hasMessageContaining("<statsKey>");
    }
}
