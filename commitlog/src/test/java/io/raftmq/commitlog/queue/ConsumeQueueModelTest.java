package io.raftmq.commitlog.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.io.FileSystemStorage;
import io.raftmq.commitlog.io.IoMode;
import io.raftmq.commitlog.io.StorageProvider;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Goal: any sequence of append, truncate, retention and reopen leaves the ConsumeQueue equal to a trivial
 * in-memory model. Method: jqwik draws a seed; a {@link Random} from it drives 200 random operations on a
 * queue with 4-unit segments and on a list model; after each step min/max offsets and every readable unit must
 * match. A failing seed is printed by jqwik and reproduces the run exactly.
 */
class ConsumeQueueModelTest {
    static final StorageProvider DISK = new FileSystemStorage(IoMode.CHANNEL);


    record Unit(long physical, int size, long tags) {
    }

    @Property(tries = 40)
    void matchesModel(@ForAll long seed) throws IOException {
        Path dir = Files.createTempDirectory("cq-model");
        try {
            run(new Random(seed), dir);
        } finally {
            deleteRecursively(dir);
        }
    }

    private void run(Random rnd, Path dir) throws IOException {
        List<Unit> model = new ArrayList<>();
        long min = 0;
        long nextPhysical = 0;
        ConsumeQueue q = ConsumeQueue.open(DISK, dir, "T", 0, 4);
        try {
            for (int step = 0; step < 200; step++) {
                int op = rnd.nextInt(20);
                if (op < 14) {
                    nextPhysical += 1 + rnd.nextInt(100);
                    Unit u = new Unit(nextPhysical, 1 + rnd.nextInt(500), rnd.nextLong());
                    q.append(model.size(), u.physical, u.size, u.tags);
                    model.add(u);
                } else if (op < 16 && model.size() > min) {
                    long cut = min + rnd.nextInt((int) (model.size() - min) + 1);
                    q.truncateTo(cut);
                    model.subList((int) cut, model.size()).clear();
                } else if (op < 17 && !model.isEmpty()) {
                    long floor = model.get(rnd.nextInt(model.size())).physical;
                    q.deleteBelowPhysical(floor);
                    min = Math.max(min, firstAtLeast(model, floor));
                } else {
                    q.close();
                    q = ConsumeQueue.open(DISK, dir, "T", 0, 4);
                    if (!model.isEmpty()) {
                        q.deleteBelowPhysical(min < model.size() ? model.get((int) min).physical : Long.MAX_VALUE);
                    }
                }
                check(q, model, min);
            }
        } finally {
            q.close();
        }
    }

    private static long firstAtLeast(List<Unit> model, long floor) {
        for (int i = 0; i < model.size(); i++) {
            if (model.get(i).physical >= floor) {
                return i;
            }
        }
        return model.size();
    }

    private static void check(ConsumeQueue q, List<Unit> model, long min) throws IOException {
        assertThat(q.maxOffset()).isEqualTo(model.size());
        assertThat(q.minOffset()).isEqualTo(Math.min(min, model.size()));
        ByteBuffer dst = ByteBuffer.allocate(ConsumeQueue.UNIT_SIZE * Math.max(1, model.size()));
        int n = q.read(q.minOffset(), Integer.MAX_VALUE, dst);
        assertThat((long) n).isEqualTo(model.size() - q.minOffset());
        for (int k = 0; k < n; k++) {
            Unit u = model.get((int) q.minOffset() + k);
            assertThat(dst.getLong(k * 20)).isEqualTo(u.physical);
            assertThat(dst.getInt(k * 20 + 8)).isEqualTo(u.size);
            assertThat(dst.getLong(k * 20 + 12)).isEqualTo(u.tags);
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
