package io.raftmq.commitlog.indexfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.StorageFile;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Goal: batching an index file's writes in memory ({@link IndexStaging}) changes neither the bytes on disk at a
 * flush nor what queries see of published entries. Method: (1) a reference writer in this test applies the
 * documented per-put layout (entry, slot, header) to a byte image; the real file, fed the same keys with
 * publishes and flushes at random points, must equal it byte for byte at every flush; (2) a query thread
 * races a writer that puts, publishes, rolls files and flushes, and checks every published key is found, with
 * no result of another hash; (3) a process dying after each write of a flush leaves a file whose recovery
 * undo either restores the checkpointed entries exactly or reports corruption. Seeded by {@code index.seed} (printed).
 */
class IndexStagingTest {
    static final StorageProvider DISK = new FileSystemStorage(IoMode.CHANNEL);
    static final long T0 = 1_700_000_000_123L;

    @TempDir
    Path dir;

    static long seed() {
        long seed = Long.getLong("index.seed", System.nanoTime());
        System.out.println("IndexStagingTest seed " + seed);
        return seed;
    }

    @Test
    void flushedFileEqualsPerPutWrites() throws IOException {
        Random random = new Random(seed());
        int slots = 3000;
        int entries = 7000;
        Path p = dir.resolve("f");
        Reference ref = new Reference(slots, entries);
        try (IndexFile f = IndexFile.create(DISK, p, slots, entries)) {
            long phy = 0;
            long time = T0;
            int flushes = 0;
            while (!f.isFull()) {
                String key = "T#" + (random.nextInt(4) == 0 ? "hot" + random.nextInt(8)
                        : "k" + random.nextInt(5000));
                phy += random.nextInt(3) * 100;
                time += random.nextInt(700);
                assertThat(f.put(key, phy, time)).isTrue();
                ref.put(key, phy, time);
                int dice = random.nextInt(3000);
                if (dice < 30) {
                    f.publish();
                } else if (dice < 32 || f.isFull()) {
                    f.flush();
                    flushes++;
                    assertThat(Files.readAllBytes(p)).as("after flush %d", flushes).isEqualTo(ref.image.array());
                }
            }
            assertThat(f.put("T#late", phy, time)).isFalse();
            assertThat(flushes).isGreaterThan(1);
        }
        try (IndexFile f = IndexFile.open(DISK, p, slots, entries)) {
            assertThat(f.truncateFromPhysical(ref.phyOf(4000))).isLessThan(4000);
            f.put("T#again", ref.phyOf(4000), T0 + 10_000_000);
            f.flush();
            assertThat(f.entries()).isGreaterThan(3000);
            assertThat(IndexHits.of(f, "T#again")).containsExactly(ref.phyOf(4000));
        }
    }

