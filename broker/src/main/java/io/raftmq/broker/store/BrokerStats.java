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
 * <p>Threading: record and read from any thread; counters are lock-free, the rates and the day roll synchronize.
 */
public final class BrokerStats {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerStats.class);
    /** The rate windows, in seconds, in the order they are printed. */
    static final int[] WINDOWS_SECONDS = {10, 60, 600};

    /** Put and got message counts of one topic. */
    public record TopicTraffic(long putTotal, long putToday, long getTotal, long getToday) {
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
    /** Wall time (ms) of the next local midnight; the day rolls when the clock reaches it. Written under this. */
    private volatile long nextMidnightMs;

    /**
     * @param clock the time of the rates and of the day rollover
     * @param zone  the zone whose midnight ends a day (the broker's, {@code ZoneId.systemDefault()})
     * @param store where the earliest message and the commit log's directory are found
     */
    public BrokerStats(Clock clock, ZoneId zone, BrokerStore store) {
        Verify.argument(clock != null && zone != null && store != null, "clock, zone and store are required");
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

    /** Counts {@code messages} committed to {@code topic} (a send, after its Raft commit). */
    public void recordPut(String topic, int messages) {
        rollIfNewDay();
        put.add(messages, clock.nanoTime());
        topic(topic).put.add(messages);
    }

    /**
     * Counts one pull of {@code topic} that transferred {@code messages} (0: it found none, a miss). A held pull
     * counts once, when it is answered.
     */
    public void recordGet(String topic, int messages) {
        rollIfNewDay();
        long now = clock.nanoTime();
        if (messages > 0) {
            got.add(messages, now);
            getFound.add(1, now);
            topic(topic).got.add(messages);
        } else {
            getMiss.add(1, now);
        }
    }

    private TopicCounter topic(String topic) {
        return topics.computeIfAbsent(topic, t -> new TopicCounter());
    }

    // ------------------------------------------------------------------------------------------ reads

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
