package io.raftmq.chaos.run;

import io.raftmq.chaos.check.History;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The chaos workloads over a real client: {@value #PRODUCERS} producer threads of synchronous sends (through the
 * official client or our SDK, a {@link Sender}) at about {@value #RATE_PER_PRODUCER} sends/s each, and an official
 * push consumer group reading from the first offset. Two shapes:
 * <ul>
 *   <li>queue: unique ids {@code q-<seed>-<thread>-<n>}, any queue, a concurrent listener;</li>
 *   <li>ordered: each thread owns keys and sends each key's sequence 0, 1, 2... to the queue its key hashes to;
 *       a number advances only once acknowledged (a failed or unknown send is retried with the same number and a
 *       new id); an orderly listener. Send OK and consume details add {@code key=K seq=N}.</li>
 * </ul>
 * Events follow docs/chaos.md ("Scenarios"): {@code send} INVOKE, then OK (detail
 * {@code queue=<brokerName>:<queueId> offset=<queueOffset>}) or INFO (outcome unknown: the error);
 * {@code consume} OK per message received (detail {@code queue=.. offset=.. group=..}).
 */
final class ClientWorkload implements Workload {
    static final int PRODUCERS = 2;
    static final int RATE_PER_PRODUCER = 100;
    static final int KEYS_PER_PRODUCER = 4;
    static final int WARM_UP_SECONDS = 60;
    static final long STUCK_MS = 3000;

    /** One send through some client: the stored queue and offset, or an exception (outcome unknown). */
    interface Sender extends AutoCloseable {
        /** Where a send went. */
        record Sent(String brokerName, int queueId, long offset) {
        }

        /** Sends {@code body} to {@code topic}; to the queue {@code key} hashes to when not null. */
        Sent send(String topic, String value, byte[] body, String key) throws Exception;

        @Override
        void close();
    }

    /** Makes a started sender for a NameServer address and an instance name. */
    interface SenderFactory {
        Sender start(String namesrvAddr, String instance) throws Exception;
    }

    private final String name;
    private final boolean ordered;
    private final SenderFactory senders;
    private final String topic;
    private final String group;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger acked = new AtomicInteger();
    private final Set<String> ackedValues = ConcurrentHashMap.newKeySet();
    private final Set<String> consumed = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private Sender sender;
    private DefaultMQPushConsumer consumer;

    ClientWorkload(String name, boolean ordered, SenderFactory senders) {
        this.name = name;
        this.ordered = ordered;
        this.senders = senders;
        this.topic = ordered ? "ChaosOrdered" : "ChaosQueue";
        this.group = ordered ? "ChaosOrderedCG" : "ChaosQueueCG";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start(String namesrvAddr, History history, long seed) throws Exception {
        consumer = new DefaultMQPushConsumer(group);
        consumer.setNamesrvAddr(namesrvAddr);
        consumer.setInstanceName(group + "-" + seed);
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setPollNameServerInterval(200);
        consumer.subscribe(topic, "*");
        if (ordered) {
            consumer.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
                msgs.forEach(m -> received(history, m));
                return ConsumeOrderlyStatus.SUCCESS;
            });
        } else {
            consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                msgs.forEach(m -> received(history, m));
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
        }
        consumer.start();
        sender = senders.start(namesrvAddr, name + "-p-" + seed);
        warmUp(namesrvAddr, history, seed);
        for (int t = 0; t < PRODUCERS; t++) {
            int thread = t;
            Thread th = new Thread(() -> produce(history, seed, thread), "chaos-" + name + "-producer-" + t);
            th.setDaemon(true);
            threads.add(th);
            th.start();
        }
    }

    /**
     * Sends (recorded like any send) until the first is acknowledged, which creates the topic. The official client
     * 5.3.3 keeps, for a topic the NameServer does not know yet, the publish info it built from TBW102's route on
     * its first send; when that route had no brokerId 0 (an election) the info has no queue and every later send
     * fails with "No route info of this topic" (its route polls ask only for the topic itself): after
     * {@value #STUCK_MS} ms of those the producer is replaced.
     */
    private void warmUp(String namesrvAddr, History history, long seed) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS);
        long stuckSince = 0;
        for (int n = 0; System.nanoTime() - deadline < 0; n++) {
            String value = "w-" + seed + "-" + n;
            history.invoke("producer-warm-up", "send", value);
            try {
                Sender.Sent s = sender.send(topic, value, body(value, "W", 0), ordered ? "W" : null);
                history.ok("producer-warm-up", "send", value, detail(s, "W", 0));
                ackedValues.add(value);
                return;
            } catch (Exception e) {
                history.info("producer-warm-up", "send", value, String.valueOf(e));
                boolean noRoute = String.valueOf(e.getMessage()).contains("No route info");
                stuckSince = !noRoute ? 0 : stuckSince == 0 ? System.nanoTime() : stuckSince;
                if (noRoute && System.nanoTime() - stuckSince > TimeUnit.MILLISECONDS.toNanos(STUCK_MS)) {
                    sender.close();
                    sender = senders.start(namesrvAddr, name + "-p-" + seed + "-" + n);
                    stuckSince = 0;
                }
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // pacing of the retries
        }
        throw new IllegalStateException("no send acknowledged within " + WARM_UP_SECONDS + " s");
    }

    private byte[] body(String value, String key, int seq) {
        return (ordered ? value + " " + key + " " + seq : value).getBytes(StandardCharsets.UTF_8);
    }

    private String detail(Sender.Sent s, String key, int seq) {
        return "queue=" + s.brokerName() + ":" + s.queueId() + " offset=" + s.offset()
            + (ordered ? " key=" + key + " seq=" + seq : "");
    }

    private void received(History history, MessageExt m) {
        String[] body = new String(m.getBody(), StandardCharsets.UTF_8).split(" ");
        String detail = "queue=" + m.getBrokerName() + ":" + m.getQueueId() + " offset=" + m.getQueueOffset()
            + " group=" + group + (ordered && body.length >= 3 ? " key=" + body[1] + " seq=" + body[2]
            : " listener=concurrent");
        history.ok("consumer", "consume", body[0], detail);
        consumed.add(body[0]);
    }

    private void produce(History history, long seed, int thread) {
        String process = "producer-" + thread;
        long periodNs = TimeUnit.SECONDS.toNanos(1) / RATE_PER_PRODUCER;
        long next = System.nanoTime();
        int[] seqs = new int[KEYS_PER_PRODUCER];
        for (int n = 0; !stop.get(); n++) {
            String value = (ordered ? "o-" : "q-") + seed + "-" + thread + "-" + n;
            int k = n % KEYS_PER_PRODUCER;
            String key = ordered ? "K" + (thread * KEYS_PER_PRODUCER + k) : null;
            history.invoke(process, "send", value);
            try {
                Sender.Sent s = sender.send(topic, value, body(value, key, seqs[k]), key);
                history.ok(process, "send", value, detail(s, key, seqs[k]));
                ackedValues.add(value);
                acked.incrementAndGet();
                seqs[k]++;
            } catch (InterruptedException e) {
                history.info(process, "send", value, "interrupted");
                return;
            } catch (Exception e) {
                history.info(process, "send", value, String.valueOf(e));
            }
            next += periodNs;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait); // pacing of the load, not a wait for a condition
            } else {
                next = System.nanoTime(); // behind after a stall: no burst to catch up
            }
        }
    }

    @Override
    public List<String> topics() {
        return List.of(topic);
    }

    @Override
    public int acked() {
        return acked.get();
    }

    @Override
    public void stopSending() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    @Override
    public boolean drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!consumed.containsAll(ackedValues)) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return true;
    }

    @Override
    public void close() {
        stop.set(true);
        if (sender != null) {
            sender.close();
        }
        if (consumer != null) {
            consumer.shutdown();
        }
    }
}
