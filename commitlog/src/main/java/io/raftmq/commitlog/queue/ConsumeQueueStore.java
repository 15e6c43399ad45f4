package io.raftmq.commitlog.queue;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * All ConsumeQueues of a store, under {@code <root>/<topic>/<queueId>/} (root is the store's
 * {@code consumequeue} directory). Opens every existing queue on start, creates queues on first append, and
 * applies truncation and retention to all of them. Topics must use RocketMQ's topic charset
 * ({@code [%|a-zA-Z0-9_-]}), which the broker validates before appending, so a topic is a safe directory name.
 * Directories and files are reached through the {@link StorageProvider} port only.
 *
 * <p>Threading: as {@link ConsumeQueue}: one writer; {@link #queue} may be called by readers (the map is
 * guarded by this object's monitor, queues are never replaced while open).
 */
public final class ConsumeQueueStore implements AutoCloseable {
    private static final Pattern TOPIC = Pattern.compile("[%|a-zA-Z0-9_-]+");

    private final StorageProvider storage;
    private final Path root;
    private final int unitsPerFile;
    /** topic -> queues indexed by queueId (null slots for absent queues). Guarded by this. */
    private final Map<String, ConsumeQueue[]> queues = new HashMap<>();

    private ConsumeQueueStore(StorageProvider storage, Path root, int unitsPerFile) {
        this.storage = storage;
        this.root = root;
        this.unitsPerFile = unitsPerFile;
    }

    /**
     * Opens every queue under {@code root} (created if absent).
     *
     * @throws ConsumeQueueCorruptException if a queue fails validation or a directory is not a queue
     * @throws IOException                  on I/O failure
     */
    public static ConsumeQueueStore open(StorageProvider storage, Path root, int unitsPerFile) throws IOException {
        Verify.argument(unitsPerFile > 0, "unitsPerFile must be positive");
        storage.createDirectories(root);
        ConsumeQueueStore store = new ConsumeQueueStore(storage, root, unitsPerFile);
        try {
            for (String topic : storage.listDirectories(root)) {
                Path topicDir = root.resolve(topic);
                for (String queueDir : storage.listDirectories(topicDir)) {
                    store.openQueue(topic, parseQueueId(topicDir.resolve(queueDir)));
                }
            }
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /** The queue, or null if it was never written. */
    public synchronized ConsumeQueue queue(String topic, int queueId) {
        ConsumeQueue[] byId = queues.get(topic);
        return byId == null || queueId < 0 || queueId >= byId.length ? null : byId[queueId];
    }

    /** The queue, created empty if absent. */
    public synchronized ConsumeQueue getOrCreate(String topic, int queueId) throws IOException {
        ConsumeQueue q = queue(topic, queueId);
        return q != null ? q : openQueue(topic, queueId);
    }

    /** The next queue offset of (topic, queueId): 0 for a queue never written. */
    public long maxOffset(String topic, int queueId) {
        ConsumeQueue q = queue(topic, queueId);
        return q == null ? 0 : q.maxOffset();
    }

    /** A snapshot of all open queues, ordered by topic then queueId (deterministic). */
    public synchronized List<ConsumeQueue> queues() {
        List<ConsumeQueue> all = new ArrayList<>();
        for (ConsumeQueue[] byId : queues.values()) {
            for (ConsumeQueue q : byId) {
                if (q != null) {
                    all.add(q);
                }
            }
        }
        all.sort(Comparator.comparing(ConsumeQueue::topic).thenComparingInt(ConsumeQueue::queueId));
        return all;
    }

    /** Drops, in every queue, the units pointing at or beyond {@code physicalPosition}. */
    public void truncateFromPhysical(long physicalPosition) throws IOException {
        for (ConsumeQueue q : queues()) {
            q.truncateFromPhysical(physicalPosition);
        }
    }

    /** Retention: {@link ConsumeQueue#deleteBelowPhysical} on every queue; returns files deleted. */
    public int deleteBelowPhysical(long physicalFloor) throws IOException {
        int deleted = 0;
        for (ConsumeQueue q : queues()) {
            deleted += q.deleteBelowPhysical(physicalFloor);
        }
        return deleted;
    }

    /**
     * Restarts every queue empty at its next offset in {@code nextOffsets} (key {@code topic + '/' + queueId}),
     * creating the queues it names, and empties (at offset 0) every other queue: the state after a snapshot
     * install. Not atomic: the caller persists the counters before (the dispatcher's checkpoint after).
     */
    public void resetAll(Map<String, Long> nextOffsets) throws IOException {
        Map<String, Long> left = new HashMap<>(nextOffsets);
        for (ConsumeQueue q : queues()) {
            Long next = left.remove(q.topic() + '/' + q.queueId());
            q.resetTo(next == null ? 0 : next);
        }
        for (Map.Entry<String, Long> e : left.entrySet()) {
            int slash = e.getKey().lastIndexOf('/');
            Verify.argument(slash > 0, "queue key must be topic/queueId");
            getOrCreate(e.getKey().substring(0, slash), Integer.parseInt(e.getKey().substring(slash + 1)))
                    .resetTo(e.getValue());
        }
    }

    /** Forces every written segment to disk. */
    public void flush() throws IOException {
        for (ConsumeQueue q : queues()) {
            q.flush();
        }
    }

    /** Closes every queue. */
    @Override
    public synchronized void close() throws IOException {
        IOException failure = null;
        for (ConsumeQueue[] byId : queues.values()) {
            for (ConsumeQueue q : byId) {
                try {
                    if (q != null) {
                        q.close();
                    }
                } catch (IOException e) {
                    failure = e;
                }
            }
        }
        queues.clear();
        if (failure != null) {
            throw failure;
        }
    }

    private ConsumeQueue openQueue(String topic, int queueId) throws IOException {
        Verify.argument(TOPIC.matcher(topic).matches(), "topic has characters outside [%|a-zA-Z0-9_-]");
        Verify.argument(queueId >= 0, "queueId must be non-negative");
        ConsumeQueue q = ConsumeQueue.open(storage, root.resolve(topic).resolve(Integer.toString(queueId)), topic,
                queueId, unitsPerFile);
        ConsumeQueue[] byId = queues.get(topic);
        if (byId == null || byId.length <= queueId) {
            byId = byId == null ? new ConsumeQueue[queueId + 1] : Arrays.copyOf(byId, queueId + 1);
            queues.put(topic, byId);
        }
        byId[queueId] = q;
        return q;
    }

    private static int parseQueueId(Path queueDir) throws ConsumeQueueCorruptException {
        String name = queueDir.getFileName().toString();
        if (!name.matches("\\d{1,9}")) {
            throw new ConsumeQueueCorruptException("not a queue directory: " + queueDir);
        }
        return Integer.parseInt(name);
    }
}
