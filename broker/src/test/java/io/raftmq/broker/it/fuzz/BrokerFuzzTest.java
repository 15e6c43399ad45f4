package io.raftmq.broker.it.fuzz;

import io.raftmq.broker.BrokerController;
import io.raftmq.broker.it.TestCluster;
import io.raftmq.raft.driver.RaftStatus;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal (bad input): hostile bytes on a client connection never kill a broker, never hang a request,
 * never leak a buffer, and leave the Raft group serving. Method: a three-member group on loopback (topic
 * auto-creation off, 1 s long-poll limit, {@link FuzzFixture}); {@link FuzzCases} generates the cases from a printed
 * seed and they go over real sockets to the leader, each followed by a sentinel request the broker answers in
 * stream order ({@link FuzzConnection}):
 * <ul>
 *   <li>half the cases are correctly framed and encoded requests with hostile contents (structured, plus golden
 *       frames), pipelined (window {@value #WINDOW}) on one connection: the broker must answer every one by opaque
 *       (bounded waits) and must never close that connection;</li>
 *   <li>the other half are hostile bytes (raw, mutated golden, header-broken), sent by {@value #HOSTILE_WORKERS}
 *       workers one case at a time: each must be followed by its sentinel's answer or by the broker closing the
 *       connection (then the worker reconnects); a case whose length prefix announces more than {@value #PAD_MAX}
 *       missing bytes is sent, the client half-closes and the broker must close too (a trailing partial frame
 *       with less missing is padded with zeros so the sentinel starts a frame).</li>
 * </ul>
 * No answer may show an exception escaping a processor. After the run: every member is up, a leader is routed,
 * the commit index advanced and every member applied it, a normal send + pull works on a new and on the fuzzed
 * topic, and (global {@code NettyLeakExtension}, paranoid leak detection) Netty logged no LEAK.
 * Default 100,000 cases, fixed seed; {@code -Dfuzz.cases=N -Dfuzz.seed=S} for a longer run (broker/README.md).
 */
@SocketTest
class BrokerFuzzTest {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerFuzzTest.class);
    private static final int WINDOW = 64;
    private static final int HOSTILE_WORKERS = 4;
    private static final int FRAME_MAX = 16 << 20;
    private static final int PAD_MAX = 256 << 10;
    private static final long WAIT_MS = 10_000;

    @TempDir
    Path dir;

    /** Outcome counters of one run (shared by the workers). */
    private static final class Tally {
        final AtomicLong answered = new AtomicLong();
        final AtomicLong closedBy = new AtomicLong();
        final AtomicLong clientHalfClosed = new AtomicLong();
        final AtomicLong connections = new AtomicLong();
        final Map<Integer, AtomicInteger> codes = new ConcurrentHashMap<>();
        final Map<String, String> crashes = new ConcurrentHashMap<>();
    }

    /** A case as written: its number, the bytes to write (null: half-close after the raw bytes) and what it was. */
    private record Sent(int n, byte[] bytes, FuzzCases.Case c) {
    }

    @Test
    void hostileInputNeverKillsHangsOrLeaks() throws Exception {
        long seed = Long.getLong("fuzz.seed", 0xB20C_E5EDL);
        int cases = Integer.getInteger("fuzz.cases", 100_000);
        LOG.info("broker fuzz: {} cases, seed {} (rerun with -Dfuzz.seed={} -Dfuzz.cases={})", cases, seed, seed,
            cases);
        try (TestCluster cluster = FuzzFixture.start(dir)) {
            BrokerController leader = cluster.awaitLeaderRegistered(10_000);
            long commitBefore = leader.raftStatus().commitIndex();
            long t0 = System.nanoTime();
            Tally t = new Tally();
            int wellFormed = cases / 2;
            ExecutorService pool = Executors.newFixedThreadPool(HOSTILE_WORKERS);
            List<Future<?>> workers = new ArrayList<>();
            try {
                for (int w = 0; w < HOSTILE_WORKERS; w++) {
                    int share = (cases - wellFormed) / HOSTILE_WORKERS + (w < (cases - wellFormed) % HOSTILE_WORKERS
                        ? 1 : 0);
                    FuzzCases gen = new FuzzCases(new Random(seed * 31 + w + 1));
                    workers.add(pool.submit(() -> {
                        hostile(gen, share, leader.localAddress(), t, seed);
                        return null;
                    }));
                }
                long w0 = System.nanoTime();
                wellFormed(new FuzzCases(new Random(seed)), wellFormed, leader.localAddress(), t, seed);
                LOG.info("well-formed half done in {} ms", (System.nanoTime() - w0) / 1_000_000);
                for (Future<?> f : workers) {
                    f.get(120, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            LOG.info("broker fuzz done: {} cases in {} ms (seed {}): answered {}, closed by the broker {}, client "
                + "half-closed {}, connections {}; response codes {}", cases, ms, seed, t.answered,
                t.closedBy, t.clientHalfClosed, t.connections, new TreeMap<>(t.codes));
            assertThat(t.crashes).as("exceptions escaping processors (seed %d)", seed).isEmpty();
            assertThat(t.answered.get() + t.closedBy.get() + t.clientHalfClosed.get()).isEqualTo(cases);
            assertThat(t.answered.get()).isPositive();
            assertThat(t.closedBy.get()).isPositive();
            checkGroupHealthy(cluster, commitBefore);
        }
    }

    /** Pipelines {@code count} well-formed cases on one connection; the broker must answer all and never close. */
    private void wellFormed(FuzzCases gen, int count, InetSocketAddress broker, Tally t, long seed)
            throws Exception {
        t.connections.incrementAndGet();
        try (FuzzConnection conn = new FuzzConnection(broker, t.codes, t.crashes, true)) {
            List<FuzzCases.Case> window = new ArrayList<>();
            int acked = 0;
            for (int n = 0; n < count; n++) {
                FuzzCases.Case c = gen.wellFormed(n);
                if (c.expectOpaque() >= 0) {
                    conn.owed.add(c.expectOpaque());
                }
                window.add(c);
                check(conn.send(c.bytes(), n), seed, n, c, "write failed: the broker closed the connection");
                if (n + 1 - acked >= WINDOW) {
                    check(conn.awaitSentinel(acked + WINDOW / 2 - 1, WAIT_MS) && !conn.isClosed(), seed, acked,
                        window.get(0), "no answer (or a close) on the well-formed connection");
                    int now = conn.sentinelsAcked() + 1;
                    window.subList(0, now - acked).clear();
                    acked = now;
                }
            }
            check(conn.awaitSentinel(count - 1, WAIT_MS) && !conn.isClosed(), seed, acked,
                window.isEmpty() ? null : window.get(0), "no answer (or a close) on the well-formed connection");
            check(conn.awaitOwed(WAIT_MS) && !conn.isClosed(), seed, -1, null, "owed answers missing: "
                + conn.owed);
            check(conn.readerFailure() == null, seed, -1, null, "broker sent a malformed frame: "
                + conn.readerFailure());
            t.answered.addAndGet(count);
        }
    }

    /** Sends {@code count} hostile cases one at a time, reconnecting whenever the broker closes. */
    private void hostile(FuzzCases gen, int count, InetSocketAddress broker, Tally t, long seed) throws Exception {
        int n = 0;
        while (n < count) {
            t.connections.incrementAndGet();
            try (FuzzConnection conn = new FuzzConnection(broker, t.codes, t.crashes, false)) {
                for (int seq = 0; n < count; seq++) {
                    Sent s = prepare(n, gen.hostile(n));
                    n++;
                    if (s.bytes == null) {
                        check(conn.sendThenHalfClose(s.c.bytes(), WAIT_MS), seed, s.n, s.c,
                            "the broker did not close after the client half-closed mid-frame");
                        t.clientHalfClosed.incrementAndGet();
                        break;
                    }
                    conn.send(s.bytes, seq);
                    check(conn.awaitSentinel(seq, WAIT_MS), seed, s.n, s.c, "neither answer nor close");
                    if (conn.sentinelsAcked() < seq) {
                        t.closedBy.incrementAndGet();
                        break;
                    }
                    t.answered.incrementAndGet();
                }
                check(conn.readerFailure() == null, seed, -1, null, "broker sent a malformed frame: "
                    + conn.readerFailure());
            }
        }
    }

    private static void check(boolean ok, long seed, int n, FuzzCases.Case c, String what) {
        if (!ok) {
            throw new AssertionError(what + (c == null ? "" : " at case " + n + " (" + c.what() + ", bytes "
                + Arrays.toString(Arrays.copyOf(c.bytes(), Math.min(200, c.bytes().length))) + ")")
                + "; seed " + seed);
        }
    }

    /**
     * Frames a case the way the broker's length-field decoder will: complete frames stay, a trailing partial frame
     * is padded with zero bytes to its announced length (so the sentinel starts a frame); a length beyond the
     * frame limit or negative leaves the bytes as they are (the broker closes). More than PAD_MAX bytes to pad:
     * {@code bytes} null (the driver half-closes instead).
     */
    static Sent prepare(int n, FuzzCases.Case c) {
        byte[] b = c.bytes();
        int pos = 0;
        while (true) {
            if (pos == b.length) {
                return new Sent(n, b, c);
            }
            byte[] prefix = Arrays.copyOfRange(b, pos, Math.min(b.length, pos + 4));
            int len = java.nio.ByteBuffer.wrap(Arrays.copyOf(prefix, 4)).getInt();
            if (len < 0 || len > FRAME_MAX - 4) {
                return new Sent(n, b, c);
            }
            long end = (long) pos + 4 + len;
            if (end <= b.length) {
                pos = (int) end;
                continue;
            }
            if (end - b.length > PAD_MAX) {
                return new Sent(n, null, c);
            }
            return new Sent(n, Arrays.copyOf(b, (int) end), c);
        }
    }

    private static void checkGroupHealthy(TestCluster cluster, long commitBefore) throws Exception {
        BrokerController leader = cluster.awaitLeaderRegistered(10_000);
        for (BrokerController b : cluster.brokers) {
            assertThat(b.isStarted()).as("member %s still started", b.config().raftSelfId()).isTrue();
        }
        FuzzFixture.createTopic(cluster, "FuzzHealth");
        FuzzFixture.sendAndPull(cluster, "FuzzHealth", "after-the-fuzz");
        FuzzFixture.sendAndPull(cluster, FuzzFixture.TOPIC, "fuzz-topic-still-writable");
        RaftStatus s = cluster.awaitLeaderRegistered(10_000).raftStatus();
        assertThat(s.commitIndex()).as("commit index advanced").isGreaterThan(commitBefore);
        TestCluster.await(10_000, "every member applied the leader's commit index", () -> {
            for (BrokerController b : cluster.brokers) {
                if (b.raftStatus().appliedIndex() < s.commitIndex()) {
                    return false;
                }
            }
            return true;
        });
        LOG.info("after the fuzz: leader {} (was {}), term {}, commit {} (was {})", cluster.leader().config()
            .raftSelfId(), leader.config().raftSelfId(), s.term(), s.commitIndex(), commitBefore);
    }
}
