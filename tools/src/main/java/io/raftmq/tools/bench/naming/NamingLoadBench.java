package io.raftmq.tools.bench.naming;

import io.raftmq.client.protocol.RemotingCommand;
import io.raftmq.client.protocol.RequestCode;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.RegisterBrokerBody;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicConfigSerializeWrapper;
import io.raftmq.client.protocol.header.GetRouteInfoRequestHeader;
import io.raftmq.client.protocol.header.RegisterBrokerRequestHeader;
import io.raftmq.client.remoting.RemotingClient;
import io.raftmq.client.remoting.RemotingClientConfig;
import io.raftmq.tools.bench.BenchCli;
import io.raftmq.tools.bench.ProcessMeter;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

/**
 * The NameServer's registration load at many broker groups (run through {@code bin/raftmq-bench naming};
 * docs/scaling.md): starts a NameServer as a child JVM of its own on an ephemeral loopback port, then plays
 * {@code --groups} broker groups of {@code --members} members each, every member sending REGISTER_BROKER (103) with
 * its topic table ({@code --topics} topics of its own plus {@code --shared-topics} topics every group serves, 8
 * queues each: the body a real broker sends) once per {@code --period-ms} (RocketMQ's and ours: 30,000; shorter
 * compresses time), their phases spread evenly. Over the measured {@code --seconds}: registrations answered per
 * second, their latency, and the NameServer's CPU per registration and RSS from /proc; then the sizes a client sees
 * at that scale: the route of a shared topic (GET_ROUTEINFO_BY_TOPIC) and the cluster table
 * (GET_BROKER_CLUSTER_INFO). One RESULT line; exit 1 if a registration failed.
 */
public final class NamingLoadBench {
    private static final int QUEUES = 8;

    private NamingLoadBench() {
    }

    /** The command line (picocli). */
    @Command(name = "raftmq-bench naming", description = "Registration load of many broker groups on a NameServer.")
    static final class Options {
        @Option(names = "--groups", description = "broker groups (default ${DEFAULT-VALUE})")
        int groups = 100;
        @Option(names = "--members", description = "members per group (default ${DEFAULT-VALUE})")
        int members = 3;
        @Option(names = "--topics", description = "topics of each group alone (default ${DEFAULT-VALUE})")
        int topics = 20;
        @Option(names = "--shared-topics", description = "topics on every group (default ${DEFAULT-VALUE})")
        int sharedTopics = 5;
        @Option(names = "--period-ms", description = "each member registers once per period (default "
            + "${DEFAULT-VALUE})")
        long periodMs = 30_000;
        @Option(names = "--seconds", description = "measured seconds (default ${DEFAULT-VALUE})")
        double seconds = 20;
        @Option(names = "--warmup-seconds", description = "seconds before the measurement (default ${DEFAULT-VALUE})")
        double warmupSeconds = 10;
        @Option(names = "--inflight", description = "registrations in flight at most (default ${DEFAULT-VALUE})")
        int inflight = 256;
        @Option(names = "--namesrv-heap-mb", description = "the NameServer's heap (default ${DEFAULT-VALUE})")
        int heapMb = 256;
    }

    public static void main(String[] args) {
        BenchCli.main(args, "naming bench", "usage: bin/raftmq-bench naming [--groups N] [--members N] [--topics N]"
                + " [--shared-topics N] [--period-ms MS] [--seconds S] [--warmup-seconds S] [--inflight N]"
                + " [--namesrv-heap-mb MB]",
            a -> check(BenchCli.parseFlags(new Options(), a)), NamingLoadBench::run);
    }

    private static Options check(Options o) {
        if (o.groups < 1 || o.members < 1 || o.topics < 0 || o.sharedTopics < 1 || o.periodMs < 1 || o.seconds <= 0
                || o.warmupSeconds < 0 || o.inflight < 1 || o.heapMb < 32) {
            throw new IllegalArgumentException("counts must be >= 1 (--topics >= 0, --namesrv-heap-mb >= 32),"
                + " seconds > 0");
        }
        return o;
    }

