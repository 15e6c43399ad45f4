package io.raftmq.tools.bench.client;

import io.raftmq.tools.bench.LatencyRecorder;
import io.raftmq.tools.bench.LiveProgress;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.exception.RemotingException;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The send phase of {@link ClientBench}: {@code threads} sender threads, spread round-robin over {@code producers}
 * official {@link DefaultMQProducer} instances (each with its own instance name, hence its own client instance and
 * connection to the broker), do synchronous sends of their own reused body until the deadline. Each thread records
 * the latency of sends that start after the warm-up and end before the deadline in the shared
 * {@link LatencyRecorder} and the sequence numbers of its SEND_OK sends in its own {@link SeqBits} (read after the
 * threads are joined).
 * With {@code --rate}, each thread starts its sends on its own schedule of {@code threads / rate} seconds apart
 * (parked until the next slot; a late thread does not catch up in a burst), so the offered load is fixed.
 * An error is a send that threw or returned a status other than SEND_OK (the client's own retries included).
 * A {@link Window} is told when the measured window opens and closes (from the thread that runs the phase), so that
 * what it samples covers the timed sends only.
 */
final class SendPhase {
    private final ClientBenchConfig config;
    private final String topic;
    private final long runId;
    private final DefaultMQProducer[] producers;
    private final Sender[] senders;
    private final LatencyRecorder latency = new LatencyRecorder();
    /** Acknowledged sends of every thread, for the live progress. */
    private final LongAdder okSends = new LongAdder();
    private final Window window;

    /** Told when the measured window opens (the warm-up is over) and when it closes (the deadline). */
    interface Window {
        Window NONE = new Window() {
            @Override
            public void opened() {
            }

            @Override
            public void closed() {
            }
        };

        void opened();

        void closed();
    }

    /** The outcome: counts and latencies of the measured window, and each thread's acknowledged sequences. */
    record Result(long measuredSends, long measuredNs, long errors, long acknowledged,
                  LatencyRecorder.Snapshot latency, SeqBits[] ackedByThread) {
    }

    SendPhase(ClientBenchConfig config, String topic, long runId, DefaultMQProducer[] producers, Window window) {
        this.config = config;
        this.topic = topic;
        this.runId = runId;
        this.producers = producers;
        this.senders = new Sender[config.threadsMax()];
        this.window = window;
    }

    Result run() throws InterruptedException {
        long start = System.nanoTime();
        long measureFrom = start + TimeUnit.MILLISECONDS.toNanos(config.warmupMs());
        long end = start + TimeUnit.MILLISECONDS.toNanos(config.durationMs());
        Thread[] threads = new Thread[senders.length];
        for (int i = 0; i < senders.length; i++) {
            senders[i] = new Sender(i, producers[i % producers.length], measureFrom, end);
            threads[i] = new Thread(senders[i], "bench-sender-" + i);
            threads[i].start();
        }
        try (LiveProgress live = LiveProgress.start("send", okSends::sum)) {
            parkUntil(measureFrom);
            window.opened();
            parkUntil(end);
            window.closed();
        }
        for (Thread t : threads) {
            t.join();
        }
        SeqBits[] acked = new SeqBits[senders.length];
        long errors = 0;
        long ackedCount = 0;
        for (int i = 0; i < senders.length; i++) {
            acked[i] = senders[i].acked;
            errors += senders[i].errors;
            ackedCount += senders[i].acked.cardinality();
        }
        LatencyRecorder.Snapshot all = latency.snapshot();
        return new Result(all.count(), end - measureFrom, errors, ackedCount, all, acked);
    }

    private static void parkUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** One sender thread's loop and its own counters. */
    private final class Sender implements Runnable {
        private final int index;
        private final DefaultMQProducer producer;
        private final long measureFrom;
        private final long end;
        private final SplittableRandom random;
        private final SeqBits acked = new SeqBits();
        private long errors;

        Sender(int index, DefaultMQProducer producer, long measureFrom, long end) {
            this.index = index;
            this.producer = producer;
            this.measureFrom = measureFrom;
            this.end = end;
            this.random = new SplittableRandom(config.seed() * 31 + index);
        }

        @Override
        public void run() {
            byte[] body = BenchBody.create(config.sizeBytes(), runId, random);
            long now = System.nanoTime();
            long intervalNs = config.ratePerSec() == 0 ? 0 : 1_000_000_000L * senders.length / config.ratePerSec();
            long nextAt = now + (intervalNs == 0 ? 0 : random.nextLong(intervalNs));
            for (long seq = 0; now - end < 0; seq++) {
                if (intervalNs > 0) {
                    now = pace(nextAt, now);
                    nextAt = Math.max(nextAt + intervalNs, now);
                }
                BenchBody.setId(body, BenchBody.id(index, seq));
                long t0 = now;
                boolean ok = send(new Message(topic, body));
                now = System.nanoTime();
                if (!ok) {
                    errors++;
                    body = BenchBody.create(config.sizeBytes(), runId, random); // the old one may still be queued
                    continue;
                }
                acked.add(seq);
                okSends.increment();
                if (t0 - measureFrom >= 0 && now - end <= 0) {
                    latency.recordNanos(now - t0);
                }
            }
        }

        /** Parks until {@code at} (returns the time then); returns at once when it is already past. */
        private long pace(long at, long now) {
            while (at - now > 0) {
                LockSupport.parkNanos(at - now);
                now = System.nanoTime();
            }
            return now;
        }

        private boolean send(Message m) {
            try {
                SendResult r = producer.send(m);
                return r.getSendStatus() == SendStatus.SEND_OK;
            } catch (MQClientException | RemotingException | MQBrokerException e) {
                if (errors < 3) {
                    System.err.println("send failed on " + Thread.currentThread().getName() + ": " + e);
                }
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("sender interrupted", e);
            }
        }
    }
}
