package io.raftmq.broker.metadata;

import io.raftmq.broker.entry.ConsumerOffsetCodec;
import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.EntryType;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;
import io.raftmq.broker.entry.SubscriptionGroupCodec;
import io.raftmq.broker.entry.TopicConfigCodec;
import io.raftmq.broker.offset.ConsumerOffsetManager;
import io.raftmq.commitlog.error.Verify;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.CRC32C;

/**
 * The replicated control-plane state of a broker (topics, subscription groups, consumer offsets) as one state
 * machine fed by the Raft apply loop: {@link #apply} routes each committed metadata entry (types 17..21 of
 * {@link EntryType}) to its manager; {@link #snapshot}/{@link #restore} image all three at once for Raft
 * snapshots. Applying the same entries from the same image gives byte-identical snapshots on every member.
 *
 * <p>Snapshot layout (big-endian):
 * <pre>
 *  0        4       5                   13            17             17+t       21+t          21+t+g
 *  +--------+-------+-------------------+-------------+--------------+----------+-------------+---------+
 *  | magic  | ver=1 | appliedIndex i64  | topicLen i32| topic image  | groupLen | group image | offLen  |
 *  +--------+-------+-------------------+-------------+--------------+----------+-------------+---------+
 *  ... offset image | crc32c (i32) of every preceding byte |
 * </pre>
 * magic = 0x524D5153 ("RMQS"). Images: {@link TopicConfigManager#snapshot}, {@link SubscriptionGroupManager#snapshot},
 * {@link ConsumerOffsetManager#snapshot}.
 *
 * <p>Threads: the raft agent thread only. Errors: a malformed entry or image throws {@link EntryFormatException};
 * the driver must stop the node (skipping would make replicas diverge).
 * Invariant: applied indexes strictly increase.
 */
public final class MetadataStateMachine {
    public static final int MAGIC = 0x524D5153;
    public static final byte VERSION = 1;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_OFFSET = 4;
    public static final int APPLIED_INDEX_OFFSET = 5;
    public static final int SECTIONS_OFFSET = 13;
    public static final int CRC_LENGTH = 4;

    static {
        Verify.state(SECTIONS_OFFSET == APPLIED_INDEX_OFFSET + 8, "snapshot header layout");
    }

    private final TopicConfigManager topics;
    private final SubscriptionGroupManager groups;
    private final ConsumerOffsetManager offsets;
    private final List<DeletionListener> deletionListeners = new CopyOnWriteArrayList<>();
    private long appliedIndex;

    /**
     * Replicated state kept elsewhere that follows the deletions of topics and groups as the offsets do (the pop
     * state): told on the raft agent thread while the deleting entry is applied, so every member drops the same.
     */
    public interface DeletionListener {
        /** A TOPIC_DELETE entry of {@code topic} was applied. */
        void onTopicDeleted(String topic);

        /** A GROUP_DELETE entry of {@code group} that also drops its offsets ({@code cleanOffset}) was applied. */
        void onGroupDropped(String group);
    }

    public MetadataStateMachine(TopicConfigManager topics, SubscriptionGroupManager groups,
                                ConsumerOffsetManager offsets) {
        this.topics = topics;
        this.groups = groups;
        this.offsets = offsets;
    }

    /** Registers {@code l} (before the raft agent starts: every deletion applied afterwards reaches it). */
    public void addDeletionListener(DeletionListener l) {
        deletionListeners.add(l);
    }

    /** Index of the last metadata entry applied (0 if none). */
    public long appliedIndex() {
        return appliedIndex;
    }

    /**
     * Applies one committed metadata entry.
     *
     * @throws IllegalArgumentException if {@code type} is not a metadata type (callers route messages elsewhere)
     * @throws EntryFormatException     if the payload is malformed
     */
    public void apply(long index, byte type, byte[] payload) {
        Verify.argument(EntryType.isMetadata(type), "not a metadata entry type: " + EntryType.name(type));
        Verify.state(index > appliedIndex, "metadata entries must be applied in index order", index, appliedIndex);
        switch (type) {
            case EntryType.CONSUMER_OFFSETS -> offsets.apply(ConsumerOffsetCodec.decode(payload));
            case EntryType.TOPIC_PUT -> topics.applyPut(index, TopicConfigCodec.decodePut(payload));
            case EntryType.TOPIC_DELETE -> {
                TopicConfigCodec.Delete d = TopicConfigCodec.decodeDelete(payload);
                topics.applyDelete(index, d);
                offsets.dropTopic(d.topic());
                deletionListeners.forEach(l -> l.onTopicDeleted(d.topic()));
            }
            case EntryType.GROUP_PUT -> groups.applyPut(index, SubscriptionGroupCodec.decodePut(payload));
            case EntryType.GROUP_DELETE -> {
                SubscriptionGroupCodec.Delete d = SubscriptionGroupCodec.decodeDelete(payload);
                groups.applyDelete(index, d);
                if (d.cleanOffset()) {
                    offsets.dropGroup(d.group());
                    deletionListeners.forEach(l -> l.onGroupDropped(d.group()));
                }
            }
            default -> throw new IllegalStateException("unhandled metadata type " + type);
        }
        appliedIndex = index;
    }

    /** A deterministic image of the whole control-plane state (layout in the class comment). */
    public byte[] snapshot() {
        byte[] t = topics.snapshot();
        byte[] g = groups.snapshot();
        byte[] o = offsets.snapshot();
        PayloadWriter w = new PayloadWriter(SECTIONS_OFFSET + 12 + t.length + g.length + o.length + CRC_LENGTH);
        w.i32(MAGIC).u8(VERSION).i64(appliedIndex);
        w.i32(t.length).bytes(t).i32(g.length).bytes(g).i32(o.length).bytes(o);
        byte[] body = w.toByteArray();
        CRC32C crc = new CRC32C();
        crc.update(body, 0, body.length);
        w.i32((int) crc.getValue());
        return w.toByteArray();
    }

    /**
     * Replaces the whole state with a {@link #snapshot()} image.
     *
     * @throws EntryFormatException if the image is corrupt (bad magic, version, CRC or section lengths)
     */
    public void restore(byte[] image) {
        if (image.length < SECTIONS_OFFSET + 12 + CRC_LENGTH) {
            throw new EntryFormatException("metadata snapshot: " + image.length + " bytes is too short");
        }
        CRC32C crc = new CRC32C();
        crc.update(image, 0, image.length - CRC_LENGTH);
        PayloadReader tail = new PayloadReader(java.util.Arrays.copyOfRange(image, image.length - CRC_LENGTH,
                image.length), "metadata snapshot crc");
        if (tail.i32() != (int) crc.getValue()) {
            throw new EntryFormatException("metadata snapshot: CRC32C mismatch");
        }
        PayloadReader r = new PayloadReader(java.util.Arrays.copyOf(image, image.length - CRC_LENGTH),
                "metadata snapshot");
        if (r.i32() != MAGIC) {
            throw new EntryFormatException("metadata snapshot: bad magic");
        }
        r.version(VERSION);
        long index = r.i64();
        byte[] t = r.bytes(r.count(image.length));
        byte[] g = r.bytes(r.count(image.length));
        byte[] o = r.bytes(r.count(image.length));
        r.end();
        topics.restore(t);
        groups.restore(g);
        offsets.restore(o);
        appliedIndex = index;
    }
}
