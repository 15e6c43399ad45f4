package io.raftmq.commitlog.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftmq.commitlog.io.FaultyMemoryStorage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Goal: removing every index segment also forgets units staged but not yet written, so a rebuild that starts again
 * at a lower index writes its segments in order. Method: stage units of a high index segment, remove all, stage and
 * flush from index 1 (recovery does this when the index disagrees with the log after a crash).
 */
class IndexStoreTest {
    @Test
    void removeAllDropsStagedUnits() throws Exception {
        IndexStore store = new IndexStore(new FaultyMemoryStorage(), Path.of("/mem/index"), 128, 1024);
        store.load();
        store.put(512, 4096, 1);
        store.put(513, 8192, 1);
        store.removeAll();
        for (long i = 1; i <= 3; i++) {
            store.put(i, i * 100, 2);
        }
        store.flushStaged();
        assertThat(store.segments().all()).hasSize(1);
        assertThat(store.segments().first().base()).isZero();
        assertThat(store.read(2)).isNotNull();
        assertThat(store.read(513)).as("the dropped unit was never written").isNull();
        store.close();
    }
}
