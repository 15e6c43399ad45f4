package io.raftmq.commitlog.store;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.FlushMode;
import io.raftmq.commitlog.dispatch.DispatchConfig;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessageEncoder;
import io.raftmq.commitlog.queue.ConsumeQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Test fixture: small store configs (64 KiB log segments, 4-unit ConsumeQueue files, tiny index files) and
 * deterministic message records built from a seed.
 */
final class StoreFixture {
    static final byte MESSAGE = DispatchConfig.DEFAULT_MESSAGE_RECORD_TYPE;
    static final byte OTHER = 7;
    static final HostAddress BORN = HostAddress.of(new byte[] {127, 0, 0, 1}, 54321);
    static final HostAddress STORE = HostAddress.of(new byte[] {127, 0, 0, 1}, 10911);
    static final String[] TOPICS = {"TopicA", "TopicB", "%RETRY%cg"};

    private StoreFixture() {
    }

    static MessageStoreConfig config(Path root) {
        CommitLogConfig log = CommitLogConfig.builder(root.resolve("commitlog")).segmentBytes(64 * 1024)
                .recordBytesMax(16 * 1024).writeBufferBytes(64 * 1024).indexUnitsPerSegment(128)
                .flushMode(FlushMode.MANUAL).build();
        DispatchConfig dispatch = new DispatchConfig(root.resolve("derived"), MESSAGE, 4, 7, 16, 4096, 32 * 1024);
        return new MessageStoreConfig(log, dispatch, 64);
    }

    /** {@code c} with the dispatcher's automatic checkpoint every {@code intervalBytes} of dispatched log. */
    static MessageStoreConfig withCheckpointInterval(MessageStoreConfig c, long intervalBytes) {
        DispatchConfig d = c.dispatch();
        return new MessageStoreConfig(c.commitLog(), new DispatchConfig(d.directory(), d.messageRecordType(),
                d.consumeQueueUnitsPerFile(), d.indexSlotCount(), d.indexEntryCount(), intervalBytes,
                d.readChunkBytes()), c.messagesMax());
    }

    /** One encoded (unstamped) message. */
    static byte[] message(String topic, int queueId, String tags, String keys, String uniq, int sysFlag,
                          long storeTs) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(MessageProperties.KEYS, keys);
        props.put(MessageProperties.UNIQ_KEY, uniq);
        props.put(MessageProperties.TAGS, tags);
        MessageDraft d = new MessageDraft().topic(topic).queueId(queueId).body(("body-" + uniq).getBytes())
                .properties(MessageProperties.encode(props)).sysFlag(sysFlag).bornTimestamp(storeTs - 5)
                .bornHost(BORN).storeTimestamp(storeTs).storeHost(STORE);
        return new StoredMessageEncoder().encode(d);
    }

    /** A record body of 1..3 random messages; {@code n} makes keys unique. */
    static ByteBuffer randomBody(Random rnd, int n) {
        int count = 1 + rnd.nextInt(3);
        ByteBuffer body = ByteBuffer.allocate(4096);
        for (int i = 0; i < count; i++) {
            String topic = TOPICS[rnd.nextInt(TOPICS.length)];
            int sysFlag = rnd.nextInt(10) == 0 ? 0x4 : 0;
            body.put(message(topic, rnd.nextInt(3), "Tag" + rnd.nextInt(2), "K" + n + " shared", "U" + n + "_" + i,
                    sysFlag, 1_700_000_000_000L + n * 100L));
        }
        return body.flip();
    }

    /** Appends {@code bodies} as records [firstIndex, ...) of type MESSAGE, every 5th an OTHER record. */
    static void appendAll(MessageStore store, List<ByteBuffer> bodies, long term, AppendResult result) {
        AppendBatch batch = new AppendBatch(1);
        for (ByteBuffer body : bodies) {
            long index = store.commitLog().lastIndex() + 1;
            byte type = index % 5 == 0 ? OTHER : MESSAGE;
            batch.clear();
            batch.add(term, index, type, 1_700_000_000_000L + index, body.duplicate());
            store.append(batch, result);
        }
    }

    static List<ByteBuffer> bodies(long seed, int count, int keyBase) {
        Random rnd = new Random(seed);
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(randomBody(rnd, keyBase + i));
        }
        return out;
    }

    /** All records' raw bytes from the log start to its end. */
    static byte[] logBytes(MessageStore store) {
        ByteBuffer all = ByteBuffer.allocate(4 * 1024 * 1024);
        long position = store.commitLog().startPosition();
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        while (position < store.commitLog().endPosition()) {
            chunk.clear();
            long first = store.commitLog().read(position, chunk);
            if (chunk.position() == 0) {
                break;
            }
            all.put(chunk.flip());
            position = first + chunk.limit();
        }
        return java.util.Arrays.copyOf(all.array(), all.position());
    }

    /** A textual dump of every ConsumeQueue (topic/queue: min..max and units), for equality checks. */
    static String dumpQueues(MessageStore store) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (ConsumeQueue q : store.consumeQueues().queues()) {
            sb.append(q.topic()).append('/').append(q.queueId()).append(' ').append(q.minOffset()).append("..")
                    .append(q.maxOffset()).append(':');
            ByteBuffer units = ByteBuffer.allocate((int) (q.maxOffset() - q.minOffset()) * 20);
            q.read(q.minOffset(), Integer.MAX_VALUE, units);
            for (int i = 0; i < units.position(); i += 20) {
                sb.append(' ').append(units.getLong(i)).append('/').append(units.getInt(i + 8)).append('/')
                        .append(units.getLong(i + 12));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
