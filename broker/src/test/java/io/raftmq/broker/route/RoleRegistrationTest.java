package io.raftmq.broker.route;

import io.raftmq.commitlog.time.ManualClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the role-change registration registers at once on a leadership change, retries a registration some
 * NameServer refused with a backoff of 50 ms doubling up to 5 s, never has two registrations in flight, stops once
 * every NameServer accepted, and starts again (with the short backoff) on the next role change.
 * Method: a manual clock, a direct owner executor, and registrations completed by the test; tick() driven by hand.
 */
class RoleRegistrationTest {
    private final ManualClock clock = new ManualClock(1_000_000_000L, 1_700_000_000_000L);
    private final Deque<CompletableFuture<Map<String, Boolean>>> calls = new ArrayDeque<>();
    private final List<Boolean> roleChanges = new ArrayList<>();
    private final Executor owner = Runnable::run;
    private boolean leader;
    private final RoleRegistration roles = new RoleRegistration(this::register, () -> leader, roleChanges::add,
        owner, clock);

    private CompletableFuture<Map<String, Boolean>> register() {
        CompletableFuture<Map<String, Boolean>> f = new CompletableFuture<>();
        calls.add(f);
        return f;
    }

    private void answer(boolean allAccepted) {
        calls.removeFirst().complete(Map.of("ns-a:9876", true, "ns-b:9876", allAccepted));
    }

    @Test
    void leadershipChangeRegistersAtOnceAndRetriesWithDoublingBackoffUntilAccepted() {
        roles.tick();
        assertThat(calls).isEmpty();
        leader = true;
        roles.tick();
        assertThat(roleChanges).containsExactly(true);
        assertThat(calls).hasSize(1);
        roles.tick();
        assertThat(calls).as("one registration in flight at most").hasSize(1);
        long[] expectedBackoffMs = {50, 100, 200, 400, 800, 1600, 3200, 5000, 5000};
        for (long backoffMs : expectedBackoffMs) {
            answer(false);
            clock.advanceMs(backoffMs - 1);
            roles.tick();
            assertThat(calls).as("no retry before %d ms", backoffMs).isEmpty();
            clock.advanceMs(1);
            roles.tick();
            assertThat(calls).as("retry after %d ms", backoffMs).hasSize(1);
        }
        answer(true);
        assertThat(roles.pending()).isFalse();
        clock.advanceMs(60_000);
        roles.tick();
        assertThat(calls).isEmpty();
        assertThat(roles.attempts()).isEqualTo(1 + expectedBackoffMs.length);
    }

    @Test
    void roleChangeWhileRetryingRegistersAgainAtOnceWithTheShortBackoff() {
        leader = true;
        roles.tick();
        answer(false);
        clock.advanceMs(50);
        roles.tick();
        answer(false);
        leader = false;
        roles.tick();
        assertThat(roleChanges).containsExactly(true, false);
        assertThat(calls).as("re-registered at once as a follower").hasSize(1);
        answer(false);
        clock.advanceMs(50);
        roles.tick();
        assertThat(calls).as("backoff restarted at 50 ms").hasSize(1);
    }

    @Test
    void requestedRegistrationStartsAfterTheShortestDelayAndAFailedCallCountsAsRefused() {
        roles.requestRegistration();
        roles.tick();
        assertThat(calls).isEmpty();
        clock.advanceMs(RoleRegistration.RETRY_MS_MIN);
        roles.tick();
        assertThat(calls).hasSize(1);
        calls.removeFirst().completeExceptionally(new IllegalStateException("client closed"));
        assertThat(roles.pending()).isTrue();
        clock.advanceMs(RoleRegistration.RETRY_MS_MIN);
        roles.tick();
        assertThat(calls).hasSize(1);
        answer(true);
        assertThat(roles.pending()).isFalse();
    }

    @Test
    void withATimerItTicksItselfAtEachRegistrationAndRetryTimeWithoutPolling() {
        Deque<long[]> delays = new ArrayDeque<>();
        Deque<Runnable> timerTasks = new ArrayDeque<>();
        RoleRegistration timed = new RoleRegistration(this::register, () -> leader, roleChanges::add, owner,
            (task, delayMs) -> {
                delays.add(new long[] {delayMs});
                timerTasks.add(task);
            }, clock);
        timed.requestRegistration();
        assertThat(delays).extracting(d -> d[0]).containsExactly(RoleRegistration.RETRY_MS_MIN);
        clock.advanceMs(RoleRegistration.RETRY_MS_MIN);
        timerTasks.removeFirst().run();
        assertThat(calls).as("the timer started the requested registration").hasSize(1);
        answer(false);
        assertThat(delays).extracting(d -> d[0]).containsExactly(RoleRegistration.RETRY_MS_MIN,
            RoleRegistration.RETRY_MS_MIN);
        clock.advanceMs(RoleRegistration.RETRY_MS_MIN);
        timerTasks.removeFirst().run();
        assertThat(calls).as("the timer started the retry").hasSize(1);
        answer(false);
        assertThat(delays.peekLast()[0]).isEqualTo(2 * RoleRegistration.RETRY_MS_MIN);
        leader = true;
        timed.tick(); // a role change the agent reported: registers at once, no timer needed
        assertThat(roleChanges).containsExactly(true);
        answer(true);
        assertThat(timed.pending()).isFalse();
        clock.advanceMs(60_000);
        int left = timerTasks.size();
        while (!timerTasks.isEmpty()) {
            timerTasks.removeFirst().run(); // stale retry wake-ups do nothing once accepted
        }
        assertThat(calls).isEmpty();
        assertThat(left).isEqualTo(1);
        assertThat(timed.attempts()).isEqualTo(3);
    }
}
