package io.raftmq.tools.bench.client;

import io.raftmq.tools.bench.ProcessMeter;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * Fills a fresh topic for the consume benches through the OFFICIAL client: creates the topic with its queues, then
 * sends message 0..n-1 (built by the bench) in batches of {@link #BATCH} from {@link #THREADS} threads, each batch
 * to one queue of the producer's choosing. Throws when a batch fails: a consume bench needs every message there.
 */
final class BatchFill {
    static final int BATCH = 64;
    private static final int THREADS = 4;

    private BatchFill() {
    }

    /** Creates {@code topic} with {@code queues} queues and sends the {@code messages} that {@code build} makes. */
    static void fill(String namesrv, String topic, int queues, int messages, IntFunction<Message> build)
            throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("BatchFillPG");
        p.setNamesrvAddr(namesrv);
        p.setInstanceName("batchfill-" + System.nanoTime());
        p.start();
        try {
            ClientBench.ensureTopic(p, topic, queues);
            LongAdder failed = new LongAdder();
            List<Thread> threads = new ArrayList<>();
            int batches = (messages + BATCH - 1) / BATCH;
            for (int t = 0; t < THREADS; t++) {
                int first = t;
                Thread th = new Thread(() -> {
                    for (int b = first; b < batches; b += THREADS) {
                        send(p, b * BATCH, Math.min(messages, (b + 1) * BATCH), build, failed);
                    }
                }, "fill-" + t);
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) {
                th.join();
            }
            if (failed.sum() > 0) {
                throw new IllegalStateException(failed.sum() + " batches failed to send");
            }
            System.err.println("sent " + messages + " messages to " + topic + ", load " + ProcessMeter.loadAverage());
        } finally {
            p.shutdown();
        }
    }

    private static void send(DefaultMQProducer p, int from, int to, IntFunction<Message> build, LongAdder failed) {
        List<Message> batch = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            batch.add(build.apply(i));
        }
        try {
            if (p.send(batch).getSendStatus() != SendStatus.SEND_OK) {
                failed.increment();
            }
        } catch (Exception e) { // CLI: count it; the fill then fails with the count
            failed.increment();
        }
    }
}
