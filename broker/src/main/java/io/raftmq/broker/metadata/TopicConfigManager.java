package io.raftmq.broker.metadata;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;
import io.raftmq.broker.entry.TopicConfigCodec;
import io.raftmq.client.Verify;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.QueueData;
import io.raftmq.client.protocol.body.TopicConfig;
import io.raftmq.client.protocol.body.TopicConfigSerializeWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;

/**
 * The broker group's topic table, replicated through the Raft log. Changes are proposed as TOPIC_PUT/TOPIC_DELETE
 * entries ({@link TopicConfigCodec}) and take effect on every member when applied; reads see an immutable sorted
 * table swapped atomically (copy-on-write: topic changes are rare, reads are lock-free).
 *
 * <p>Built-in topic: {@link Names#DEFAULT_TOPIC} (TBW102) with {@code defaultTopicQueueNums} queues and perm 7
 * (read, write, inherit) when auto-creation is enabled, perm 6 otherwise (docs/protocol.md §5.10). It exists on every
 * member from construction, so it needs no log entry.
 *
 * <p>Auto-creation rules: {@link #createTopicInSendIfAbsent} (send path: from a template topic whose perm has
 * INHERIT, with at most its write queue count, perm without INHERIT) and {@link #createRetryTopicIfAbsent}
 * ({@code %RETRY%group}, perm 6, on heartbeat and send-back, docs/protocol.md §2.2).
 *
 * <p>Threads: apply/snapshot/restore on the raft agent thread only; everything else from any thread. Proposals
 * made on a follower fail with {@code NotLeaderException} (see {@link MetadataProposer}). Change listeners run on
 * the applying thread after each applied change and must not block (the NameServer registrar re-registers).
 */
public final class TopicConfigManager {
    private static final Logger LOG = LoggerFactory.getLogger(TopicConfigManager.class);
    /** Perm of a normal topic: read and write. */
    public static final int PERM_RW = QueueData.PERM_READ | QueueData.PERM_WRITE;
    public static final int QUEUE_NUMS_MAX = 1024;
    /** Topics that can never be deleted. */
    private static final List<String> SYSTEM_TOPICS = List.of(Names.DEFAULT_TOPIC);

    private final MetadataProposer proposer;
    private final LongSupplier clockMs;
    private final boolean autoCreateTopicEnable;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    /** Immutable sorted table; replaced as a whole on every applied change. */
    private volatile SortedMap<String, TopicConfig> table;
    private volatile DataVersion dataVersion = new DataVersion(0, 0, 0);

    /**
     * @param proposer              where changes are proposed
     * @param clockMs               wall clock (ms) stamped into proposed entries (DataVersion timestamp)
     * @param autoCreateTopicEnable TBW102 perm 7 (auto-create allowed) vs 6
     * @param defaultTopicQueueNums TBW102 queue count
     */
    public TopicConfigManager(MetadataProposer proposer, LongSupplier clockMs, boolean autoCreateTopicEnable,
                              int defaultTopicQueueNums) {
        Verify.argument(proposer != null && clockMs != null, "proposer and clock are required");
        Verify.argument(defaultTopicQueueNums >= 1 && defaultTopicQueueNums <= QUEUE_NUMS_MAX,
                "defaultTopicQueueNums out of range");
        this.proposer = proposer;
        this.clockMs = clockMs;
        this.autoCreateTopicEnable = autoCreateTopicEnable;
        int perm = autoCreateTopicEnable ? PERM_RW | QueueData.PERM_INHERIT : PERM_RW;
        TreeMap<String, TopicConfig> t = new TreeMap<>();
        t.put(Names.DEFAULT_TOPIC, new TopicConfig(Names.DEFAULT_TOPIC, defaultTopicQueueNums, defaultTopicQueueNums,
                perm, TopicConfig.SINGLE_TAG, 0, false, Map.of()));
        this.table = Collections.unmodifiableSortedMap(t);
    }

    // ------------------------------------------------------------------------------------------ reads

    /** The topic's config, or null. */
    public TopicConfig get(String topic) {
        return table.get(topic);
    }

    /** The whole table, sorted by name, immutable. */
    public SortedMap<String, TopicConfig> all() {
        return table;
    }

    public DataVersion dataVersion() {
        return dataVersion;
    }

    /** GET_ALL_TOPIC_CONFIG body and the topic part of a NameServer registration. */
    public TopicConfigSerializeWrapper wrapper() {
        return new TopicConfigSerializeWrapper(table, dataVersion);
    }

    /** Runs {@code listener} after every applied topic change (on the applying thread; must not block). */
    public void addChangeListener(Runnable listener) {
        listeners.add(listener);
    }

    // ------------------------------------------------------------------------------------------ changes

    /**
     * Creates or replaces a topic (UPDATE_AND_CREATE_TOPIC). Completes with the applied config.
     *
     * @throws MetadataRejectedException (in the future) if the name or the queue counts are invalid
     */
    public CompletableFuture<TopicConfig> createOrUpdate(TopicConfig c) {
        String bad = Names.checkTopic(c.topicName());
        if (bad == null && (c.readQueueNums() < 0 || c.readQueueNums() > QUEUE_NUMS_MAX
                || c.writeQueueNums() < 0 || c.writeQueueNums() > QUEUE_NUMS_MAX)) {
            bad = "queue numbers must be in [0, " + QUEUE_NUMS_MAX + "]";
        }
        if (bad == null && (c.perm() & ~0xF) != 0) {
            bad = "perm must be a combination of 8|4|2|1, got " + c.perm();
        }
        if (bad != null) {
            return CompletableFuture.failedFuture(new MetadataRejectedException(ResponseCode.INVALID_PARAMETER, bad));
        }
        byte[] payload = TopicConfigCodec.encodePut(c, clockMs.getAsLong());
        return proposer.propose(EntryType.TOPIC_PUT, payload).thenApply(v -> get(c.topicName()));
    }

