package io.raftmq.broker;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a role-change signal runs every watcher once on the owner, a burst of signals before the run costs one run,
 * a signal during a run queues the next one, a rejected hand-off is not lost for the next signal, and a throwing
 * watcher does not stop the others. Method: an owner executor whose tasks the test runs by hand.
 */
class RoleWatchersTest {
    private final Deque<Runnable> ownerQueue = new ArrayDeque<>();
    private boolean rejecting;
    private final Executor owner = task -> {
        if (rejecting) {
            throw new RejectedExecutionException("owner shut down");
        }
        ownerQueue.add(task);
    };
    private final RoleWatchers watchers = new RoleWatchers(owner);
    private final List<String> calls = new ArrayList<>();

    @Test
    void aBurstOfSignalsRunsEveryWatcherOnce() {
        watchers.add(() -> calls.add("a"));
        watchers.add(() -> calls.add("b"));
        watchers.signal();
        watchers.signal();
        watchers.signal();
        assertThat(ownerQueue).hasSize(1);
        assertThat(calls).as("nothing runs on the signalling thread").isEmpty();
        ownerQueue.removeFirst().run();
        assertThat(calls).containsExactly("a", "b");
        assertThat(ownerQueue).isEmpty();
        watchers.signal();
        assertThat(ownerQueue).as("the next change queues a new run").hasSize(1);
    }

    @Test
    void aSignalDuringARunQueuesTheNextOne() {
        watchers.add(() -> {
            calls.add("run");
            if (calls.size() == 1) {
                watchers.signal(); // a change while the watchers read the status
            }
        });
        watchers.signal();
        ownerQueue.removeFirst().run();
        assertThat(ownerQueue).hasSize(1);
        ownerQueue.removeFirst().run();
        assertThat(calls).containsExactly("run", "run");
        assertThat(watchers.runs()).isEqualTo(2);
    }

    @Test
    void aRejectedHandOffDoesNotBlockLaterSignalsAndTheSafetyPollRunsAll() {
        watchers.add(() -> calls.add("w"));
        rejecting = true;
        watchers.signal();
        assertThat(ownerQueue).isEmpty();
        rejecting = false;
        watchers.signal();
        assertThat(ownerQueue).hasSize(1);
        watchers.runAll(); // the safety-net poll, before the queued run
        ownerQueue.removeFirst().run();
        assertThat(calls).containsExactly("w", "w");
    }

    @Test
    void aThrowingWatcherIsCountedAndTheOthersStillRun() {
        watchers.add(() -> {
            throw new IllegalStateException("watcher bug");
        });
        watchers.add(() -> calls.add("second"));
        watchers.signal();
        ownerQueue.removeFirst().run();
        assertThat(calls).containsExactly("second");
        assertThat(watchers.errors()).isEqualTo(1);
    }
}
