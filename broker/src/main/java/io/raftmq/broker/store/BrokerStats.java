package io.raftmq.broker.store;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The broker's traffic and storage figures that mqadmin reads (brokerStatus, clusterList): messages put (counted
 * after their Raft commit) and got (messages transferred by pulls), in total and per topic; per-second rates over
 * 10 s / 1 min / 10 min ({@link RateWindow}); today's and yesterday's totals, which roll over at local midnight of
 * {@code zone} by the injected {@link Clock}; the store time of the earliest stored message; the used fraction of
 * the file system that holds the commit log.
 *
 * <p>Day totals use RocketMQ's representation: {@code *TotalTodayMorning} is the running total at this morning's
 * midnight, {@code *TotalYesterdayMorning} the one at yesterday's, {@code *TotalTodayNow} the running total now, so
 * mqadmin's clusterList computes "today" as now - today morning and "yesterday" as today morning - yesterday morning.
 * The rollover happens on the first record or read after midnight (every record checks first), so traffic is
 * counted on the day it was recorded. Several midnights without traffic make yesterday zero.
 *
 * <p>Rates print as RocketMQ's store statistics print them: three decimal numbers ({@link Double#toString}) for
 * 10 s, 1 min and 10 min separated by one space; mqadmin parses the first with {@code Double.parseDouble}.
 *
 * <p>Per topic (puts) and per topic and consumer group (gets) it also keeps the messages, bytes and calls of the
 * last minute, hour and day ({@link BrokerStatsWindows}) that VIEW_BROKER_STATS_DATA answers under RocketMQ's
 * statistics names ({@link #statsData}); at most {@link #STATS_KEYS_MAX} keys of each kind ({@link BrokerStatsTable}).
 *
 * <p>Threading: record and read from any thread; counters are lock-free, the rates and the day roll synchronize.
 */
public final class BrokerStats {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerStats.class);
    /** The rate windows, in seconds, in the order they are printed. */
    static final int[] WINDOWS_SECONDS = {10, 60, 600};
    /** The most topics, and separately the most (topic, group) pairs, with minute/hour/day windows at once. */
    public static final int STATS_KEYS_MAX = 2048;
    /** Statistics names of VIEW_BROKER_STATS_DATA (RocketMQ's {@code Stats} constants). */
    public static final String TOPIC_PUT_NUMS = "TOPIC_PUT_NUMS";
    public static final String TOPIC_PUT_SIZE = "TOPIC_PUT_SIZE";
    public static final String GROUP_GET_NUMS = "GROUP_GET_NUMS";
    public static final String GROUP_GET_SIZE = "GROUP_GET_SIZE";

    /** Put and got message counts of one topic. */
    public record TopicTraffic(long putTotal, long putToday, long getTotal, long getToday) {
    }

    /** One statistic of one key over the last minute, hour and day (see {@link BrokerStatsWindows}). */
    public record StatsData(Figures minute, Figures hour, Figures day) {
    }

    /**
     * One window of a {@link StatsData}.
     *
     * @param sum   messages or bytes in the window
     * @param tps   {@code sum} per second of the window's length (60, 3600, 86400 s)
     * @param avgpt {@code sum} per recorded call in the window (a send request, or a pull that got messages), as
     *              RocketMQ's StatsItem computes it; 0 when the window holds no call
     */
    public record Figures(long sum, double tps, double avgpt) {
    }

    /** Running totals at the last two local midnights and now (RocketMQ's representation, class comment). */
    public record DayTotals(long yesterdayMorning, long todayMorning, long now) {
        /** Messages counted today. */
        public long today() {
            return now - todayMorning;
        }

        /** Messages counted yesterday. */
        public long yesterday() {
            return todayMorning - yesterdayMorning;
        }
    }

    private final Clock clock;
    private final ZoneId zone;
    private final BrokerStore store;
    private final Counter put;
    private final Counter got;
    private final RateWindow getFound;
    private final RateWindow getMiss;
    private final ConcurrentHashMap<String, TopicCounter> topics = new ConcurrentHashMap<>();
    private final BrokerStatsTable topicWindows;
    private final BrokerStatsTable groupWindows;
    /** Wall time (ms) of the next local midnight; the day rolls when the clock reaches it. Written under this. */
    private volatile long nextMidnightMs;

    /**
     * @param clock the time of the rates and of the day rollover
     * @param zone  the zone whose midnight ends a day (the broker's, {@code ZoneId.systemDefault()})
     * @param store where the earliest message and the commit log's directory are found
     */
    public BrokerStats(Clock clock, ZoneId zone, BrokerStore store) {
        this(clock, zone, store, STATS_KEYS_MAX);
    }

    /** As above, tracking at most {@code statsKeysMax} topics and (topic, group) pairs with windows. */
    BrokerStats(Clock clock, ZoneId zone, BrokerStore store, int statsKeysMax) {
        Verify.argument(clock != null && zone != null && store != null, "clock, zone and store are required");
        this.topicWindows = new BrokerStatsTable(statsKeysMax);
        this.groupWindows = new BrokerStatsTable(statsKeysMax);
        this.clock = clock;
        this.zone = zone;
        this.store = store;
        long now = clock.nanoTime();
        this.put = new Counter(now);
        this.got = new Counter(now);
        this.getFound = new RateWindow(now);
        this.getMiss = new RateWindow(now);
        this.nextMidnightMs = nextMidnight(clock.wallMillis());
    }

    // ------------------------------------------------------------------------------------------ recording

    /**
     * Counts {@code messages} of {@code bytes} encoded bytes committed to {@code topic} by one send request (after
     * its Raft commit).
     */
    public void recordPut(String topic, int messages, int bytes) {
        rollIfNewDay();
        long now = clock.nanoTime();
        put.add(messages, now);
        topic(topic).put.add(messages);
        topicWindows.record(topic, messages, bytes, now);
    }

    /**
     * Counts one pull of {@code topic} by {@code group} that transferred {@code messages} of {@code bytes} bytes
     * (0 messages: it found none, a miss, which the group's windows do not count, as in RocketMQ). A held pull
     * counts once, when it is answered.
     */
    public void recordGet(String topic, String group, int messages, int bytes) {
        rollIfNewDay();
        long now = clock.nanoTime();
        if (messages > 0) {
            got.add(messages, now);
            getFound.add(1, now);
            topic(topic).got.add(messages);
            groupWindows.record(statsKey(topic, group), messages, bytes, now);
        } else {
            getMiss.add(1, now);
        }
    }

    private TopicCounter topic(String topic) {
        return topics.computeIfAbsent(topic, t -> new TopicCounter());
    }

    /** The VIEW_BROKER_STATS_DATA key of a (topic, group) pair: {@code topic@group}. */
    public static String statsKey(String topic, String group) {
        return topic + "@" + group;
    }

    // ------------------------------------------------------------------------------------------ reads

    /**
     * The statistic {@code statsName} (one of the four names above) of {@code statsKey} (a topic for TOPIC_*, a
     * {@link #statsKey} for GROUP_*); null when the name is unknown or the key has no traffic tracked.
     */
    public StatsData statsData(String statsName, String statsKey) {
        BrokerStatsTable table = switch (statsName) {
            case TOPIC_PUT_NUMS, TOPIC_PUT_SIZE -> topicWindows;
            case GROUP_GET_NUMS, GROUP_GET_SIZE -> groupWindows;
            default -> null;
        };
        BrokerStatsWindows w = table == null ? null : table.get(statsKey);
        if (w == null) {
            return null;
        }
        boolean ofBytes = TOPIC_PUT_SIZE.equals(statsName) || GROUP_GET_SIZE.equals(statsName);
        long now = clock.nanoTime();
        return new StatsData(w.figures(BrokerStatsWindows.Span.MINUTE, ofBytes, now),
                w.figures(BrokerStatsWindows.Span.HOUR, ofBytes, now),
                w.figures(BrokerStatsWindows.Span.DAY, ofBytes, now));
    }

    /** Messages put per second over 10 s, 1 min and 10 min (format in the class comment). */
    public String putTps() {
        return tps(put.rate);
    }

    /** Messages transferred by pulls per second (format in the class comment). */
    public String getTransferredTps() {
        return tps(got.rate);
    }

    /** Pulls that found messages, per second (format in the class comment). */
    public String getFoundTps() {
        return tps(getFound);
    }

    /** Pulls that found no message, per second (format in the class comment). */
    public String getMissTps() {
        return tps(getMiss);
    }

    private String tps(RateWindow w) {
        long now = clock.nanoTime();
        StringBuilder b = new StringBuilder();
        for (int seconds : WINDOWS_SECONDS) {
            b.append(b.length() == 0 ? "" : " ").append(w.perSecond(seconds, now));
        }
        return b.toString();
    }

    /** Messages put: running totals at the last two midnights and now. */
    public DayTotals putTotals() {
        rollIfNewDay();
        synchronized (this) {
            return put.totals();
        }
    }

    /** Messages transferred by pulls: running totals at the last two midnights and now. */
    public DayTotals getTotals() {
        rollIfNewDay();
        synchronized (this) {
            return got.totals();
        }
    }

    /** The traffic of one topic since start and today; zeros for a topic never put to nor pulled from. */
    public TopicTraffic topicTraffic(String topic) {
        rollIfNewDay();
        TopicCounter c = topics.get(topic);
        if (c == null) {
            return new TopicTraffic(0, 0, 0, 0);
        }
        synchronized (this) {
            long p = c.put.sum();
            long g = c.got.sum();
            return new TopicTraffic(p, p - c.putMorning, g, g - c.gotMorning);
        }
    }

    /** Store time (ms) of the earliest message the store still holds; 0 when it holds none or the read failed. */
    public long earliestMessageStoreTime() {
        try {
            return Math.max(0, store.earliestMessageStoreTime());
        } catch (StoreReadException e) {
            LOG.warn("earliest message store time unavailable: {}", e.getMessage());
            return 0;
        }
    }

    /** Used fraction (0..1) of the file system holding the commit log; 0 if it cannot be read. */
    public double commitLogDiskRatio() {
        Path dir = store.messageStore().config().commitLog().directory();
        try {
            FileStore fs = Files.getFileStore(dir);
            long total = fs.getTotalSpace();
            return total <= 0 ? 0.0 : (double) (total - fs.getUnallocatedSpace()) / total;
        } catch (IOException e) {
            LOG.warn("disk usage of {} unavailable: {}", dir, e.toString());
            return 0.0;
        }
    }

    /** Topics with recorded traffic, each with its figures (a snapshot). */
    public Map<String, TopicTraffic> allTopicTraffic() {
        Map<String, TopicTraffic> out = new TreeMap<>();
        for (String t : topics.keySet()) {
            out.put(t, topicTraffic(t));
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------ day roll

    private void rollIfNewDay() {
        if (clock.wallMillis() >= nextMidnightMs) {
            roll();
        }
    }

    private synchronized void roll() {
        long nowMs = clock.wallMillis();
        if (nowMs < nextMidnightMs) {
            return; // another thread rolled
        }
        boolean oneDay = nowMs < nextMidnight(nextMidnightMs);
        put.roll(oneDay);
        got.roll(oneDay);
        for (TopicCounter c : topics.values()) {
            c.putMorning = c.put.sum();
            c.gotMorning = c.got.sum();
        }
        nextMidnightMs = nextMidnight(nowMs);
    }

    /** Epoch ms of the first local midnight strictly after {@code wallMs}. */
    private long nextMidnight(long wallMs) {
        LocalDate day = Instant.ofEpochMilli(wallMs).atZone(zone).toLocalDate();
        return day.plusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
    }

    /** A running total, its rate and its totals at the last two midnights (read and rolled under the lock). */
    private static final class Counter {
        final LongAdder total = new LongAdder();
        final RateWindow rate;
        long todayMorning;
        long yesterdayMorning;

        Counter(long startNs) {
            this.rate = new RateWindow(startNs);
        }

        void add(long n, long nowNs) {
            total.add(n);
            rate.add(n, nowNs);
        }

        void roll(boolean oneDay) {
            long now = total.sum();
            yesterdayMorning = oneDay ? todayMorning : now;
            todayMorning = now;
        }

        DayTotals totals() {
            return new DayTotals(yesterdayMorning, todayMorning, total.sum());
        }
    }

    /** One topic's counters; the morning values are written by the day roll. */
    private static final class TopicCounter {
        final LongAdder put = new LongAdder();
        final LongAdder got = new LongAdder();
        volatile long putMorning;
        volatile long gotMorning;
    }
}
