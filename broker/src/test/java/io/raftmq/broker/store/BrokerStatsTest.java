package io.raftmq.broker.store;

import io.raftmq.commitlog.store.StoreFixture;
import io.netty.buffer.ByteBufAllocator;
import io.raftmq.commitlog.time.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link BrokerStats} reports exact figures for known traffic under a {@link ManualClock}: per-second rates
 * over 10 s / 1 min / 10 min in the printed format mqadmin parses, running totals and their day split at local
 * midnight (a zone without daylight saving, so the day is always 24 h), per-topic counts, the earliest stored
 * message's store time from a real store, and the disk ratio of the commit log's file system.
 */
class BrokerStatsTest {
    private static final ZoneId ZONE = ZoneId.of("Asia/Shanghai");
    /** 2026-12-06 23:59:50 local: ten seconds before midnight. */
    private static final long BEFORE_MIDNIGHT_MS = ZonedDateTime.of(2026, 12, 6, 23, 59, 50, 0, ZONE).toInstant()
            .toEpochMilli();

    @TempDir
    Path dir;
    private StoreFixture fx;
    private BrokerStore store;

    @BeforeEach
    void open() throws IOException {
        fx = new StoreFixture(dir);
        store = new BrokerStore(fx.store, StoreReadConfig.defaults(), ByteBufAllocator.DEFAULT);
    }

    @AfterEach
    void close() throws IOException {
        fx.close();
    }

    private static double first(String tps) {
        return Double.parseDouble(tps.split(" ")[0]); // what mqadmin's clusterList does with putTps
    }

    @Test
    void knownTrafficGivesExactRatesInTheFormatMqadminParses() {
        ManualClock clock = new ManualClock(0, BEFORE_MIDNIGHT_MS - 3_600_000);
        BrokerStats stats = new BrokerStats(clock, ZONE, store);
        assertThat(stats.putTps()).isEqualTo("0.0 0.0 0.0");
        clock.advanceMs(500);
        for (int s = 0; s < 10; s++) {
            stats.recordPut("T", 5, 500);
            if (s == 0) {
                for (int i = 0; i < 4; i++) {
                    stats.recordGet("T", "G", 3, 300);
                }
                stats.recordGet("T", "G", 0, 0);
                stats.recordGet("T", "G", 0, 0);
            }
            clock.advanceMs(1000);
        }
        assertThat(stats.putTps()).isEqualTo("5.0 5.0 5.0"); // 50 messages in 10 complete seconds
        assertThat(stats.getTransferredTps()).isEqualTo("1.2 1.2 1.2");
        assertThat(stats.getFoundTps()).isEqualTo("0.4 0.4 0.4");
        assertThat(stats.getMissTps()).isEqualTo("0.2 0.2 0.2");
        assertThat(first(stats.putTps())).isEqualTo(5.0);
        clock.advance(50, TimeUnit.SECONDS);
        assertThat(stats.putTps()).isEqualTo("0.0 " + 50.0 / 60 + " " + 50.0 / 60);
        clock.advance(700, TimeUnit.SECONDS);
        assertThat(stats.putTps()).isEqualTo("0.0 0.0 0.0"); // the whole ring aged out
        assertThat(stats.putTotals().now()).isEqualTo(50);
        assertThat(stats.getTotals().now()).isEqualTo(12);
        assertThat(stats.topicTraffic("T")).isEqualTo(new BrokerStats.TopicTraffic(50, 50, 12, 12));
        assertThat(stats.topicTraffic("none")).isEqualTo(new BrokerStats.TopicTraffic(0, 0, 0, 0));
    }

    @Test
    void dayTotalsRollOverAtLocalMidnight() {
        ManualClock clock = new ManualClock(0, BEFORE_MIDNIGHT_MS);
        BrokerStats stats = new BrokerStats(clock, ZONE, store);
        stats.recordPut("T", 7, 700);
        stats.recordGet("T", "G", 2, 200);
        assertThat(stats.putTotals()).isEqualTo(new BrokerStats.DayTotals(0, 0, 7));
        clock.advance(9, TimeUnit.SECONDS);
        stats.recordPut("U", 1, 100); // 23:59:59: still today
        clock.advance(1, TimeUnit.SECONDS);
        stats.recordPut("T", 3, 300); // 00:00:00 the next day
        BrokerStats.DayTotals put = stats.putTotals();
        assertThat(put).isEqualTo(new BrokerStats.DayTotals(0, 8, 11));
        assertThat(put.today()).isEqualTo(3);
        assertThat(put.yesterday()).isEqualTo(8);
        assertThat(stats.getTotals()).isEqualTo(new BrokerStats.DayTotals(0, 2, 2));
        assertThat(stats.topicTraffic("T")).isEqualTo(new BrokerStats.TopicTraffic(10, 3, 2, 0));
        assertThat(stats.topicTraffic("U")).isEqualTo(new BrokerStats.TopicTraffic(1, 0, 0, 0));
        clock.advance(1, TimeUnit.DAYS);
        assertThat(stats.putTotals()).isEqualTo(new BrokerStats.DayTotals(8, 11, 11));
        clock.advance(2, TimeUnit.DAYS); // two midnights without traffic: yesterday had none
        assertThat(stats.putTotals()).isEqualTo(new BrokerStats.DayTotals(11, 11, 11));
        assertThat(stats.allTopicTraffic()).containsOnlyKeys("T", "U");
    }