    private static int run(Options o) throws Exception {
        Process namesrv = startNameServer(o.heapMb);
        RemotingClient client = new RemotingClient(RemotingClientConfig.defaults());
        client.start();
        try {
            String addr = readAddress(namesrv);
            List<Member> all = members(o);
            ProcessMeter meter = ProcessMeter.forPids(List.of(namesrv.pid()));
            Load load = new Load(client, addr, all, o);
            load.runFor(o.warmupSeconds);
            ProcessMeter.Sample from = meter.sample();
            long t0 = System.nanoTime();
            long ok0 = load.ok.get();
            load.latency.getIntervalHistogram(); // reset
            load.runFor(o.seconds);
            load.drain();
            long windowNs = System.nanoTime() - t0;
            ProcessMeter.Sample to = meter.sample();
            long regs = load.ok.get() - ok0;
            var h = load.latency.getIntervalHistogram();
            int route = bodySize(client, addr, RemotingCommand.createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC,
                new GetRouteInfoRequestHeader("shared-0", null)));
            int cluster = bodySize(client, addr, RemotingCommand.createRequest(RequestCode.GET_BROKER_CLUSTER_INFO));
            double cpuUs = meter.brokersUsPerMessage(from, to, regs);
            System.out.printf(Locale.ROOT, "RESULT mode=naming groups=%d members=%d topics_per_member=%d"
                    + " register_body_bytes=%d period_ms=%d regs_per_s=%.0f failed=%d reg_p50_ms=%.3f reg_p99_ms=%.3f"
                    + " namesrv_cpu_us_per_reg=%.1f namesrv_cpu_pct=%.1f namesrv_rss_mb=%.1f route_bytes=%d"
                    + " cluster_info_bytes=%d%n", o.groups, o.members, o.topics + o.sharedTopics,
                all.get(0).body.length, o.periodMs, regs * 1e9 / windowNs, load.failed.get(),
                h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, cpuUs,
                cpuUs * regs / (windowNs / 1e3) * 100, to.rssKb().get("b0") / 1024.0, route, cluster);
            return load.failed.get() == 0 ? 0 : 1;
        } finally {
            client.shutdown();
            namesrv.destroy();
            if (!namesrv.waitFor(15, TimeUnit.SECONDS)) {
                namesrv.destroyForcibly();
            }
        }
    }

    /** A NameServer JVM of this class path on an ephemeral loopback port (its pid is measured). */
    private static Process startNameServer(int heapMb) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx" + heapMb + "m", "-Xms" + heapMb + "m", "-XX:+UseSerialGC",
            "-Dlogback.configurationFile=raftmq-tools-logback.xml", "-cp", System.getProperty("java.class.path"),
            "io.raftmq.naming.NamingMain", "--listen", "127.0.0.1:0", "--broker-expiry-ms", "600000")
            .redirectErrorStream(true).start();
    }

    /** The address the NameServer prints on its "RESULT raftmq-naming listening on" line. */
    private static String readAddress(Process p) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String marker = "RESULT raftmq-naming listening on ";
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            int at = line.indexOf(marker);
            if (at >= 0) {
                Thread drain = new Thread(() -> r.lines().forEach(l -> { }), "namesrv-output");
                drain.setDaemon(true);
                drain.start();
                String a = line.substring(at + marker.length()).trim();
                return a.startsWith("/") ? a.substring(1) : a;
            }
        }
        throw new IllegalStateException("the NameServer exited before it listened (status " + p.waitFor() + ")");
    }

    private static int bodySize(RemotingClient client, String addr, RemotingCommand request) throws Exception {
        RemotingCommand r = client.invokeSync(addr, request, 10_000);
        try {
            if (r.code() != ResponseCode.SUCCESS) {
                throw new IllegalStateException("request " + request.code() + " answered " + r.code() + ": "
                    + r.remark());
            }
            return r.bodyLength();
        } finally {
            r.release();
        }
    }

    /** One simulated member: its header fields and its encoded topic table. */
    record Member(String group, String addr, long brokerId, byte[] body, int crc) {
    }

    private static List<Member> members(Options o) {
        List<Member> out = new ArrayList<>(o.groups * o.members);
        for (int g = 0; g < o.groups; g++) {
            Map<String, TopicConfig> table = new LinkedHashMap<>();
            for (int t = 0; t < o.sharedTopics; t++) {
                table.put("shared-" + t, TopicConfig.of("shared-" + t, QUEUES));
            }
            for (int t = 0; t < o.topics; t++) {
                String name = "group-" + g + "-topic-" + t;
                table.put(name, TopicConfig.of(name, QUEUES));
            }
            byte[] body = new RegisterBrokerBody(new TopicConfigSerializeWrapper(table,
                new DataVersion(1, 0, 1_700_000_000_000L)), List.of()).encode();
            CRC32 crc = new CRC32();
            crc.update(body, 0, body.length);
            for (int m = 0; m < o.members; m++) {
                // loopback addresses the bench never dials: 127.1.x.y:10911
                String addr = "127.1." + (g * o.members + m) / 250 + "." + ((g * o.members + m) % 250 + 1) + ":10911";
                out.add(new Member("group-" + g, addr, m, body, (int) (crc.getValue() & 0x7FFFFFFF)));
            }
        }
        return out;
    }

    /** Sends the registrations at the paced rate: member i at offsets (i / n + k) * period. */
    static final class Load {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Recorder latency = new Recorder(3);
        private final RemotingClient client;
        private final String addr;
        private final List<Member> members;
        private final long intervalNs;
        private final Semaphore window;
        private final int inflightMax;
        private long next;
        private long sent;

        Load(RemotingClient client, String addr, List<Member> members, Options o) {
            this.client = client;
            this.addr = addr;
            this.members = members;
            this.intervalNs = Math.max(1, TimeUnit.MILLISECONDS.toNanos(o.periodMs) / members.size());
            this.window = new Semaphore(o.inflight);
            this.inflightMax = o.inflight;
            this.next = System.nanoTime();
        }

        void runFor(double seconds) throws InterruptedException {
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (next < end) {
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                }
                window.acquire();
                send(members.get((int) (sent++ % members.size())));
                next += intervalNs;
            }
        }

        void drain() throws InterruptedException {
            window.acquire(inflightMax);
            window.release(inflightMax);
        }

        private void send(Member m) {
            RegisterBrokerRequestHeader h = new RegisterBrokerRequestHeader(m.group(), m.addr(), "DefaultCluster",
                m.addr(), m.brokerId(), 120_000L, null, false, m.crc());
            RemotingCommand r = RemotingCommand.createRequest(RequestCode.REGISTER_BROKER, h).setBody(m.body());
            long t0 = System.nanoTime();
            client.invokeAsync(addr, r, 10_000).whenComplete((resp, e) -> {
                if (e == null && resp.code() == ResponseCode.SUCCESS) {
                    ok.incrementAndGet();
                    latency.recordValue(System.nanoTime() - t0);
                } else {
                    failed.incrementAndGet();
                }
                if (resp != null) {
                    resp.release();
                }
                window.release();
            });
        }
    }
}
