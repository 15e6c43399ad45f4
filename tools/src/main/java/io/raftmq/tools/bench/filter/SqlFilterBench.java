package io.raftmq.tools.bench.filter;

import io.raftmq.broker.filter.PropertyView;
import io.raftmq.broker.filter.SqlFilter;
import io.raftmq.broker.filter.SqlFilterException;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.StoredMessageEncoder;
import io.raftmq.tools.bench.BenchCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The SQL92 stage of a pull, alone (run through {@code bin/raftmq-bench sql-filter}; docs/consumer-protocol.md "SQL92
 * filters"): {@code --messages} stored messages of {@code --size} body bytes with the properties a producer sets
 * (UNIQ_KEY, KEYS, TAGS, WAIT and {@code --user-props} user properties, seeded values) in one buffer, scanned the
 * way {@code QueuePuller.keepMatching} scans a pull body: wrap each message, decode its properties string, evaluate
 * the expression in place. Two modes per round, so their difference is the evaluation: {@code decode} (wrap and
 * decode only: what any property read costs) and {@code sql} (decode and evaluate). The figures: the measuring
 * thread's CPU per message (JVM thread CPU clock) and the bytes it allocated per message, one RESULT line per mode
 * and round, with the share of messages the expression selected.
 */
public final class SqlFilterBench {
    private SqlFilterBench() {
    }

    /** The command line (picocli). */
    @Command(name = "raftmq-bench sql-filter", description = "Evaluates a SQL92 filter over stored messages.")
    static final class Options {
        @Option(names = "--messages", description = "messages in the buffer (default ${DEFAULT-VALUE})")
        int messages = 4096;
        @Option(names = "--size", description = "body bytes (default ${DEFAULT-VALUE})")
        int size = 1024;
        @Option(names = "--user-props", description = "user properties per message (default ${DEFAULT-VALUE})")
        int userProps = 4;
        @Option(names = "--sql", description = "the expression (default ${DEFAULT-VALUE})")
        String sql = "TAGS IN ('TagA', 'TagB') AND a BETWEEN 100 AND 600 AND region = 'eu-west'";
        @Option(names = "--seconds", description = "seconds per mode and round (default ${DEFAULT-VALUE})")
        double seconds = 3;
        @Option(names = "--rounds", description = "rounds over the two modes (default ${DEFAULT-VALUE})")
        int rounds = 3;
        @Option(names = "--seed", description = "seed of the property values (default ${DEFAULT-VALUE})")
        long seed = 1;
    }

    public static void main(String[] args) {
        BenchCli.main(args, "sql-filter bench", "usage: bin/raftmq-bench sql-filter [--messages N] [--size B]"
                + " [--user-props N] [--sql EXPR] [--seconds S] [--rounds R] [--seed S]",
            a -> BenchCli.parseFlags(new Options(), a), SqlFilterBench::run);
    }

    private static int run(Options o) throws SqlFilterException {
        SqlFilter filter = SqlFilter.compile(o.sql);
        ByteBuffer messages = build(o);
        System.out.printf(Locale.ROOT, "sql-filter: %d messages of %d body bytes, %d user properties; %s%n",
            o.messages, o.size, o.userProps, filter);
        for (int round = 1; round <= o.rounds; round++) {
            for (boolean evaluate : new boolean[] {false, true}) {
                measure(messages, filter, evaluate, o, round);
            }
        }
        return 0;
    }

    private static ByteBuffer build(Options o) {
        SplittableRandom r = new SplittableRandom(o.seed);
        StoredMessageEncoder encoder = new StoredMessageEncoder();
        HostAddress host = HostAddress.of(new byte[] {127, 0, 0, 1}, 10911);
        ByteBuffer out = ByteBuffer.allocateDirect(o.messages * (o.size + 512));
        for (int i = 0; i < o.messages; i++) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("a", Integer.toString(r.nextInt(1000)));
            p.put("region", r.nextBoolean() ? "eu-west" : "us-east");
            for (int k = 2; k < o.userProps; k++) {
                p.put("prop" + k, "value-" + r.nextInt(100_000));
            }
            p.put(MessageProperties.KEYS, "order-" + i);
            p.put(MessageProperties.UNIQ_KEY, String.format(Locale.ROOT, "7F0000010001%020X", i));
            p.put("WAIT", "true");
            p.put(MessageProperties.TAGS, "Tag" + (char) ('A' + r.nextInt(4)));
            MessageDraft d = new MessageDraft().topic("SqlBench").queueId(0).body(new byte[o.size])
                .properties(MessageProperties.encode(p)).bornTimestamp(1).bornHost(host).storeTimestamp(2)
                .storeHost(host);
            encoder.encode(d, out);
        }
        return out.flip();
    }

    private static void measure(ByteBuffer messages, SqlFilter filter, boolean evaluate, Options o, int round) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        StoredMessage m = new StoredMessage();
        PropertyView view = new PropertyView();
        long deadline = System.nanoTime() + (long) (o.seconds * 1e9);
        long cpu0 = mx.getCurrentThreadCpuTime();
        long alloc0 = mx.getThreadAllocatedBytes(tid);
        long scanned = 0;
        long selected = 0;
        while (System.nanoTime() < deadline) {
            for (int at = 0; at < messages.limit(); at += m.totalSize()) {
                m.wrap(messages, at);
                String props = m.properties();
                if (evaluate ? filter.matches(view.reset(props)) : props.length() > 0) {
                    selected++;
                }
                scanned++;
            }
        }
        double cpuNs = (mx.getCurrentThreadCpuTime() - cpu0) / (double) scanned;
        double allocBytes = (mx.getThreadAllocatedBytes(tid) - alloc0) / (double) scanned;
        System.out.printf(Locale.ROOT, "RESULT mode=sql-filter stage=%s round=%d messages=%d cpu_ns_per_msg=%.1f"
                + " alloc_bytes_per_msg=%.1f selected=%.3f%n", evaluate ? "sql" : "decode", round, scanned, cpuNs,
            allocBytes, selected / (double) scanned);
    }
}
