package io.raftmq.broker.schedule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the on-disk due index returns each bucket's entries sorted by (due time, append order) whatever order they
 * were appended in, keeps one file per non-empty bucket, deletes the buckets the cursor passed, and starts empty
 * (files of an earlier run are wiped: the log replay rebuilds them). Seeded ({@code -Dtest.seed}, printed).
 */
class DueIndexTest {
    private static final long T0 = 1_700_000_000_000L;

    private record E(long due, long phys, int size, int order) {
    }

    @Test
    void bucketsComeBackSortedByDueThenAppendOrder(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("DueIndexTest seed " + seed);
        Random r = new Random(seed);
        List<E> all = new ArrayList<>();
        try (DueIndex index = new DueIndex(dir)) {
            for (int i = 0; i < 5000; i++) {
                E e = new E(T0 + r.nextInt(600_000), 100L * i, 50 + r.nextInt(100), i);
                all.add(e);
                index.append(e.due, e.phys, e.size);
            }
            all.sort(Comparator.comparingLong(E::due).thenComparingInt(E::order));
            List<E> read = new ArrayList<>();
            for (long b = index.bucketAtOrAfter(0); b >= 0; b = index.bucketAtOrAfter(b + DueIndex.BUCKET_MS)) {
                DueIndex.Slice s = index.load(b);
                assertThat(s.size()).isEqualTo(index.count(b));
                for (int i = 0; i < s.size(); i++) {
                    assertThat(DueIndex.bucketOf(s.dueMs(i))).isEqualTo(b);
                    read.add(new E(s.dueMs(i), s.physicalOffset(i), s.messageSize(i), (int) (s.physicalOffset(i)
                        / 100)));
                }
            }
            assertThat(read).isEqualTo(all);
            assertThat(index.buckets()).isEqualTo(fileCount(dir)).isBetween(10, 11);

            long cursor = T0 + 300_000;
            index.dropThrough(cursor);
            long firstLeft = index.bucketAtOrAfter(0);
            assertThat(firstLeft + DueIndex.BUCKET_MS - 1).isGreaterThan(cursor);
            assertThat(DueIndex.bucketOf(cursor + 1)).isEqualTo(firstLeft);
            assertThat(index.buckets()).isEqualTo(fileCount(dir));
            assertThat(index.load(DueIndex.bucketOf(T0)).size()).as("a dropped bucket reads empty").isZero();
        }
        try (DueIndex reopened = new DueIndex(dir)) {
            assertThat(fileCount(dir)).isZero();
            assertThat(reopened.bucketAtOrAfter(0)).isEqualTo(-1);
        }
    }

    @Test
    void extendingALoadedBucketEqualsLoadingItAgain(@TempDir Path dir) throws Exception {
        long seed = Long.getLong("test.seed", System.nanoTime());
        System.out.println("DueIndexTest seed " + seed);
        Random r = new Random(seed);
        long bucket = DueIndex.bucketOf(T0);
        try (DueIndex index = new DueIndex(dir)) {
            DueIndex.Slice s = index.load(bucket);
            for (int round = 0; round < 20; round++) {
                int n = r.nextInt(50);
                for (int i = 0; i < n; i++) { // few distinct due times: many ties across rounds
                    index.append(bucket + r.nextInt(20) * 1000L, 1000L * round + i, 100);
                }
                s = index.extend(s);
                DueIndex.Slice fresh = index.load(bucket);
                assertThat(s.size()).isEqualTo(fresh.size()).isEqualTo(index.count(bucket));
                for (int i = 0; i < s.size(); i++) {
                    assertThat(s.dueMs(i)).isEqualTo(fresh.dueMs(i));
                    assertThat(s.physicalOffset(i)).isEqualTo(fresh.physicalOffset(i));
                }
            }
            index.dropThrough(bucket + DueIndex.BUCKET_MS);
            assertThat(index.extend(s).size()).as("a dropped bucket reads empty").isZero();
        }
    }

    private static int fileCount(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return (int) s.count();
        }
    }
}
