package io.raftmq.broker.processor.admin;

import io.raftmq.broker.store.BrokerStats;

import java.util.Map;

/**
 * Reports the broker's traffic and storage figures ({@link BrokerStats}) in GET_BROKER_RUNTIME_INFO under the keys
 * and in the formats mqadmin reads (docs/protocol.md §4.8: a malformed number makes mqadmin throw): whole numbers
 * for the day totals and the earliest store time ({@code Long.parseLong}), "10s 1min 10min" rate triples whose
 * first value clusterList reads with {@code Double.parseDouble} (putTps as InTPS, getTransferredTps as OutTPS),
 * and a fraction for commitLogDiskRatio. clusterList's "#Hour" is the age of earliestMessageTimeStamp.
 */
public final class BrokerStatsContributor implements RuntimeInfoContributor {
    private final BrokerStats stats;

    public BrokerStatsContributor(BrokerStats stats) {
        this.stats = stats;
    }

    @Override
    public void contribute(Map<String, String> table) {
        BrokerStats.DayTotals put = stats.putTotals();
        table.put("msgPutTotalYesterdayMorning", Long.toString(put.yesterdayMorning()));
        table.put("msgPutTotalTodayMorning", Long.toString(put.todayMorning()));
        table.put("msgPutTotalTodayNow", Long.toString(put.now()));
        BrokerStats.DayTotals got = stats.getTotals();
        table.put("msgGetTotalYesterdayMorning", Long.toString(got.yesterdayMorning()));
        table.put("msgGetTotalTodayMorning", Long.toString(got.todayMorning()));
        table.put("msgGetTotalTodayNow", Long.toString(got.now()));
        table.put("putTps", stats.putTps());
        table.put("getTransferredTps", stats.getTransferredTps());
        table.put("getFoundTps", stats.getFoundTps());
        table.put("getMissTps", stats.getMissTps());
        table.put("earliestMessageTimeStamp", Long.toString(stats.earliestMessageStoreTime()));
        table.put("commitLogDiskRatio", Double.toString(stats.commitLogDiskRatio()));
    }
}
