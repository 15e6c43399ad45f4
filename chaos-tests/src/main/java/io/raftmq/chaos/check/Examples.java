package io.raftmq.chaos.check;

import java.util.ArrayList;
import java.util.List;

/** A bounded list of example lines: keeps the first {@code max}, counts the rest. Not thread-safe. */
final class Examples {
    private final int max;
    private final List<String> kept = new ArrayList<>();
    private long total;

    Examples(int max) {
        this.max = max;
    }

    void add(String line) {
        total++;
        if (kept.size() < max) {
            kept.add(line);
        }
    }

    long total() {
        return total;
    }

    List<String> list() {
        return List.copyOf(kept);
    }
}
