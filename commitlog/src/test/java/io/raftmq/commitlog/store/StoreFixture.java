package io.raftmq.commitlog.store;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.dispatch.DispatchConfig;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.StoredMessageEncoder;
import io.raftmq.commitlog.queue.ConsumeQueue;
import io.raftmq.commitlog.record.RecordHeader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Test fixture of the message store, shared with the broker's tests through the commitlog test-jar: small store
 * configs (64 KiB log segments so records roll over segments and fillers, 4-unit ConsumeQueue files, tiny index
 * files), deterministic stored messages built by the commitlog's encoder, and record helpers.
 *
 * <p>Two ways to use it. Static helpers build configs, seeded record bodies and dumps for tests that open their own
 * {@link MessageStore}s. An instance ({@link #StoreFixture(Path)}) is one open store in a directory: the test
 * appends records and decides what is "committed" by calling {@link #commit()} (dispatch up to the end of the log),
 * so undispatched appends stand for uncommitted Raft entries; the n-th message of an instance gets store time
 * {@code BASE_TS + n * 1000}.
 */
public final class StoreFixture implements AutoCloseable {
    public static final byte MESSAGE = DispatchConfig.DEFAULT_MESSAGE_RECORD_TYPE;
    /** A record type the store skips (a Raft no-op or metadata entry). */
    public static final byte OTHER = 7;
    public static final long BASE_TS = 1_700_000_000_000L;
    public static final HostAddress BORN = HostAddress.of(new byte[] {127, 0, 0, 1}, 54321);
    public static final HostAddress STORE = HostAddress.of(new byte[] {127, 0, 0, 1}, 10911);
    public static final String[] TOPICS = {"TopicA", "TopicB", "%RETRY%cg"};

    /** The open store. */
    public final MessageStore store;
    /** Physical offsets of every message appended through this instance, in append order. */
    public final List<Long> physicalOffsets = new ArrayList<>();
    private final AppendBatch batch = new AppendBatch(1);
    private final AppendResult result = new AppendResult(64);
    private final ByteBuffer body = ByteBuffer.allocate(256 * 1024);
    private final long term = 1;
    private int sequence;

    /** Opens a store with {@link #config(Path)} in {@code dir}. */
    public StoreFixture(Path dir) throws IOException {
        store = MessageStore.open(config(dir));
    }

    /** The store settings: 64 KiB log segments, 4-unit ConsumeQueue files, index files of 7 slots and 16 entries. */
    public static MessageStoreConfig config(Path root) {
        CommitLogConfig log = CommitLogConfig.builder(root.resolve("commitlog")).segmentBytes(64 * 1024)
                .recordBytesMax(32 * 1024).writeBufferBytes(64 * 1024).indexUnitsPerSegment(128)
                .flushMode(FlushMode.MANUAL).build();
        DispatchConfig dispatch = new DispatchConfig(root.resolve("derived"), MESSAGE, 4, 7, 16, 4096, 32 * 1024);
        return new MessageStoreConfig(log, dispatch, 64);
    }

    /** {@code c} with the dispatcher's automatic checkpoint every {@code intervalBytes} of dispatched log. */
    public static MessageStoreConfig withCheckpointInterval(MessageStoreConfig c, long intervalBytes) {
        DispatchConfig d = c.dispatch();
        return new MessageStoreConfig(c.commitLog(), new DispatchConfig(d.directory(), d.messageRecordType(),
                d.consumeQueueUnitsPerFile(), d.indexSlotCount(), d.indexEntryCount(), intervalBytes,
                d.readChunkBytes()), c.messagesMax());
    }

    /** One encoded (unstamped) message with body {@code "body-" + uniq}. */
    public static byte[] encode(String topic, int queueId, String tags, String keys, String uniq, int sysFlag,
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
    public static ByteBuffer randomBody(Random rnd, int n) {
        int count = 1 + rnd.nextInt(3);
        ByteBuffer body = ByteBuffer.allocate(4096);
        for (int i = 0; i < count; i++) {
            String topic = TOPICS[rnd.nextInt(TOPICS.length)];
            int sysFlag = rnd.nextInt(10) == 0 ? 0x4 : 0;
            body.put(encode(topic, rnd.nextInt(3), "Tag" + rnd.nextInt(2), "K" + n + " shared", "U" + n + "_" + i,
                    sysFlag, 1_700_000_000_000L + n * 100L));
        }
        return body.flip();
    }

    /** Appends {@code bodies} as records [firstIndex, ...) of type MESSAGE, every 5th an OTHER record. */
    public static void appendAll(MessageStore store, List<ByteBuffer> bodies, long term, AppendResult result) {
        AppendBatch batch = new AppendBatch(1);
        for (ByteBuffer body : bodies) {
            long index = store.commitLog().lastIndex() + 1;
            byte type = index % 5 == 0 ? OTHER : MESSAGE;
            batch.clear();
            batch.add(term, index, type, 1_700_000_000_000L + index, body.duplicate());
            store.append(batch, result);
        }
    }

    /** {@code count} bodies from {@link #randomBody}, seeded; body i carries keys {@code "K" + (keyBase + i)}. */
    public static List<ByteBuffer> bodies(long seed, int count, int keyBase) {
        Random rnd = new Random(seed);
        List<ByteBuffer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(randomBody(rnd, keyBase + i));
        }
        return out;
    }

    /** All records' raw bytes from the log start to its end. */
    public static byte[] logBytes(MessageStore store) {
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
    public static String dumpQueues(MessageStore store) throws IOException {
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

    /** Copies a directory tree (a crash image of an open store). */
    public static void copyTree(Path from, Path to) throws IOException {
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

    /** The unique key of the n-th message of an instance. */
    public static String uniqKey(int n) {
        return String.format("7F000001D431%020X", n);
    }

    /** Decodes a pull/view/query body into (topic, queueOffset, body text) strings, in order. */
    public static List<String> describe(ByteBuffer bytes) {
        List<String> out = new ArrayList<>();
        StoredMessage m = new StoredMessage();
        int at = bytes.position();
        while (at < bytes.limit()) {
            m.wrap(bytes, at);
            String text = new String(m.body(), StandardCharsets.UTF_8);
            out.add(m.topic() + "@" + m.queueOffset() + ":" + text.substring(0, text.indexOf('-')));
            at += m.totalSize();
        }
        return out;
    }

    /** An encoded, unstamped message: the instance's next one (store time BASE_TS + n * 1000, body "m{n}-..."). */
    public byte[] message(String topic, int queueId, String tags, String keys, int bodyBytes) {
        int n = sequence++;
        Map<String, String> props = new LinkedHashMap<>();
        props.put(MessageProperties.KEYS, keys);
        props.put(MessageProperties.UNIQ_KEY, uniqKey(n));
        props.put(MessageProperties.TAGS, tags);
        byte[] payload = new byte[bodyBytes];
        byte[] text = ("m" + n + "-").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bodyBytes; i++) {
            payload[i] = i < text.length ? text[i] : (byte) ('a' + i % 26);
        }
        MessageDraft d = new MessageDraft().topic(topic).queueId(queueId).body(payload)
                .properties(MessageProperties.encode(props)).bornTimestamp(BASE_TS + n * 1000L - 5).bornHost(BORN)
                .storeTimestamp(BASE_TS + n * 1000L).storeHost(STORE);
        return new StoredMessageEncoder().encode(d);
    }

    /** Appends one message record holding {@code messages}; nothing is dispatched yet. */
    public void appendRecord(byte[]... messages) {
        body.clear();
        for (byte[] m : messages) {
            body.put(m);
        }
        body.flip();
        batch.clear();
        batch.add(term, store.commitLog().lastIndex() + 1, MESSAGE, BASE_TS, body);
        store.append(batch, result);
        for (int i = 0; i < result.size(); i++) {
            physicalOffsets.add(result.physicalOffset(i));
        }
    }

    /** Appends one non-message record (a Raft no-op or metadata entry) that the store skips. */
    public void appendOther() {
        batch.clear();
        batch.add(term, store.commitLog().lastIndex() + 1, OTHER, BASE_TS, ByteBuffer.wrap(new byte[] {1, 2, 3}));
        store.append(batch, null);
    }

    /** Appends {@code count} single-message records to topic/queue with the given tags (body 100 bytes). */
    public void append(String topic, int queueId, String tags, int count) {
        for (int i = 0; i < count; i++) {
            appendRecord(message(topic, queueId, tags, "k" + sequence + " common", 100));
        }
    }

    /** Marks everything appended so far committed: dispatches it into ConsumeQueues and the key index. */
    public void commit() throws IOException {
        store.dispatchUpTo(store.commitLog().endPosition());
    }

    @Override
    public void close() throws IOException {
        store.close();
    }

    /** Appends the leader's stored records [fromIndex, toIndex] to {@code follower} unchanged, one record a batch. */
    public static void copyRecords(MessageStore leader, MessageStore follower, long fromIndex, long toIndex) {
        ByteBuffer rec = ByteBuffer.allocate(64 * 1024);
        AppendBatch batch = new AppendBatch(1);
        for (long i = fromIndex; i <= toIndex; i++) {
            rec.clear();
            leader.commitLog().entries(i, i + 1, rec);
            rec.flip();
            batch.clear();
            batch.add(RecordHeader.term(rec, 0), i, RecordHeader.type(rec, 0), RecordHeader.timestampMs(rec, 0),
                    rec.slice(RecordHeader.HEADER_LENGTH, RecordHeader.bodyLength(rec, 0)));
            follower.append(batch, null);
        }
    }
}
