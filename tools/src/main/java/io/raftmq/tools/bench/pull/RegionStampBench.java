package io.raftmq.tools.bench.pull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.raftmq.broker.processor.pull.RegionStamp;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessageEncoder;
import io.raftmq.tools.bench.BenchCli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What adding the region to a pull body costs the broker (run through {@code bin/raftmq-bench region-stamp};
 * docs/consumer-protocol.md "Message trace"): a pull body of {@code --batch} stored messages of {@code --size} body
 * bytes with the properties a producer sets (UNIQ_KEY, KEYS, TAGS, WAIT), passed through {@link RegionStamp#apply}
 * again and again on one thread, against a plain copy of the same body into a new pooled buffer (what the pull path
 * already pays once, from the segment file). The figures: the thread's CPU per message (JVM thread CPU clock), one
 * RESULT line per stage and round.
 */
public final class RegionStampBench {
    private RegionStampBench() {
    }

    /** The command line (picocli). */
    @Command(name = "raftmq-bench region-stamp", description = "Measures RegionStamp over pull bodies.")
    static final class Options {
        @Option(names = "--batch", description = "messages per pull body (default ${DEFAULT-VALUE})")
        int batch = 32;
        @Option(names = "--size", description = "body bytes (default ${DEFAULT-VALUE})")
        int size = 1024;
        @Option(names = "--seconds", description = "seconds per stage and round (default ${DEFAULT-VALUE})")
        double seconds = 3;
        @Option(names = "--rounds", description = "rounds over the two stages (default ${DEFAULT-VALUE})")
        int rounds = 3;
    }

    public static void main(String[] args) {
        BenchCli.main(args, "region-stamp bench", "usage: bin/raftmq-bench region-stamp [--batch N] [--size B]"
                + " [--seconds S] [--rounds R]",
            a -> BenchCli.parseFlags(new Options(), a), RegionStampBench::run);
    }

    private static int run(Options o) {
        ByteBuf body = build(o);
        RegionStamp stamp = new RegionStamp(RegionStamp.DEFAULT_REGION);
        System.out.printf(Locale.ROOT, "region-stamp: bodies of %d messages of %d body bytes (%d bytes)%n", o.batch,
            o.size, body.readableBytes());
        try {
            for (int round = 1; round <= o.rounds; round++) {
                measure(body, null, o, round);
                measure(body, stamp, o, round);
            }
        } finally {
            body.release();
        }
        return 0;
    }

    private static ByteBuf build(Options o) {
        StoredMessageEncoder encoder = new StoredMessageEncoder();
        HostAddress host = HostAddress.of(new byte[] {127, 0, 0, 1}, 10911);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer();
        for (int i = 0; i < o.batch; i++) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put(MessageProperties.KEYS, "order-" + i);
            p.put(MessageProperties.UNIQ_KEY, String.format(Locale.ROOT, "7F0000010001%020X", i));
            p.put("WAIT", "true");
            p.put(MessageProperties.TAGS, "TagA");
            MessageDraft d = new MessageDraft().topic("StampBench").queueId(0).body(new byte[o.size])
                .properties(MessageProperties.encode(p)).bornTimestamp(1).bornHost(host).storeTimestamp(2)
                .storeHost(host);
            out.writeBytes(encoder.encode(d));
        }
        return out;
    }

    /** One stage: the stamp, or (stamp null) a plain copy of the body into a new pooled buffer. */
    private static void measure(ByteBuf body, RegionStamp stamp, Options o, int round) {
        java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long deadline = System.nanoTime() + (long) (o.seconds * 1e9);
        long cpu0 = mx.getCurrentThreadCpuTime();
        long bodies = 0;
        long outBytes = 0;
        while (System.nanoTime() < deadline) {
            ByteBuf out;
            if (stamp == null) {
                out = body.alloc().directBuffer(body.readableBytes());
                out.writeBytes(body, body.readerIndex(), body.readableBytes());
            } else {
                out = stamp.apply(body.retain()); // apply releases what it is given
            }
            outBytes += out.readableBytes();
            out.release();
            bodies++;
        }
        double cpuNs = (mx.getCurrentThreadCpuTime() - cpu0) / (double) (bodies * o.batch);
        System.out.printf(Locale.ROOT, "RESULT mode=region-stamp stage=%s round=%d messages=%d cpu_ns_per_msg=%.1f"
                + " out_bytes_per_msg=%.1f%n", stamp == null ? "copy" : "stamp", round, bodies * o.batch, cpuNs,
            outBytes / (double) (bodies * o.batch));
    }
}
