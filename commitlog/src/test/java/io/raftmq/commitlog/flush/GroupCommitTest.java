package io.raftmq.commitlog.flush;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmq.commitlog.error.CommitLogException;
import io.raftmq.commitlog.error.DurableTimeoutException;
import io.raftmq.commitlog.error.StorageFailedException;
import io.raftmq.commitlog.time.Clock;
import io.raftmq.commitlog.time.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.raftmq.testsupport.Awaits;
import org.junit.jupiter.api.Test;

/**
 * Goal: group-commit bookkeeping wakes exactly the waiters a force covers, times out blocking waits, propagates a
 * fencing failure to everyone, and the flush agent's duty cycle forces at once (SYNC) or on its interval (ASYNC).
 * Method: GroupCommit and FlushAgent driven by hand with explicit positions; the agent's clock starts at 0.
 */
class GroupCommitTest {
    private static final class Recorder implements DurableListener {
        final List<Long> durable = new ArrayList<>();
        final List<CommitLogException> failures = new ArrayList<>();

        @Override
        public void onDurable(long durablePosition) {
            durable.add(durablePosition);
        }

        @Override
        public void onFailure(CommitLogException cause) {
            failures.add(cause);
        }
    }

    @Test
    void callbacksFireOnlyWhenCovered() {
        GroupCommit gc = new GroupCommit(8, 0, Clock.SYSTEM);
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        gc.whenDurable(100, a);
        gc.whenDurable(300, b);
        gc.advance(150);
        assertThat(a.durable).containsExactly(150L);
        assertThat(b.durable).isEmpty();
        gc.advance(300);
        assertThat(b.durable).containsExactly(300L);
        Recorder c = new Recorder();
        gc.whenDurable(200, c);
        assertThat(c.durable).as("already durable: immediate").containsExactly(300L);
        assertThat(gc.waiting()).isZero();
        assertThatThrownBy(() -> gc.advance(299)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void blockingWaitTimesOutAndIsWokenByAdvance() throws Exception {
        GroupCommit gc = new GroupCommit(8, 0, Clock.SYSTEM);
        assertThatThrownBy(() -> gc.awaitDurable(10, TimeUnit.MILLISECONDS.toNanos(20)))
            .isInstanceOf(DurableTimeoutException.class);
        assertThat(gc.waiting()).as("timed-out waiter removed").isZero();
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(
            () -> gc.awaitDurable(10, TimeUnit.SECONDS.toNanos(10)));
        Awaits.await("a blocked waiter").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1))
            .until(() -> gc.waiting() > 0);
        gc.advance(10);
        waiter.get(10, TimeUnit.SECONDS);
    }

    @Test
    void failureReachesEveryWaiter() {
        GroupCommit gc = new GroupCommit(8, 0, Clock.SYSTEM);
        Recorder a = new Recorder();
        gc.whenDurable(100, a);
        StorageFailedException boom = new StorageFailedException("boom", null);
        gc.fail(boom);
        assertThat(a.failures).containsExactly(boom);
        Recorder late = new Recorder();
        gc.whenDurable(50, late);
        assertThat(late.failures).containsExactly(boom);
        assertThatThrownBy(() -> gc.awaitDurable(100, 1_000_000)).isSameAs(boom);
    }

    @Test
    void boundedWaiters() {
        GroupCommit gc = new GroupCommit(1, 0, Clock.SYSTEM);
        gc.whenDurable(5, new Recorder());
        assertThatThrownBy(() -> gc.whenDurable(6, new Recorder())).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("waiters full");
    }

    private static final class FakeTarget implements FlushAgent.Target {
        boolean pending;
        int forces;
        int checkpoints;

        @Override
        public boolean hasPending() {
            return pending;
        }

        @Override
        public void forcePending() {
            forces++;
            pending = false;
        }

        @Override
        public void checkpoint() {
            checkpoints++;
        }

        @Override
        public void fail(RuntimeException e) {
        }
    }

    @Test
    void agentDutyCycle() {
        long ms = 1_000_000;
        FakeTarget sync = new FakeTarget();
        FlushAgent s = new FlushAgent(sync, FlushMode.SYNC, 50, 100, new ManualClock(0, 0));
        assertThat(s.doWork(ms)).as("idle").isZero();
        sync.pending = true;
        assertThat(s.doWork(2 * ms)).isEqualTo(1);
        assertThat(sync.forces).as("SYNC forces at once").isEqualTo(1);
        FakeTarget async = new FakeTarget();
        FlushAgent a = new FlushAgent(async, FlushMode.ASYNC, 50, 100, new ManualClock(0, 0));
        async.pending = true;
        a.doWork(10 * ms);
        assertThat(async.forces).as("ASYNC waits for its interval").isZero();
        a.doWork(50 * ms);
        assertThat(async.forces).isEqualTo(1);
        a.doWork(100 * ms);
        assertThat(async.checkpoints).isEqualTo(1);
    }
}