    @Test
    void statsDataReportsPutsPerTopicAndGetsPerTopicAndGroupOverMinuteHourAndDay() {
        ManualClock clock = new ManualClock(0, BEFORE_MIDNIGHT_MS);
        BrokerStats stats = new BrokerStats(clock, ZONE, store);
        stats.recordPut("T", 4, 400);          // second 0: two send requests, 6 messages, 600 bytes
        stats.recordPut("T", 2, 200);
        stats.recordGet("T", "G", 5, 500);     // one pull of 5 messages
        stats.recordGet("T", "H", 0, 0);       // a miss: no window for T@H
        clock.advance(2, TimeUnit.MINUTES);     // past midnight: the windows slide, they do not roll at midnight
        stats.recordPut("T", 3, 300);
        BrokerStats.StatsData nums = stats.statsData(BrokerStats.TOPIC_PUT_NUMS, "T");
        assertThat(nums.minute()).isEqualTo(new BrokerStats.Figures(3, 3 / 60.0, 3.0));
        assertThat(nums.hour()).isEqualTo(new BrokerStats.Figures(9, 9 / 3600.0, 3.0));
        assertThat(nums.day()).isEqualTo(new BrokerStats.Figures(9, 9 / 86_400.0, 3.0));
        assertThat(stats.statsData(BrokerStats.TOPIC_PUT_SIZE, "T").day())
                .isEqualTo(new BrokerStats.Figures(900, 900 / 86_400.0, 300.0));
        String tg = BrokerStats.statsKey("T", "G");
        assertThat(tg).isEqualTo("T@G");
        BrokerStats.StatsData got = stats.statsData(BrokerStats.GROUP_GET_NUMS, tg);
        assertThat(got.minute()).isEqualTo(new BrokerStats.Figures(0, 0.0, 0.0));
        assertThat(got.day()).isEqualTo(new BrokerStats.Figures(5, 5 / 86_400.0, 5.0));
        assertThat(stats.statsData(BrokerStats.GROUP_GET_SIZE, tg).hour().sum()).isEqualTo(500);
        assertThat(stats.statsData(BrokerStats.GROUP_GET_NUMS, "T@H")).as("misses only").isNull();
        assertThat(stats.statsData(BrokerStats.TOPIC_PUT_NUMS, "none")).isNull();
        assertThat(stats.statsData("QUEUE_PUT_NUMS", "T")).isNull();
        assertThat(stats.statsData(BrokerStats.GROUP_GET_NUMS, "T")).isNull();
    }

    @Test
    void statsDataTracksAtMostTheLimitOfKeys() {
        ManualClock clock = new ManualClock(0, BEFORE_MIDNIGHT_MS);
        BrokerStats stats = new BrokerStats(clock, ZONE, store, 2);
        for (String t : new String[] {"A", "B", "C"}) {
            stats.recordPut(t, 1, 10);
            stats.recordGet(t, "G", 1, 10);
            clock.advance(1, TimeUnit.SECONDS);
        }
        assertThat(stats.statsData(BrokerStats.TOPIC_PUT_NUMS, "A")).as("least recently updated").isNull();
        assertThat(stats.statsData(BrokerStats.GROUP_GET_NUMS, "A@G")).isNull();
        assertThat(stats.statsData(BrokerStats.TOPIC_PUT_NUMS, "C").day().sum()).isEqualTo(1);
        assertThat(stats.topicTraffic("A").putTotal()).as("running totals are not windows").isEqualTo(1);
    }

    @Test
    void earliestMessageTimeComesFromTheStore() throws IOException, StoreReadException {
        BrokerStats stats = new BrokerStats(new ManualClock(0, BEFORE_MIDNIGHT_MS), ZONE, store);
        assertThat(stats.earliestMessageStoreTime()).isZero();
        fx.append("T", 1, "a", 2); // store times BASE_TS, BASE_TS + 1000
        fx.append("U", 0, "a", 1);
        assertThat(stats.earliestMessageStoreTime()).as("nothing committed yet").isZero();
        fx.commit();
        assertThat(stats.earliestMessageStoreTime()).isEqualTo(StoreFixture.BASE_TS);
        assertThat(store.earliestMessageStoreTime()).isEqualTo(StoreFixture.BASE_TS);
    }

    @Test
    void diskRatioIsTheUsedFractionOfTheCommitLogFileSystem() {
        double ratio = new BrokerStats(new ManualClock(0, BEFORE_MIDNIGHT_MS), ZONE, store).commitLogDiskRatio();
        assertThat(ratio).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
    }
}
