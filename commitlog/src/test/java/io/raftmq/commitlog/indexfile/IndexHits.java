package io.raftmq.commitlog.indexfile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Test helper: every physical offset an {@link IndexFile} query for a key returns, over all time, newest first. */
final class IndexHits {
    private IndexHits() {
    }

    static List<Long> of(IndexFile f, String key) throws IOException {
        List<Long> hits = new ArrayList<>();
        f.query(key, 0, Long.MAX_VALUE, 0, new IndexFile.OffsetCollector() {
            @Override
            public boolean isFull() {
                return false;
            }

            @Override
            public void add(long physicalOffset) {
                hits.add(physicalOffset);
            }
        });
        return hits;
    }
}