    @Test
    void queriesRacingPutsPublishesAndFlushesSeeEveryPublishedKey() throws Exception {
        Random random = new Random(seed());
        int keys = 97;
        int total = 30_000;
        AtomicInteger published = new AtomicInteger(-1);
        AtomicBoolean done = new AtomicBoolean();
        ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
        AtomicInteger queries = new AtomicInteger();
        try (IndexFileStore s = IndexFileStore.open(DISK, dir, 211, 4000)) {
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                Random r = new Random(random.nextLong());
                while (!done.get() || queries.get() == 0) {
                    int k = r.nextInt(keys);
                    int upTo = published.get();
                    long[] hits = s.query("T", "k" + k, 100_000, 0, Long.MAX_VALUE);
                    check(k, keys, upTo, hits, errors);
                    queries.incrementAndGet();
                }
            });
            for (int i = 0; i < total; i++) {
                s.put("T#k" + (i % keys), i * 10L, T0 + i);
                if (random.nextInt(50) == 0) {
                    s.publish();
                    published.set(i);
                }
                if (random.nextInt(3000) == 0) {
                    s.flush();
                }
            }
            s.flush();
            published.set(total - 1);
            done.set(true);
            reader.get(60, TimeUnit.SECONDS);
            check(5, keys, total - 1, s.query("T", "k5", 100_000, 0, Long.MAX_VALUE), errors);
            assertThat(s.fileCount()).isGreaterThan(5);
        }
        assertThat(errors).isEmpty();
        assertThat(queries.get()).isPositive();
    }

    @Test
    void aFlushCutShortIsUndoneExactlyOrDetected() throws IOException {
        long seed = seed();
        long checkpointPhy = 30_001;
        for (int failAt = 1; failAt <= 5; failAt++) {
            Random random = new Random(seed + failAt);
            Path p = dir.resolve("cut" + failAt);
            KillableStorage storage = new KillableStorage();
            List<String> keys = new ArrayList<>();
            try (IndexFile f = IndexFile.create(storage, p, 50_000, 100_000)) {
                long phy = 0;
                for (int i = 0; i < 60_000; i++) {
                    if (i == 30_000) {
                        f.flush(); // the checkpoint: entries 1..30000 at physical offsets 0..29999
                        phy = checkpointPhy;
                    }
                    String key = "T#k" + random.nextInt(40_000);
                    keys.add(key);
                    f.put(key, phy++, T0);
                }
                f.publish();
                storage.failWritesAfter(failAt - 1);
                assertThatThrownBy(f::flush).isInstanceOf(IOException.class);
            }
            try (IndexFile f = IndexFile.open(DISK, p, 50_000, 100_000)) {
                int left;
                try {
                    left = f.truncateFromPhysical(checkpointPhy);
                } catch (IndexFileCorruptException detected) {
                    assertThat(failAt).as("a flush that wrote nothing is not corrupt").isGreaterThan(1);
                    continue;
                }
                assertThat(left).isEqualTo(30_000);
                for (int i = 0; i < 30_000; i += 97) {
                    assertThat(IndexHits.of(f, keys.get(i))).contains((long) i);
                }
            }
        }
    }

    /** Every published i with i % keys == k must be there, newest first; any other hit must share k's hash. */
    private static void check(int k, int keys, int upTo, long[] hits, ConcurrentLinkedQueue<String> errors) {
        List<Long> mine = new ArrayList<>();
        int hash = IndexFile.keyHash("T#k" + k);
        for (int j = 0; j < hits.length; j++) {
            long i = hits[j] / 10;
            if (j > 0 && hits[j] >= hits[j - 1]) {
                errors.add("k" + k + ": not newest first at " + j);
            }
            if (i % keys == k) {
                if (i <= upTo) {
                    mine.add(i);
                }
            } else if (IndexFile.keyHash("T#k" + (i % keys)) != hash) {
                errors.add("k" + k + ": wrong hit " + i);
            }
        }
        int expected = upTo < k ? 0 : (upTo - k) / keys + 1;
        if (mine.size() != expected) {
            errors.add("k" + k + ": " + mine.size() + " published hits up to " + upTo + ", expected " + expected);
        }
    }

    /** The disk, where a process dies (writes fail from then on) after a given number of further writes. */
    private static final class KillableStorage implements StorageProvider {
        private int writesLeft = Integer.MAX_VALUE;

        void failWritesAfter(int writes) {
            writesLeft = writes;
        }

        @Override
        public StorageFile open(Path path, long capacity) throws IOException {
            StorageFile file = DISK.open(path, capacity);
            return new StorageFile() {
                @Override
                public Path path() {
                    return file.path();
                }

                @Override
                public long capacity() {
                    return file.capacity();
                }

                @Override
                public void write(long offset, ByteBuffer src) throws IOException {
                    if (writesLeft-- <= 0) {
                        throw new IOException("process died");
                    }
                    file.write(offset, src);
                }

                @Override
                public void read(long offset, ByteBuffer dst) throws IOException {
                    file.read(offset, dst);
                }

                @Override
                public void force() throws IOException {
                    file.force();
                }

                @Override
                public void close() throws IOException {
                    file.close();
                }
            };
        }

        @Override
        public void createDirectories(Path d) throws IOException {
            DISK.createDirectories(d);
        }

        @Override
        public List<String> list(Path d) throws IOException {
            return DISK.list(d);
        }

        @Override
        public List<String> listDirectories(Path d) throws IOException {
            return DISK.listDirectories(d);
        }

        @Override
        public long size(Path path) throws IOException {
            return DISK.size(path);
        }

        @Override
        public void delete(Path path) throws IOException {
            DISK.delete(path);
        }

        @Override
        public void syncDirectory(Path d) throws IOException {
            DISK.syncDirectory(d);
        }

        @Override
        public void writeAtomically(Path path, byte[] content) throws IOException {
            DISK.writeAtomically(path, content);
        }

        @Override
        public byte[] readAll(Path path) throws IOException {
            return DISK.readAll(path);
        }

        @Override
        public double usageRatio(Path d) throws IOException {
            return DISK.usageRatio(d);
        }
    }

    /** The documented layout written entry, slot, header per put (what each put wrote before batching). */
    private static final class Reference {
        final ByteBuffer image;
        final int slots;
        final int entries;
        int count = 1;
        int usedSlots;
        long begin;
        long end;
        long beginPhy;
        long endPhy;

        Reference(int slots, int entries) {
            this.slots = slots;
            this.entries = entries;
            image = ByteBuffer.allocate((int) IndexFile.fileLength(slots, entries));
            header();
        }

        void put(String key, long phy, long time) {
            int n = count;
            if (n == 1) {
                begin = time;
                beginPhy = phy;
            }
            int hash = IndexFile.keyHash(key);
            int slotPos = IndexFile.HEADER_SIZE + (hash % slots) * 4;
            int prev = image.getInt(slotPos);
            if (prev <= 0 || prev >= n) {
                prev = 0;
                usedSlots++;
            }
            int at = entryPos(n);
            image.putInt(at, hash).putLong(at + 4, phy).putInt(at + 12, (int) ((time - begin) / 1000))
                    .putInt(at + 16, prev);
            image.putInt(slotPos, n);
            end = Math.max(end, time);
            endPhy = phy;
            count = n + 1;
            header();
        }

        long phyOf(int n) {
            return image.getLong(entryPos(n) + 4);
        }

        private int entryPos(int n) {
            return IndexFile.HEADER_SIZE + slots * 4 + n * IndexFile.ENTRY_SIZE;
        }

        private void header() {
            image.putLong(0, begin).putLong(8, end).putLong(16, beginPhy).putLong(24, endPhy).putInt(32, usedSlots)
                    .putInt(36, count);
        }
    }
}
