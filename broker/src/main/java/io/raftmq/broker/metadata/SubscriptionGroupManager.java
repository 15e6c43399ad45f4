package io.raftmq.broker.metadata;

import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.MetadataProposer;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;
import io.raftmq.broker.entry.SubscriptionGroupCodec;
import io.raftmq.client.Verify;
import io.raftmq.client.protocol.ResponseCode;
import io.raftmq.client.protocol.body.DataVersion;
import io.raftmq.client.protocol.body.SubscriptionGroupConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;

/**
 * The broker group's subscription groups, replicated through the Raft log as GROUP_PUT/GROUP_DELETE entries
 * ({@link SubscriptionGroupCodec}). Same structure as {@link TopicConfigManager}: immutable sorted table swapped on
 * apply, reads lock-free, proposals rejected on followers by the proposer.
 *
 * <p>Auto-creation (docs/protocol.md §2.2, 5.10): {@link #findOrCreate} creates an unknown group with the defaults of
 * docs/protocol.md §4.8 when {@code autoCreateSubscriptionGroup} is on (heartbeat, pull and send-back call it).
 *
 * <p>Threads: apply/snapshot/restore on the raft agent thread only; everything else from any thread.
 */
public final class SubscriptionGroupManager {
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionGroupManager.class);

    private final MetadataProposer proposer;
    private final LongSupplier clockMs;
    private final boolean autoCreateSubscriptionGroup;
    private volatile SortedMap<String, SubscriptionGroupConfig> table = Collections.unmodifiableSortedMap(
            new TreeMap<>());
    private volatile DataVersion dataVersion = new DataVersion(0, 0, 0);

    public SubscriptionGroupManager(MetadataProposer proposer, LongSupplier clockMs,
                                    boolean autoCreateSubscriptionGroup) {
        Verify.argument(proposer != null && clockMs != null, "proposer and clock are required");
        this.proposer = proposer;
        this.clockMs = clockMs;
        this.autoCreateSubscriptionGroup = autoCreateSubscriptionGroup;
    }

    /** The group's config, or null. */
    public SubscriptionGroupConfig get(String group) {
        return table.get(group);
    }

    /** All groups sorted by name, immutable. */
    public SortedMap<String, SubscriptionGroupConfig> all() {
        return table;
    }

    public DataVersion dataVersion() {
        return dataVersion;
    }

    public boolean autoCreateEnabled() {
        return autoCreateSubscriptionGroup;
    }

    /**
     * Creates or replaces a group (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP). Completes with the applied config.
     * Fails with {@link MetadataRejectedException} for an invalid name.
     */
    public CompletableFuture<SubscriptionGroupConfig> createOrUpdate(SubscriptionGroupConfig c) {
        String bad = Names.checkGroup(c.groupName());
        if (bad == null && (c.retryQueueNums() < 0 || c.retryQueueNums() > TopicConfigManager.QUEUE_NUMS_MAX)) {
            bad = "retryQueueNums must be in [0, " + TopicConfigManager.QUEUE_NUMS_MAX + "]";
        }
        if (bad != null) {
            return CompletableFuture.failedFuture(new MetadataRejectedException(ResponseCode.INVALID_PARAMETER, bad));
        }
        byte[] payload = SubscriptionGroupCodec.encodePut(c, clockMs.getAsLong());
        return proposer.propose(EntryType.GROUP_PUT, payload).thenApply(v -> get(c.groupName()));
    }

    /**
     * The group's config; if unknown and auto-creation is on, creates it with the defaults. Completes with null
     * when the group is unknown and auto-creation is off (answer 26 SUBSCRIPTION_GROUP_NOT_EXIST).
     */
    public CompletableFuture<SubscriptionGroupConfig> findOrCreate(String group) {
        SubscriptionGroupConfig c = get(group);
        if (c != null) {
            return CompletableFuture.completedFuture(c);
        }
        if (!autoCreateSubscriptionGroup) {
            return CompletableFuture.completedFuture(null);
        }
        return createOrUpdate(SubscriptionGroupConfig.defaults(group));
    }

    /** Deletes a group (unknown groups succeed); with {@code cleanOffset} its consumer offsets go too. */
    public CompletableFuture<Void> delete(String group, boolean cleanOffset) {
        if (get(group) == null && !cleanOffset) {
            return CompletableFuture.completedFuture(null);
        }
        return proposer.propose(EntryType.GROUP_DELETE,
                SubscriptionGroupCodec.encodeDelete(group, cleanOffset, clockMs.getAsLong()));
    }

    /** Applies a committed GROUP_PUT. */
    public void applyPut(long index, SubscriptionGroupCodec.Put put) {
        TreeMap<String, SubscriptionGroupConfig> t = new TreeMap<>(table);
        t.put(put.config().groupName(), put.config());
        install(t, index, put.timestampMs());
        LOG.info("subscription group {} applied at index {}", put.config().groupName(), index);
    }

    /** Applies a committed GROUP_DELETE (the offsets part is applied by the offset manager). */
    public void applyDelete(long index, SubscriptionGroupCodec.Delete del) {
        TreeMap<String, SubscriptionGroupConfig> t = new TreeMap<>(table);
        t.remove(del.group());
        install(t, index, del.timestampMs());
        LOG.info("subscription group {} deleted at index {}", del.group(), index);
    }

    private void install(TreeMap<String, SubscriptionGroupConfig> t, long index, long timestampMs) {
        DataVersion old = dataVersion;
        Verify.state(index > old.stateVersion(), "group change applied out of order", index, old.stateVersion());
        table = Collections.unmodifiableSortedMap(t);
        dataVersion = new DataVersion(old.counter() + 1, index, timestampMs);
    }

    /** Deterministic image: DataVersion (3 x i64), count (i32), configs in name order. */
    public byte[] snapshot() {
        SortedMap<String, SubscriptionGroupConfig> t = table;
        DataVersion v = dataVersion;
        PayloadWriter w = new PayloadWriter(64 + t.size() * 80);
        w.i64(v.counter()).i64(v.stateVersion()).i64(v.timestamp()).i32(t.size());
        for (SubscriptionGroupConfig c : t.values()) {
            SubscriptionGroupCodec.writeConfig(w, c);
        }
        return w.toByteArray();
    }

    /** Replaces the table with a {@link #snapshot()} image. */
    public void restore(byte[] image) {
        PayloadReader r = new PayloadReader(image, "subscription group snapshot");
        DataVersion v = new DataVersion(r.i64(), r.i64(), r.i64());
        int n = r.count(Integer.MAX_VALUE);
        TreeMap<String, SubscriptionGroupConfig> t = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            SubscriptionGroupConfig c = SubscriptionGroupCodec.readConfig(r);
            t.put(c.groupName(), c);
        }
        r.end();
        table = Collections.unmodifiableSortedMap(t);
        dataVersion = v;
    }
}
