package io.raftmq.broker.longpoll;

import io.raftmq.broker.offset.StoreView;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: held requests are woken exactly once, by data dispatched past their offset (only on their queue) or at
 * their deadline, resumption runs on the given executor, the count is bounded, and a dispatch racing the
 * registration is not lost. Method: a manual clock, a collecting executor run by hand, a map-backed StoreView.
 */
class HeldPullRequestsTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final List<Runnable> tasks = new ArrayList<>();
    private final Map<String, Long> max = new ConcurrentHashMap<>();
    private final StoreView view = new StoreView() {
        @Override
        public long minOffset(String topic, int queueId) {
            return 0;
        }

        @Override
        public long maxOffset(String topic, int queueId) {
            return max.getOrDefault(topic + "/" + queueId, 0L);
        }
    };
    private final HeldPullRequests held = new HeldPullRequests(new LongPollConfig(3, 20_000, 100), clock::get,
            tasks::add, view);

    private final class Pull implements HeldPull {
        final String topic;
        final int queueId;
        final long offset;
        final long deadline;
        final List<Boolean> wakes = new ArrayList<>();
        boolean abandoned;

        Pull(String topic, int queueId, long offset, long suspendMs) {
            this.topic = topic;
            this.queueId = queueId;
            this.offset = offset;
            this.deadline = held.deadlineFor(suspendMs);
        }

        @Override
        public String topic() {
            return topic;
        }

        @Override
        public int queueId() {
            return queueId;
        }

        @Override
        public long offset() {
            return offset;
        }

        @Override
        public long deadlineMs() {
            return deadline;
        }

        @Override
        public boolean isAbandoned() {
            return abandoned;
        }

        @Override
        public void wake(boolean timedOut) {
            wakes.add(timedOut);
        }
    }

    private void runTasks() {
        List<Runnable> todo = new ArrayList<>(tasks);
        tasks.clear();
        todo.forEach(Runnable::run);
    }

    @Test
    void dispatchWakesOnlyRequestsBelowTheNewMaxOnTheirQueue() {
        Pull a = new Pull("T", 0, 5, 15_000);
        Pull b = new Pull("T", 1, 5, 15_000);
        Pull c = new Pull("T", 0, 7, 15_000);
        assertThat(held.hold(a)).isTrue();
        assertThat(held.hold(b)).isTrue();
        assertThat(held.hold(c)).isTrue();
        held.onDispatched("T", 0, 6);
        assertThat(a.wakes).isEmpty(); // not on the dispatching thread
        runTasks();
        assertThat(a.wakes).containsExactly(false);
        assertThat(b.wakes).isEmpty();
        assertThat(c.wakes).isEmpty();
        assertThat(held.heldCount()).isEqualTo(2);
        held.onDispatched("T", 0, 6);
        held.onDispatched("Other", 0, 100);
        runTasks();
        assertThat(a.wakes).hasSize(1);
        assertThat(held.wokenByDataCount()).isEqualTo(1);
    }

    @Test
    void deadlineWakesAsTimedOutOnceAndCapsTheSuspendTime() {
        Pull a = new Pull("T", 0, 5, 15_000);
        Pull capped = new Pull("T", 0, 5, 60_000);
        assertThat(capped.deadlineMs()).isEqualTo(1_000 + 20_000);
        held.hold(a);
        held.hold(capped);
        clock.set(1_000 + 14_999);
        assertThat(held.expire()).isZero();
        clock.set(1_000 + 15_000);
        assertThat(held.expire()).isEqualTo(1);
        runTasks();
        assertThat(a.wakes).containsExactly(true);
        held.onDispatched("T", 0, 9); // a is gone; capped is woken by data
        runTasks();
        assertThat(a.wakes).containsExactly(true);
        assertThat(capped.wakes).containsExactly(false);
        clock.set(100_000);
        assertThat(held.expire()).isZero(); // capped was already answered
        assertThat(held.heldCount()).isZero();
    }

    @Test
    void boundedCountPurgesAbandonedRequestsFirst() {
        Pull[] p = {new Pull("T", 0, 1, 15_000), new Pull("T", 0, 1, 15_000), new Pull("T", 0, 1, 15_000)};
        for (Pull x : p) {
            assertThat(held.hold(x)).isTrue();
        }
        Pull extra = new Pull("T", 0, 1, 15_000);
        assertThat(held.hold(extra)).isFalse();
        assertThat(held.refusedFullCount()).isEqualTo(1);
        p[1].abandoned = true;
        assertThat(held.hold(extra)).isTrue();
        held.onDispatched("T", 0, 2);
        runTasks();
        assertThat(p[1].wakes).isEmpty();
        assertThat(extra.wakes).containsExactly(false);
    }

    @Test
    void dataDispatchedBeforeRegistrationWakesAtOnce() {
        max.put("T/0", 6L); // the pull saw max 5, then 6 was dispatched before hold() registered it
        Pull a = new Pull("T", 0, 5, 15_000);
        assertThat(held.hold(a)).isTrue();
        runTasks();
        assertThat(a.wakes).containsExactly(false);
        assertThat(held.heldCount()).isZero();
    }

    @Test
    void closeAnswersEveryHeldRequestAndRefusesNewOnes() {
        Pull a = new Pull("T", 0, 5, 15_000);
        held.hold(a);
        held.close();
        runTasks();
        assertThat(a.wakes).containsExactly(true);
        assertThat(held.hold(new Pull("T", 0, 5, 15_000))).isFalse();
    }
}
