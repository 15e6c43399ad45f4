package io.raftmq.broker.store;

import io.raftmq.commitlog.AppendBatch;
import io.raftmq.commitlog.CommitLogConfig;
import io.raftmq.commitlog.dispatch.DispatchConfig;
import io.raftmq.commitlog.flush.FlushMode;
import io.raftmq.commitlog.message.HostAddress;
import io.raftmq.commitlog.message.MessageDraft;
import io.raftmq.commitlog.message.MessageProperties;
import io.raftmq.commitlog.message.StoredMessage;
import io.raftmq.commitlog.message.StoredMessageEncoder;
import io.raftmq.commitlog.store.AppendResult;
import io.raftmq.commitlog.store.MessageStore;
import io.raftmq.commitlog.store.MessageStoreConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixture: a real {@link MessageStore} in a temp directory with small files (64 KiB log segments so records
 * roll over segments and fillers), fed with stored messages built by the commitlog's encoder; the test decides what is
 * "committed" by calling {@link #commit()} (dispatch up to the end of the log), so undispatched appends stand for
 * uncommitted Raft entries. Deterministic: store times are {@code BASE_TS + n * 1000} for the n-th message.
 */
public final class StoreFixture implements AutoCloseable {
    public static final long BASE_TS = 1_700_000_000_000L;
    public static final HostAddress BORN = HostAddress.of(new byte[] {127, 0, 0, 1}, 54321);
    public static final HostAddress STORE = HostAddress.of(new byte[] {127, 0, 0, 1}, 10911);

    public final MessageStore store;
    private final AppendBatch batch = new AppendBatch(1);
    private final AppendResult result = new AppendResult(64);
    private final ByteBuffer body = ByteBuffer.allocate(256 * 1024);
    private long term = 1;
    private int sequence;
    /** Physical offsets of every appended message, in append order. */
    public final List<Long> physicalOffsets = new ArrayList<>();

    public StoreFixture(Path dir) throws IOException {
        CommitLogConfig log = CommitLogConfig.builder(dir.resolve("commitlog")).segmentBytes(64 * 1024)
                .recordBytesMax(32 * 1024).writeBufferBytes(64 * 1024).indexUnitsPerSegment(256)
                .flushMode(FlushMode.MANUAL).build();
        DispatchConfig dispatch = new DispatchConfig(dir.resolve("derived"), DispatchConfig.DEFAULT_MESSAGE_RECORD_TYPE,
                64, 101, 512, 1 << 20, 64 * 1024);
        store = MessageStore.open(new MessageStoreConfig(log, dispatch, 64));
    }

    /** An encoded, unstamped message; the n-th message of the fixture gets store time BASE_TS + n * 1000. */
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

    public static String uniqKey(int n) {
        return String.format("7F000001D431%020X", n);
    }

    /** Appends one record holding {@code messages}; returns nothing is dispatched yet. */
    public void appendRecord(byte[]... messages) {
        body.clear();
        for (byte[] m : messages) {
            body.put(m);
        }
        body.flip();
        batch.clear();
        batch.add(term, store.commitLog().lastIndex() + 1, DispatchConfig.DEFAULT_MESSAGE_RECORD_TYPE, BASE_TS, body);
        store.append(batch, result);
        for (int i = 0; i < result.size(); i++) {
            physicalOffsets.add(result.physicalOffset(i));
        }
    }

    /** Appends one non-message record (raft no-op / metadata) that the store skips. */
    public void appendOther() {
        batch.clear();
        batch.add(term, store.commitLog().lastIndex() + 1, (byte) 7, BASE_TS, ByteBuffer.wrap(new byte[] {1, 2, 3}));
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

    @Override
    public void close() throws IOException {
        store.close();
    }
}
