package io.raftmq.broker.processor.admin;

import io.raftmq.broker.processor.clients.Replies;
import io.raftmq.broker.store.BrokerStats;
import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RemotingCommandException;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.BrokerStatsData;
import io.raftmq.client.protocol.body.BrokerStatsItem;
import io.raftmq.client.protocol.header.ViewBrokerStatsDataRequestHeader;
import io.raftmq.client.remoting.RequestContext;
import io.raftmq.client.remoting.RequestProcessor;

/**
 * VIEW_BROKER_STATS_DATA (315), which mqadmin's statsAll and the dashboard read: one statistic of one key over the
 * last minute, hour and day from {@link BrokerStats#statsData}, as a {@link BrokerStatsData} body. Served names:
 * TOPIC_PUT_NUMS and TOPIC_PUT_SIZE (key: topic), GROUP_GET_NUMS and GROUP_GET_SIZE (key: {@code topic@group}).
 * An unknown name, or a key without tracked traffic, is answered 1 SYSTEM_ERROR with the remark
 * {@code The stats <name> <key> not exist}, as RocketMQ answers it (statsAll then counts the key as zero).
 * Served by leaders and followers alike: each broker reports the traffic it handled itself.
 */
public final class BrokerStatsDataProcessor implements RequestProcessor {
    /** The codes this processor serves. */
    public static final int[] CODES = {RequestCode.VIEW_BROKER_STATS_DATA};

    private final BrokerStats stats;

    public BrokerStatsDataProcessor(BrokerStats stats) {
        this.stats = stats;
    }

    @Override
    public RemotingCommand process(RequestContext ctx, RemotingCommand request) throws RemotingCommandException {
        ViewBrokerStatsDataRequestHeader h = ViewBrokerStatsDataRequestHeader.decode(request.extFields());
        BrokerStats.StatsData d = stats.statsData(h.statsName(), h.statsKey());
        if (d == null) {
            return Replies.error(ResponseCode.SYSTEM_ERROR,
                    "The stats <" + h.statsName() + "> <" + h.statsKey() + "> not exist");
        }
        return Replies.ok().setBody(body(d).encode());
    }

    /** The wire body of {@code d}. */
    static BrokerStatsData body(BrokerStats.StatsData d) {
        return new BrokerStatsData(item(d.minute()), item(d.hour()), item(d.day()));
    }

    private static BrokerStatsItem item(BrokerStats.Figures f) {
        return new BrokerStatsItem(f.sum(), f.tps(), f.avgpt());
    }
}
