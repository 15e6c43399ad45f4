package io.raftmq.broker.processor.admin;

import io.netty.buffer.ByteBufAllocator;
import io.raftmq.broker.store.BrokerStats;
import io.raftmq.broker.store.BrokerStore;
import io.raftmq.broker.store.StoreReadConfig;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerStatsData;
import io.raftmq.client.protocol.body.BrokerStatsItem;
import io.raftmq.client.protocol.header.ViewBrokerStatsDataRequestHeader;
import io.raftmq.commitlog.store.StoreFixture;
import io.raftmq.commitlog.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: VIEW_BROKER_STATS_DATA (315) answers known traffic with the exact golden body, which RocketMQ 5.3.3's own
 * {@code BrokerStatsData} class decodes to the same figures, and an unknown statistic with 1 SYSTEM_ERROR and
 * RocketMQ's remark. Golden layout (fastjson's alphabetical property order, doubles as {@link Double#toString}):
 * <pre>
 * {"statsDay":{"avgpt":D,"sum":L,"tps":D},"statsHour":{..},"statsMinute":{..}}
 * </pre>
 */
class BrokerStatsDataProcessorTest {
    /** 6 messages of 600 bytes in two sends, then 60 s later 3 messages of 300 bytes in one. */
    private static final String GOLDEN = "{\"statsDay\":{\"avgpt\":3.0,\"sum\":9,\"tps\":1.0416666666666667E-4},"
            + "\"statsHour\":{\"avgpt\":3.0,\"sum\":9,\"tps\":0.0025},"
            + "\"statsMinute\":{\"avgpt\":3.0,\"sum\":3,\"tps\":0.05}}";

    @TempDir
    Path dir;
    private StoreFixture fx;
    private BrokerStats stats;
    private BrokerStatsDataProcessor processor;

    @BeforeEach
    void open() throws IOException {
        fx = new StoreFixture(dir);
        BrokerStore store = new BrokerStore(fx.store, StoreReadConfig.defaults(), ByteBufAllocator.DEFAULT);
        ManualClock clock = new ManualClock(0, 1_700_000_000_000L);
        stats = new BrokerStats(clock, ZoneOffset.UTC, store);
        stats.recordPut("T", 4, 400);
        stats.recordPut("T", 2, 200);
        clock.advance(60, TimeUnit.SECONDS);
        stats.recordPut("T", 3, 300);
        stats.recordGet("T", "G", 5, 500);
        processor = new BrokerStatsDataProcessor(stats);
    }

    @AfterEach
    void close() throws IOException {
        fx.close();
    }

    private RemotingCommand ask(String name, String key) throws RemotingCommandException {
        return processor.process(null, RemotingCommand.createRequest(RequestCode.VIEW_BROKER_STATS_DATA,
                new ViewBrokerStatsDataRequestHeader(name, key)));
    }

    @Test
    void theBodyMatchesTheGoldenJson() throws RemotingCommandException {
        RemotingCommand r = ask("TOPIC_PUT_NUMS", "T");
        assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(new String(r.bodyBytes(), StandardCharsets.UTF_8)).isEqualTo(GOLDEN);
        BrokerStatsData d = BrokerStatsData.decode(r.bodyBytes());
        assertThat(d.statsMinute()).isEqualTo(new BrokerStatsItem(3, 0.05, 3.0));
        assertThat(d.statsDay()).isEqualTo(new BrokerStatsItem(9, 9 / 86_400.0, 3.0));
    }

    @Test
    void rocketMqsOwnClassDecodesTheBody() throws RemotingCommandException {
        byte[] body = ask("GROUP_GET_SIZE", "T@G").bodyBytes();
        org.apache.rocketmq.remoting.protocol.body.BrokerStatsData d = org.apache.rocketmq.remoting.protocol.body
                .BrokerStatsData.decode(body, org.apache.rocketmq.remoting.protocol.body.BrokerStatsData.class);
        assertThat(d.getStatsMinute().getSum()).isEqualTo(500);
        assertThat(d.getStatsMinute().getTps()).isEqualTo(500 / 60.0);
        assertThat(d.getStatsMinute().getAvgpt()).isEqualTo(500.0);
        assertThat(d.getStatsDay().getSum()).isEqualTo(500);
        assertThat(d.getStatsDay().getTps()).isEqualTo(500 / 86_400.0);
    }

    @Test
    void anUnknownStatisticIsASystemErrorWithRocketMqsRemark() throws RemotingCommandException {
        RemotingCommand r = ask("TOPIC_PUT_NUMS", "nope");
        assertThat(r.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(r.remark()).isEqualTo("The stats <TOPIC_PUT_NUMS> <nope> not exist");
        assertThat(ask("BROKER_PUT_NUMS", "T").remark()).isEqualTo("The stats <BROKER_PUT_NUMS> <T> not exist");
    }
}
