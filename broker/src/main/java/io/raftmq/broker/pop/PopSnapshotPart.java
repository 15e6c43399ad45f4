package io.raftmq.broker.pop;

import io.raftmq.broker.entry.EntryFormatException;
import io.raftmq.broker.entry.PayloadReader;
import io.raftmq.broker.entry.PayloadWriter;
import io.raftmq.broker.snapshot.SnapshotPart;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The snapshot part "pop-state": the whole {@link PopState} (docs/consumer-protocol.md "Pop consumption").
 * <pre>
 *  ver=1 u8 | modes i32 | modes x (topic str16 | group str16 | popShareQueueNum i32)
 *           | queues i32 | queues x (group str16 | topic str16 | queueId i32 | next i64 | flights i32 |
 *                                   flights x (offset i64 | popTimeMs i64 | invisibleMs i64 | reconsume i32 |
 *                                              nonce i64))
 * </pre>
 * Big-endian; modes sorted by topic then group, queues by group, topic, queueId, flights by offset, so equal states
 * encode to equal bytes. Integrity: the snapshot's per-part CRC32C. Absent means no pop state.
 */
public final class PopSnapshotPart implements SnapshotPart {
    public static final String NAME = "pop-state";
    public static final byte VERSION = 1;

    private static final Comparator<PopState.ModeKey> MODE_ORDER =
        Comparator.comparing(PopState.ModeKey::topic).thenComparing(PopState.ModeKey::group);
    private static final Comparator<PopState.QueueView> QUEUE_ORDER = Comparator
        .comparing((PopState.QueueView v) -> v.key().group()).thenComparing(v -> v.key().topic())
        .thenComparingInt(v -> v.key().queueId());

    private final PopState state;

    public PopSnapshotPart(PopState state) {
        this.state = state;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public byte[] save() {
        TreeMap<PopState.ModeKey, Integer> modes = new TreeMap<>(MODE_ORDER);
        modes.putAll(state.modes());
        List<PopState.QueueView> queues = state.queues();
        queues.sort(QUEUE_ORDER);
        PayloadWriter w = new PayloadWriter(64 + 64 * queues.size());
        w.u8(VERSION).i32(modes.size());
        for (Map.Entry<PopState.ModeKey, Integer> m : modes.entrySet()) {
            w.str(m.getKey().topic()).str(m.getKey().group()).i32(m.getValue());
        }
        w.i32(queues.size());
        for (PopState.QueueView q : queues) {
            w.str(q.key().group()).str(q.key().topic()).i32(q.key().queueId()).i64(q.next()).i32(q.flights().size());
            for (Map.Entry<Long, PopState.Flight> f : q.flights().entrySet()) {
                PopState.Flight v = f.getValue();
                w.i64(f.getKey()).i64(v.popTimeMs()).i64(v.invisibleMs()).i32(v.reconsume()).i64(v.nonce());
            }
        }
        return w.toByteArray();
    }

    @Override
    public void load(byte[] data, RestoreMode mode) {
        try {
            PayloadReader r = new PayloadReader(data, "snapshot part " + NAME);
            r.version(VERSION);
            int n = r.count(data.length / 8);
            Map<PopState.ModeKey, Integer> modes = new HashMap<>();
            for (int i = 0; i < n; i++) {
                modes.put(new PopState.ModeKey(r.strNonNull("topic"), r.strNonNull("group")), r.i32());
            }
            int qn = r.count(data.length / 20);
            List<PopState.QueueView> queues = new ArrayList<>(qn);
            for (int i = 0; i < qn; i++) {
                PopState.QueueKey k = new PopState.QueueKey(r.strNonNull("group"), r.strNonNull("topic"), r.i32());
                long next = r.i64();
                int fn = r.count(data.length / 36);
                TreeMap<Long, PopState.Flight> flights = new TreeMap<>();
                for (int j = 0; j < fn; j++) {
                    flights.put(r.i64(), new PopState.Flight(r.i64(), r.i64(), r.i32(), r.i64()));
                }
                queues.add(new PopState.QueueView(k, next, flights));
            }
            r.end();
            state.replaceAll(modes, queues);
        } catch (EntryFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public void loadAbsent(RestoreMode mode) {
        state.replaceAll(Map.of(), List.of());
    }
}
