package io.raftmq.commitlog.queue;

import io.raftmq.commitlog.error.Verify;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Segment management of one {@link ConsumeQueue}: the ordered list of its {@link QueueSegment} files in one
 * directory, named by their first byte offset ({@code base * 20}, {@value #FILE_NAME_DIGITS} digits), each
 * {@code unitsPerFile * 20} bytes. Creates segments at the end, deletes them at either end (truncation, retention),
 * and finds the segment holding a queue offset. Every file operation goes through the {@link StorageProvider}, which
 * must tolerate a close racing a read (a channel, not a mapping): readers race retention.
 *
 * <p>Threading: one writer changes the list; readers look segments up concurrently (the list is copy-on-write and
 * {@link #holding} searches a snapshot).
 */
final class QueueSegments {
    /** Digits of a segment file name. */
    static final int FILE_NAME_DIGITS = 20;
    private static final QueueSegment[] NO_SEGMENTS = new QueueSegment[0];

    private final StorageProvider storage;
    private final Path dir;
    private final String queueName;
    private final int unitsPerFile;
    /** Oldest first; bases are consecutive multiples of unitsPerFile. */
    private final List<QueueSegment> list = new CopyOnWriteArrayList<>();

    QueueSegments(StorageProvider storage, Path dir, String queueName, int unitsPerFile) {
        this.storage = storage;
        this.dir = dir;
        this.queueName = queueName;
        this.unitsPerFile = unitsPerFile;
    }

    /** The file name of the segment whose first unit is {@code baseQueueOffset}. */
    static String fileName(long baseQueueOffset) {
        return String.format("%020d", baseQueueOffset * ConsumeQueue.UNIT_SIZE);
    }

    StorageProvider storage() {
        return storage;
    }

    Path dir() {
        return dir;
    }

    String queueName() {
        return queueName;
    }

    int unitsPerFile() {
        return unitsPerFile;
    }

    /** Bytes of one segment file. */
    long fileBytes() {
        return (long) unitsPerFile * ConsumeQueue.UNIT_SIZE;
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    int size() {
        return list.size();
    }

    QueueSegment get(int i) {
        return list.get(i);
    }

    QueueSegment first() {
        return list.get(0);
    }

    QueueSegment last() {
        return list.get(list.size() - 1);
    }

    /** Opens the existing file {@code name} as the next segment (recovery); its units are set by the caller. */
    QueueSegment openExisting(long base, String name) throws IOException {
        QueueSegment s = new QueueSegment(base, storage.open(dir.resolve(name), fileBytes()), 0);
        list.add(s);
        return s;
    }

    /** Creates the (absent) file of the segment starting at {@code base} and appends it, empty. */
    QueueSegment create(long base) throws IOException {
        Verify.state(base % unitsPerFile == 0, "segment base not aligned", base, unitsPerFile);
        Verify.state(list.isEmpty() || base == last().base + unitsPerFile, "segment base not next", base,
                list.isEmpty() ? -1 : last().base);
        Path path = dir.resolve(fileName(base));
        if (storage.size(path) >= 0) {
            throw new FileAlreadyExistsException(path.toString());
        }
        QueueSegment s = new QueueSegment(base, storage.open(path, fileBytes()), 0);
        list.add(s);
        return s;
    }

    /** Closes and deletes the newest segment. */
    void deleteLast() throws IOException {
        delete(list.remove(list.size() - 1));
    }

    /** Closes and deletes the oldest segment. */
    void deleteFirst() throws IOException {
        delete(list.remove(0));
    }

    /** Closes and deletes every segment. */
    void deleteAll() throws IOException {
        while (!list.isEmpty()) {
            deleteLast();
        }
    }

    private void delete(QueueSegment s) throws IOException {
        s.file.close();
        storage.delete(s.path());
    }

    /**
     * The segment holding {@code queueOffset}.
     *
     * @throws IOException when no segment holds it: a reader raced retention or truncation (it checked the bounds
     *                     before they moved)
     */
    QueueSegment holding(long queueOffset) throws IOException {
        QueueSegment[] all = list.toArray(NO_SEGMENTS); // a snapshot: retention may remove entries meanwhile
        int lo = 0;
        int hi = all.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (all[mid].base <= queueOffset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        QueueSegment s = hi < 0 ? null : all[lo];
        if (s == null || queueOffset < s.base || queueOffset >= s.base + s.units) {
            throw new IOException("queue offset " + queueOffset + " of " + queueName
                    + " is no longer held (retention or truncation ran during this read)");
        }
        return s;
    }

    /** Forces every segment written since its last force. */
    void forceDirty() throws IOException {
        for (QueueSegment s : list) {
            s.forceIfDirty();
        }
    }

    /** Closes every file (the first failure is rethrown after all were tried) and forgets the segments. */
    void closeAll() throws IOException {
        IOException failure = null;
        for (QueueSegment s : list) {
            try {
                s.file.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        list.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
