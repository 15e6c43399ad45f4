package io.raftmq.client.consumer;

import io.raftmq.client.protocol.body.MessageQueue;
import io.raftmq.testsupport.Awaits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the concurrent consume service puts the calls of a pulled batch into as few executor tasks as a fast listener
 * needs and as many as a slow one needs (every call a task, up to the thread count); a listener that turns slow gets
 * its parallelism back after one slow call; every message is consumed exactly once and the offset moves past all.
 * Method: the split as a pure function; then a real consume executor with a listener that waits on latches with
 * deadlines (no sleeps): a first slow call (it waits out a latch nobody counts down) must be followed by calls that
 * run at the same time (each waits until three are in).
 */
class ConsumeSpreadTest {
    private static final MessageQueue Q = new MessageQueue("T", "broker-a", 0);
    private ConsumeExecutor executor;

    @AfterEach
    void stop() {
        if (executor != null) {
            executor.shutdown(5_000);
        }
    }

    private static ReceivedMessage msg(long offset) {
        return new ReceivedMessage(Q, "T", offset, 1000 + offset, 0, 0, 0, 0, "id", 0, new byte[0], Map.of(), 100);
    }

    @Test
    void fastCallsShareTasksAndSlowOnesGetOneEach() {
        long budget = ConcurrentConsumeService.TASK_BUDGET_NS;
        assertThat(ConcurrentConsumeService.tasksFor(32, -1, 20)).as("unknown call time").isEqualTo(20);
        assertThat(ConcurrentConsumeService.tasksFor(8, -1, 20)).isEqualTo(8);
        assertThat(ConcurrentConsumeService.tasksFor(32, 2_000, 20)).as("32 x 2 us in one budget").isEqualTo(1);
        assertThat(ConcurrentConsumeService.tasksFor(32, 0, 20)).isEqualTo(1);
        assertThat(ConcurrentConsumeService.tasksFor(32, budget / 4, 20)).isEqualTo(8);
        assertThat(ConcurrentConsumeService.tasksFor(32, budget, 20)).isEqualTo(20);
        assertThat(ConcurrentConsumeService.tasksFor(3, 10 * budget, 20)).isEqualTo(3);
        assertThat(ConcurrentConsumeService.tasksFor(1, 1, 1)).isEqualTo(1);
    }

    @Test
    void aListenerThatTurnsSlowGetsItsParallelismBack() throws Exception {
        int calls = 12;
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch threeAtOnce = new CountDownLatch(3);
        AtomicInteger seen = new AtomicInteger(-1); // the warm-up call is call 0
        Set<Long> consumed = ConcurrentHashMap.newKeySet();
        AtomicInteger parallelCalls = new AtomicInteger();
        ConcurrentListener listener = batch -> {
            int n = seen.incrementAndGet();
            try {
                if (n == 1) {
                    never.await(300, TimeUnit.MILLISECONDS); // the slow call: waits out its deadline
                } else if (n >= 2 && n <= 4) {
                    threeAtOnce.countDown();
                    if (threeAtOnce.await(10, TimeUnit.SECONDS)) {
                        parallelCalls.incrementAndGet();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batch.forEach(m -> consumed.add(m.queueOffset()));
            return ConcurrentListener.Status.SUCCESS;
        };
        ConsumerConfig config = ConsumerConfig.builder().namesrv("127.0.0.1:9876").group("CG").consumeThreads(4)
                .build();
        executor = new ConsumeExecutor("CG", 4, 1024, null);
        RemoteOffsetStore offsets = new RemoteOffsetStore(null);
        ConcurrentConsumeService service = new ConcurrentConsumeService(config, listener, null, offsets, executor);
        ProcessQueue pq = new ProcessQueue(Q, 0);
        ReceivedMessage warm = msg(0);
        pq.put(List.of(warm), 1);
        service.submit(pq, List.of(warm)); // one fast call: the average says "fast" from now on
        Awaits.await("the warm-up call").atMost(Duration.ofSeconds(10)).until(() -> consumed.size() == 1);
        assertThat(service.callNsAverage()).as("measured").isPositive();
        service.callNsAverage(1_000); // fast: the next batch goes in one task
        assertThat(ConcurrentConsumeService.tasksFor(calls, service.callNsAverage(), 4)).isEqualTo(1);
        List<ReceivedMessage> batch = new ArrayList<>();
        for (long o = 1; o <= calls; o++) {
            batch.add(msg(o));
        }
        pq.put(batch, calls + 1);
        service.submit(pq, batch);
        Awaits.await("every message consumed").atMost(Duration.ofSeconds(20))
                .until(() -> consumed.size() == calls + 1);
        assertThat(parallelCalls).as("three calls ran at once after the slow one").hasValue(3);
        assertThat(offsets.offset(Q)).isEqualTo(calls + 1);
        assertThat(seen).as("each call once").hasValue(calls);
    }
}
