package io.raftmq.chaos;

import io.raftmq.chaos.check.History;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageDecoder;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.exception.RemotingException;

import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * What the chaos tests share on the client side, with the official {@code rocketmq-client}: a producer set up for
 * failovers ({@link #producer}), a load of synchronous sends recorded in a {@link History} ({@link Load}), a
 * consumer that reads every queue from offset 0 ({@link #consumeAll}), the store host named by a SEND_OK's offset
 * msgId ({@link #storeHost}), and a walk over the records of a commitlog segment ({@link #records}).
 */
final class ChaosClients {
    /** The commitlog record header: length at +8, magic at +0 (layout: commitlog RecordHeader). */
    static final int RECORD_HEADER = 48;
    static final int RECORD_MAGIC = 0x524D514C;
    private static final long CONSUME_WAIT_NS = TimeUnit.SECONDS.toNanos(30);

    private ChaosClients() {
    }

    /**
     * A started producer in group {@code group}: it polls the NameServer every {@code routePollMs} (the client's
     * default is 30 s: a new leader's route would be learned late); {@code failoverRetries}: 3 s send timeout and two
     * retries (else the client's defaults).
     */
    static DefaultMQProducer producer(String group, String namesrv, String instance, int routePollMs,
                                      boolean failoverRetries) throws MQClientException {
        DefaultMQProducer p = new DefaultMQProducer(group);
        p.setNamesrvAddr(namesrv);
        p.setInstanceName(instance);
        p.setPollNameServerInterval(routePollMs);
        if (failoverRetries) {
            p.setSendMsgTimeout(3000);
            p.setRetryTimesWhenSendFailed(2);
        }
        p.start();
        return p;
    }

    /**
     * One thread of synchronous sends of values {@code prefix-N} (the message key too), recorded in a {@link History}:
     * INVOKE, then OK on SEND_OK (detail: the offset msgId) or INFO (outcome unknown: the status or the error; also
     * kept in {@link #failures()}). Several loads may share one producer and one history. With
     * {@code bodyBytes} above the value's length the body is the value, a space and seeded letters up to that size.
     */
    static final class Load {
        private final DefaultMQProducer producer;
        private final String topic;
        private final String prefix;
        private final History history;
        private final int bodyBytes;
        private final SplittableRandom random;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicInteger acked = new AtomicInteger();
        private final Queue<String> failures = new ConcurrentLinkedQueue<>();
        private final Thread thread;

        Load(DefaultMQProducer producer, String topic, String prefix, History history, int bodyBytes, long seed) {
            this.producer = producer;
            this.topic = topic;
            this.prefix = prefix;
            this.history = history;
            this.bodyBytes = bodyBytes;
            this.random = new SplittableRandom(seed);
            this.thread = new Thread(this::run, "chaos-producer");
        }

        /** Sends whose outcome was not SEND_OK so far, {@code "value: status or error"}. */
        List<String> failures() {
            return List.copyOf(failures);
        }

        Load start() {
            thread.start();
            return this;
        }

        /** Sends acknowledged so far. */
        int acked() {
            return acked.get();
        }

        /** Stops after the send in flight and waits for the thread (at most 30 s). */
        void stop() throws InterruptedException {
            stop.set(true);
            thread.join(30_000);
        }

        private void run() {
            for (int i = 0; !stop.get(); i++) {
                String v = prefix + "-" + i;
                history.invoke("producer", "send", v);
                Message m = new Message(topic, body(v));
                m.setKeys(v);
                try {
                    SendResult r = producer.send(m);
                    if (r.getSendStatus() == SendStatus.SEND_OK) {
                        history.ok("producer", "send", v, r.getOffsetMsgId());
                        acked.incrementAndGet();
                    } else {
                        failed(v, r.getSendStatus().name());
                    }
                } catch (MQClientException | RemotingException | MQBrokerException e) {
                    failed(v, e.toString());
                } catch (InterruptedException e) {
                    history.info("producer", "send", v, "interrupted");
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }

        private void failed(String v, String why) {
            history.info("producer", "send", v, why);
            failures.add(v + ": " + why);
        }

        private byte[] body(String v) {
            byte[] value = v.getBytes(StandardCharsets.UTF_8);
            if (bodyBytes <= value.length + 1) {
                return value;
            }
            byte[] b = new byte[bodyBytes];
            System.arraycopy(value, 0, b, 0, value.length);
            b[value.length] = ' ';
            for (int i = value.length + 1; i < b.length; i++) {
                b[i] = (byte) ('a' + random.nextInt(26));
            }
            return b;
        }
    }

    /** The value a {@link Load} body carries (up to the first space). */
    static String value(byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    /**
     * Reads every queue of {@code topic} from offset 0 with a new official lite-pull consumer of {@code group},
     * recording each message as {@code OK "consume" value} in {@code h}, until every acknowledged send was seen (and
     * two polls came back empty) or 30 s passed; then shuts the consumer down.
     */
    static void consumeAll(String namesrv, String group, String topic, History h) throws MQClientException {
        DefaultLitePullConsumer consumer = new DefaultLitePullConsumer(group);
        consumer.setNamesrvAddr(namesrv);
        consumer.setInstanceName(group + "-" + System.nanoTime());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.setAutoCommit(false);
        consumer.setPollTimeoutMillis(500);
        consumer.start();
        try {
            consumer.assign(consumer.fetchMessageQueues(topic));
            Set<String> pending = new HashSet<>();
            h.select(History.Type.OK, "send").forEach(e -> pending.add(e.value()));
            long deadline = System.nanoTime() + CONSUME_WAIT_NS;
            int idlePolls = 0;
            while (System.nanoTime() - deadline < 0 && (!pending.isEmpty() || idlePolls < 2)) {
                List<MessageExt> batch = consumer.poll();
                idlePolls = batch.isEmpty() ? idlePolls + 1 : 0;
                for (MessageExt m : batch) {
                    String v = value(m.getBody());
                    h.ok("consumer", "consume", v, m.getQueueId() + "@" + m.getQueueOffset());
                    pending.remove(v);
                }
            }
        } finally {
            consumer.shutdown();
        }
    }

    /** {@code ip:port} of the broker that stored a message, from its offset msgId (a SEND_OK's detail). */
    static String storeHost(String offsetMsgId) {
        try {
            InetSocketAddress a = (InetSocketAddress) MessageDecoder.decodeMessageId(offsetMsgId).getAddress();
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        } catch (UnknownHostException e) {
            throw new IllegalStateException("bad offset msgId " + offsetMsgId, e);
        }
    }

    /** (position, length) of each record of a commitlog segment, walking the headers until the first non-record. */
    static List<long[]> records(FileChannel ch) throws IOException {
        List<long[]> out = new ArrayList<>();
        ByteBuffer h = ByteBuffer.allocate(RECORD_HEADER);
        long pos = 0;
        while (pos + RECORD_HEADER <= ch.size()) {
            h.clear();
            ch.read(h, pos);
            if (h.getInt(0) != RECORD_MAGIC || h.get(5) == (byte) 0xFF) {
                break;
            }
            int length = h.getInt(8);
            out.add(new long[] {pos, length});
            pos += length;
        }
        return out;
    }

    /** The commitlog's first segment of a member's store (short runs fit in one 64 MiB segment). */
    static Path firstSegment(Path storeRoot) throws IOException {
        Path logDir = storeRoot.resolve("store/commitlog/log");
        try (Stream<Path> files = Files.list(logDir)) {
            return files.min(Comparator.comparing(Path::getFileName)).orElseThrow();
        }
    }
}
