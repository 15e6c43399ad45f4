package io.raftmq.broker.processor.send;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the hold of sends while leadership moves ({@link SendHold}) resumes every held send once a leader is known
 * (another member or this one), expires a send {@code holdMsMax} after it was FIRST held (a send held again after a
 * resume keeps its first time), never holds more than its count and byte bounds, polls only while something is
 * held, and expires everything when closed. Method: an injected clock and a timer run by hand; no threads, no
 * sleeps.
 */
class SendHoldTest {
    private static final long HOLD_MS = 600;
    private static final long POLL_MS = 10;

    private long nowMs = 1_000;
    private boolean isLeader;
    private String leaderAddr;
    private final ArrayDeque<Runnable> timer = new ArrayDeque<>();
    private final List<String> events = new ArrayList<>();
    private final SendHold hold = new SendHold(new LeaderLocator() {
        @Override
        public boolean isLeader() {
            return isLeader;
        }

        @Override
        public String leaderBrokerAddr() {
            return leaderAddr;
        }
    }, () -> nowMs, (task, delayMs) -> {
        assertThat(delayMs).isEqualTo(POLL_MS);
        timer.add(task);
    }, 3, 100, HOLD_MS, POLL_MS);

    private SendHold.Waiter waiter(String name) {
        return new SendHold.Waiter() {
            @Override
            public void resume() {
                events.add("resume " + name + " to " + (isLeader ? "self" : leaderAddr));
            }

            @Override
            public void expire() {
                events.add("expire " + name);
            }
        };
    }

    /** Runs the timer's tasks due now (each may schedule the next poll); returns how many ran. */
    private int runTimer() {
        int n = timer.size();
        for (int i = 0; i < n; i++) {
            timer.poll().run();
        }
        return n;
    }

    @Test
    void heldSendsResumeInOrderOnceALeaderIsKnown() {
        assertThat(hold.hold(hold.nowMs(), 10, waiter("a"))).isTrue();
        assertThat(hold.hold(hold.nowMs(), 10, waiter("b"))).isTrue();
        assertThat(timer).as("one poll armed for both").hasSize(1);
        nowMs += POLL_MS;
        assertThat(runTimer()).isEqualTo(1);
        assertThat(events).isEmpty();
        assertThat(timer).as("re-armed while sends are held").hasSize(1);
        leaderAddr = "127.0.0.2:10911";
        nowMs += POLL_MS;
        runTimer();
        assertThat(events).containsExactly("resume a to 127.0.0.2:10911", "resume b to 127.0.0.2:10911");
        assertThat(hold.size()).isZero();
        assertThat(timer).as("no poll while nothing is held").isEmpty();
        assertThat(hold.stats()).isEqualTo(new SendHold.Stats(2, 2, 0, 0));
    }

    @Test
    void thisMemberLeadingAgainResumesToo() {
        hold.hold(hold.nowMs(), 1, waiter("a"));
        isLeader = true;
        assertThat(hold.poll()).isEqualTo(1);
        assertThat(events).containsExactly("resume a to self");
    }

    @Test
    void aSendExpiresHoldMsMaxAfterItWasFirstHeld() {
        long first = hold.nowMs();
        hold.hold(first, 1, waiter("a"));
        nowMs += 200;
        hold.hold(hold.nowMs(), 1, waiter("b"));
        nowMs = first + HOLD_MS - 1;
        assertThat(hold.poll()).isZero();
        nowMs = first + HOLD_MS;
        assertThat(hold.poll()).isEqualTo(1);
        assertThat(events).containsExactly("expire a");
        nowMs = first + 200 + HOLD_MS;
        hold.poll();
        assertThat(events).containsExactly("expire a", "expire b");
        assertThat(hold.stats().expired()).isEqualTo(2);
    }

    @Test
    void aSendHeldAgainKeepsItsFirstTime() {
        long first = hold.nowMs();
        nowMs += HOLD_MS - 1;
        assertThat(hold.hold(first, 1, waiter("again"))).isTrue();
        nowMs += 1;
        assertThat(hold.hold(first, 1, waiter("late"))).as("time is up: the caller answers").isFalse();
        assertThat(hold.stats().refused()).isEqualTo(1);
    }

    @Test
    void countAndBytesAreBounded() {
        assertThat(hold.hold(hold.nowMs(), 60, waiter("a"))).isTrue();
        assertThat(hold.hold(hold.nowMs(), 41, waiter("too big"))).isFalse();
        assertThat(hold.hold(hold.nowMs(), 40, waiter("b"))).isTrue();
        assertThat(hold.hold(hold.nowMs(), 0, waiter("c"))).isTrue();
        assertThat(hold.hold(hold.nowMs(), 0, waiter("d"))).as("holdMax 3").isFalse();
        leaderAddr = "x:1";
        hold.poll();
        assertThat(hold.hold(hold.nowMs(), 100, waiter("e"))).as("bytes freed by the resume").isTrue();
        assertThat(hold.stats().refused()).isEqualTo(2);
    }

    @Test
    void aSendHeldAgainDuringItsResumeIsPolledAgain() {
        isLeader = true; // this member still leads but still refuses: the resumed send comes straight back
        long first = hold.nowMs();
        int[] resumes = {0};
        SendHold.Waiter bouncing = new SendHold.Waiter() {
            @Override
            public void resume() {
                resumes[0]++;
                if (!hold.hold(first, 1, this)) {
                    events.add("refused after " + resumes[0]);
                }
            }

            @Override
            public void expire() {
                events.add("expire");
            }
        };
        hold.hold(first, 1, bouncing);
        for (int i = 0; i < 100 && !timer.isEmpty(); i++) {
            nowMs += POLL_MS;
            runTimer();
        }
        assertThat(resumes[0]).as("one resume per poll until its time is up").isEqualTo((int) (HOLD_MS / POLL_MS));
        assertThat(events).containsExactly("refused after 60");
        assertThat(timer).isEmpty();
    }

    @Test
    void closeExpiresWhatIsHeldAndRefusesMore() {
        hold.hold(hold.nowMs(), 1, waiter("a"));
        hold.close();
        assertThat(events).containsExactly("expire a");
        assertThat(hold.hold(hold.nowMs(), 1, waiter("b"))).isFalse();
        runTimer();
        assertThat(events).containsExactly("expire a");
    }
}
