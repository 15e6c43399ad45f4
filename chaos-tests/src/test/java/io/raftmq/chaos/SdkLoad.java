package io.raftmq.chaos;

import io.raftmq.chaos.check.History;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.SendException;
import io.raftmq.client.producer.SendResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load of synchronous sends through our SDK's {@link Producer} for process-level tests: N threads, each sending
 * unique values {@code <prefix>-<thread>-<i>} (body = value, key = value) back to back, recorded in a
 * {@link History} as invoke / ok (detail: the broker's offset msgId) / info (a failed send: its outcome is unknown).
 * Also the client-visible unavailability measure the SDK tests report: the longest time between two consecutive
 * acknowledgements in a window.
 */
final class SdkLoad {
    private final Producer producer;
    private final String topic;
    private final String prefix;
    private final History history;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger acked = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<Thread> threads = new ArrayList<>();
    private final Queue<String> failures = new ConcurrentLinkedQueue<>();

    SdkLoad(Producer producer, String topic, String prefix, History history, int threadCount) {
        this.producer = producer;
        this.topic = topic;
        this.prefix = prefix;
        this.history = history;
        for (int t = 0; t < threadCount; t++) {
            String name = "sdk-producer-" + t;
            String values = prefix + "-" + t;
            threads.add(new Thread(() -> run(name, values), name));
        }
    }

    /**
     * Sends one message at a time (recorded as process {@code warm-up}) until one is acknowledged, for at most 60 s:
     * the topic is created through TBW102 by its first send, which on a loaded machine can take longer than a send
     * timeout, and such failures are not the faults a test measures. Then starts the load.
     */
    SdkLoad warmUpAndStart() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int i = 0; ; i++) {
            String v = prefix + "-warm-up-" + i;
            history.invoke("warm-up", "send", v);
            try {
                SendResult r = producer.send(Message.of(topic, v).keys(v));
                history.ok("warm-up", "send", v, r.offsetMsgId());
                return start();
            } catch (SendException e) {
                history.info("warm-up", "send", v, e.toString());
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("no send to " + topic + " acknowledged within 60 s", e);
                }
            }
        }
    }

    SdkLoad start() {
        threads.forEach(Thread::start);
        return this;
    }

    int acked() {
        return acked.get();
    }

    int failed() {
        return failed.get();
    }

    /** The failed sends so far: {@code value @ms-since-history-start: error}. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    /** Stops after the sends in flight and waits for the threads (at most 10 s each). */
    void stop() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    private void run(String name, String values) {
        for (int i = 0; !stop.get(); i++) {
            String v = values + "-" + i;
            history.invoke(name, "send", v);
            try {
                SendResult r = producer.send(Message.of(topic, v).keys(v));
                history.ok(name, "send", v, r.offsetMsgId());
                acked.incrementAndGet();
            } catch (SendException e) {
                failed.incrementAndGet();
                long at = history.info(name, "send", v, e.toString());
                failures.add(v + " @" + Math.round(history.millis(at)) + " ms: " + e);
            } catch (InterruptedException e) {
                history.info(name, "send", v, "interrupted");
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** The longest time (ms) between two consecutive acknowledgements (any thread) recorded in [from, to) nanos. */
    static long longestGapMs(History h, long fromNanos, long toNanos) {
        long last = Long.MIN_VALUE;
        long longest = 0;
        for (History.Event e : h.select(History.Type.OK, "send")) {
            if (e.nanos() - fromNanos < 0 || e.nanos() - toNanos >= 0) {
                continue;
            }
            if (last != Long.MIN_VALUE) {
                longest = Math.max(longest, e.nanos() - last);
            }
            last = e.nanos();
        }
        return TimeUnit.NANOSECONDS.toMillis(longest);
    }
}