    /** Deletes a topic (DELETE_TOPIC_IN_BROKER); its consumer offsets go with it. Unknown topics succeed. */
    public CompletableFuture<Void> delete(String topic) {
        if (SYSTEM_TOPICS.contains(topic)) {
            return CompletableFuture.failedFuture(new MetadataRejectedException(ResponseCode.INVALID_PARAMETER,
                    "the system topic " + topic + " cannot be deleted"));
        }
        if (get(topic) == null) {
            return CompletableFuture.completedFuture(null);
        }
        return proposer.propose(EntryType.TOPIC_DELETE, TopicConfigCodec.encodeDelete(topic, clockMs.getAsLong()));
    }

    /** Creates {@code %RETRY%group} (perm 6, {@code retryQueueNums} queues) unless it exists. */
    public CompletableFuture<TopicConfig> createRetryTopicIfAbsent(String group, int retryQueueNums) {
        String topic = Names.retryTopic(group);
        TopicConfig existing = get(topic);
        if (existing != null) {
            return CompletableFuture.completedFuture(existing);
        }
        int n = Math.max(1, retryQueueNums);
        return createOrUpdate(new TopicConfig(topic, n, n, PERM_RW, TopicConfig.SINGLE_TAG, 0, false, Map.of()));
    }

    /**
     * Auto-creation on send (docs/protocol.md §5.10): returns the topic if it exists; otherwise creates it from
     * {@code templateTopic} when that exists and has PERM_INHERIT (TBW102 has it only with autoCreateTopicEnable),
     * with {@code min(queueNums, template write queues)} queues and the template's perm minus INHERIT.
     *
     * @return the topic's config, or a future completed with null when creation is not permitted (answer 17)
     */
    public CompletableFuture<TopicConfig> createTopicInSendIfAbsent(String topic, String templateTopic,
                                                                    int queueNums, int topicSysFlag) {
        TopicConfig existing = get(topic);
        if (existing != null) {
            return CompletableFuture.completedFuture(existing);
        }
        TopicConfig template = templateTopic == null ? null : get(templateTopic);
        if (template == null || (template.perm() & QueueData.PERM_INHERIT) == 0
                || Names.DEFAULT_TOPIC.equals(templateTopic) && !autoCreateTopicEnable) {
            return CompletableFuture.completedFuture(null);
        }
        int n = Math.max(1, Math.min(queueNums, template.writeQueueNums()));
        int perm = template.perm() & ~QueueData.PERM_INHERIT;
        return createOrUpdate(new TopicConfig(topic, n, n, perm, TopicConfig.SINGLE_TAG, topicSysFlag, false,
                Map.of()));
    }

    // ------------------------------------------------------------------------------------------ applied state

    /** Applies a committed TOPIC_PUT at raft index {@code index}. */
    public void applyPut(long index, TopicConfigCodec.Put put) {
        TreeMap<String, TopicConfig> t = new TreeMap<>(table);
        t.put(put.config().topicName(), put.config());
        install(t, index, put.timestampMs());
        LOG.info("topic {} applied at index {}: {}", put.config().topicName(), index, put.config());
    }

    /** Applies a committed TOPIC_DELETE at raft index {@code index}. */
    public void applyDelete(long index, TopicConfigCodec.Delete del) {
        TreeMap<String, TopicConfig> t = new TreeMap<>(table);
        t.remove(del.topic());
        install(t, index, del.timestampMs());
        LOG.info("topic {} deleted at index {}", del.topic(), index);
    }

    private void install(TreeMap<String, TopicConfig> t, long index, long timestampMs) {
        DataVersion old = dataVersion;
        Verify.state(index > old.stateVersion(), "topic change applied out of order", index, old.stateVersion());
        table = Collections.unmodifiableSortedMap(t);
        dataVersion = new DataVersion(old.counter() + 1, index, timestampMs);
        notifyListeners();
    }

    private void notifyListeners() {
        for (Runnable r : listeners) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.error("topic change listener failed", e);
            }
        }
    }

    /**
     * Deterministic image: {@code counter i64 | stateVersion i64 | timestamp i64 | count i32 | count x config}
     * (configs in name order, layout of {@link TopicConfigCodec#writeConfig}).
     */
    public byte[] snapshot() {
        SortedMap<String, TopicConfig> t = table;
        DataVersion v = dataVersion;
        PayloadWriter w = new PayloadWriter(64 + t.size() * 64);
        w.i64(v.counter()).i64(v.stateVersion()).i64(v.timestamp()).i32(t.size());
        for (TopicConfig c : t.values()) {
            TopicConfigCodec.writeConfig(w, c);
        }
        return w.toByteArray();
    }

    /** Replaces the table with a {@link #snapshot()} image. */
    public void restore(byte[] image) {
        PayloadReader r = new PayloadReader(image, "topic table snapshot");
        DataVersion v = new DataVersion(r.i64(), r.i64(), r.i64());
        int n = r.count(Integer.MAX_VALUE);
        TreeMap<String, TopicConfig> t = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            TopicConfig c = TopicConfigCodec.readConfig(r);
            t.put(c.topicName(), c);
        }
        r.end();
        table = Collections.unmodifiableSortedMap(t);
        dataVersion = v;
        notifyListeners();
    }
}
