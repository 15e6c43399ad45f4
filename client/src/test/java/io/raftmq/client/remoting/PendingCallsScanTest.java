package io.raftmq.client.remoting;

import io.netty.channel.embedded.EmbeddedChannel;
import io.raftmq.client.protocol.RemotingCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: {@link PendingCalls} ends calls at their deadline and runs their slow hook from one periodic scan instead of a
 * timer per call; the scan runs only while something is pending; permits come back on every ending. Method: an
 * EmbeddedChannel whose scheduler time is frozen and advanced by hand together with the clock the calls read, so
 * every step is deterministic (no sockets, no sleeps); written requests are read from the channel's outbound queue.
 */
class PendingCallsScanTest {
    private static final long START_NS = 1_000_000_000L;
    private final AtomicLong nowNs = new AtomicLong(START_NS);
    private EmbeddedChannel ch;
    private PendingCalls calls;

    @BeforeEach
    void setUp() {
        ch = new EmbeddedChannel();
        ch.freezeTime();
        calls = new PendingCalls(2, nowNs::get);
    }

    @AfterEach
    void tearDown() {
        ch.finishAndReleaseAll();
    }

    /** Moves both clocks by {@code ms} and runs what the scheduler has due. */
    private void advance(long ms) {
        nowNs.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
        ch.advanceTimeBy(ms, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    private CompletableFuture<RemotingCommand> call(long timeoutMs, long slowMs, Runnable onSlow) {
        return calls.invokeAsync(ch, RemotingCommand.createRequest(1000), timeoutMs, slowMs, onSlow);
    }

    private int lastOpaque() {
        RemotingCommand written = ch.readOutbound();
        assertThat(written).as("the request was written").isNotNull();
        return written.opaque();
    }

    @Test
    void anUnansweredCallTimesOutAtTheFirstScanAfterItsDeadline() {
        CompletableFuture<RemotingCommand> f = call(100, 0, null);
        lastOpaque();
        advance(90);
        assertThat(f).isNotDone();
        advance(PendingCalls.SCAN_PERIOD_MS + 10);
        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RemotingTimeoutException.class).hasMessageContaining("code 1000 within 100 ms");
        assertThat(calls.size()).isZero();
        assertThat(calls.scanArmed()).as("nothing pending: no timer left").isFalse();
        call(100, 0, null);
        call(100, 0, null);
        assertThat(calls.size()).as("both permits came back").isEqualTo(2);
    }

    @Test
    void anAnsweredCallNeverTimesOutAndTheScanDisarms() throws Exception {
        assertThat(calls.scanArmed()).isFalse();
        CompletableFuture<RemotingCommand> f = call(100, 0, null);
        assertThat(calls.scanArmed()).isTrue();
        calls.complete(RemotingCommand.createResponse(0, "ok").markResponseTo(lastOpaque()));
        assertThat(f.get().remark()).isEqualTo("ok");
        advance(PendingCalls.SCAN_PERIOD_MS);
        assertThat(calls.scanArmed()).isFalse();
        advance(500);
        assertThat(f.isCompletedExceptionally()).isFalse();
        assertThat(calls.strayResponses()).isZero();
    }

    @Test
    void theSlowHookRunsOnceAndTheCallGoesOn() throws Exception {
        AtomicInteger slow = new AtomicInteger();
        CompletableFuture<RemotingCommand> f = call(1_000, 50, slow::incrementAndGet);
        int opaque = lastOpaque();
        advance(40);
        assertThat(slow).hasValue(0);
        advance(PendingCalls.SCAN_PERIOD_MS + 10);
        assertThat(slow).hasValue(1);
        advance(300);
        assertThat(slow).as("once only").hasValue(1);
        assertThat(f).isNotDone();
        calls.complete(RemotingCommand.createResponse(0, "late").markResponseTo(opaque));
        assertThat(f.get().remark()).isEqualTo("late");
    }

    @Test
    void aThrowingSlowHookDoesNotStopTheScan() {
        CompletableFuture<RemotingCommand> f = call(200, 20, () -> {
            throw new IllegalStateException("hook failed");
        });
        lastOpaque();
        advance(50);
        assertThat(f).isNotDone();
        advance(200);
        assertThat(f).isCompletedExceptionally();
    }

    @Test
    void aCallWithoutSlowTimeNeverRunsTheHook() {
        AtomicInteger slow = new AtomicInteger();
        CompletableFuture<RemotingCommand> f = call(100, 0, slow::incrementAndGet);
        lastOpaque();
        advance(200);
        assertThat(f).isCompletedExceptionally();
        assertThat(slow).hasValue(0);
    }

    @Test
    void shutdownFailsPendingCallsAndTheScanDisarms() {
        CompletableFuture<RemotingCommand> f = call(10_000, 0, null);
        lastOpaque();
        calls.shutdown();
        assertThatThrownBy(f::get).hasCauseInstanceOf(RemotingClosedException.class);
        advance(PendingCalls.SCAN_PERIOD_MS);
        assertThat(calls.scanArmed()).isFalse();
    }

    @Test
    void theScanPeriodStretchesOnlyBeyondItsSizedCount() {
        assertThat(PendingCalls.scanPeriodMs(0)).isEqualTo(PendingCalls.SCAN_PERIOD_MS);
        assertThat(PendingCalls.scanPeriodMs(PendingCalls.SCAN_CALLS_PER_PERIOD - 1))
                .isEqualTo(PendingCalls.SCAN_PERIOD_MS);
        assertThat(PendingCalls.scanPeriodMs(3 * PendingCalls.SCAN_CALLS_PER_PERIOD))
                .isEqualTo(3 * PendingCalls.SCAN_PERIOD_MS);
    }
}
