package io.raftmq.raft.driver;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: {@link AgentRunner} repeats the duty until told to stop, parks when idle and is woken by {@link
 * AgentRunner#wake()}, hands a throw to onFailure, and always ends with onExit on its own thread. Method: small
 * duties counting their calls; waits are bounded latches.
 */
class AgentRunnerTest {
    /** A duty that is idle (parks for a long time) until work is handed to it. */
    private static class CountingDuty implements AgentRunner.Duty {
        final AtomicInteger work = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch exited = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicReference<String> exitThread = new AtomicReference<>();
        AgentRunner runner;

        @Override
        public int doWork() {
            int n = work.getAndSet(0);
            if (n > 0 && done.addAndGet(n) >= 3) {
                reached.countDown();
                runner.stopRunning();
            }
            return n;
        }

        @Override
        public long idleWaitNanos() {
            return work.get() > 0 ? 0 : TimeUnit.MINUTES.toNanos(1);
        }

        @Override
        public void onFailure(Throwable t) {
            failure.set(t);
        }

        @Override
        public void onExit() {
            exitThread.set(Thread.currentThread().getName());
            exited.countDown();
        }
    }

    @Test
    void anIdleRunnerIsWokenByInputAndStopsWhenTheDutySaysSo() throws Exception {
        CountingDuty duty = new CountingDuty();
        AgentRunner runner = new AgentRunner(duty);
        duty.runner = runner;
        runner.start("runner-test");
        for (int i = 0; i < 3; i++) {
            duty.work.incrementAndGet();
            runner.wake(); // without it the parked thread would sleep for a minute
        }
        assertThat(duty.reached.await(10, TimeUnit.SECONDS)).isTrue();
        runner.join();
        assertThat(duty.exited.getCount()).isZero();
        assertThat(duty.exitThread.get()).isEqualTo("runner-test");
        assertThat(duty.failure.get()).isNull();
        assertThat(runner.running()).isFalse();
    }

    @Test
    void aThrowEndsTheLoopThroughOnFailureThenOnExit() throws Exception {
        CountingDuty duty = new CountingDuty() {
            @Override
            public int doWork() {
                throw new IllegalStateException("disk gone");
            }
        };
        AgentRunner runner = new AgentRunner(duty);
        runner.start("runner-fail");
        assertThat(duty.exited.await(10, TimeUnit.SECONDS)).isTrue();
        runner.join();
        assertThat(duty.failure.get()).hasMessage("disk gone");
        assertThat(runner.running()).isFalse();
    }

    @Test
    void haltStopsAParkedRunner() throws Exception {
        CountingDuty duty = new CountingDuty();
        AgentRunner runner = new AgentRunner(duty);
        runner.start("runner-halt");
        runner.halt();
        assertThat(duty.exited.getCount()).isZero();
        assertThat(duty.failure.get()).isNull();
    }
}
