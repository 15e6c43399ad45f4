package io.raftmq.broker;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: the lifecycle stops what was started in reverse order, a halt skips the graceful-only steps and uses each
 * step's abrupt form, a failing step does not keep the others from stopping, and each step runs at most once.
 * Method: steps that record their name in a list.
 */
class LifecycleTest {
    private final List<String> ran = new ArrayList<>();
    private final Lifecycle lifecycle = new Lifecycle();

    private void record() {
        lifecycle.add("pool", () -> ran.add("pool"));
        lifecycle.add("agent", () -> ran.add("agent.close"), () -> ran.add("agent.halt"));
        lifecycle.addGraceful("drain", () -> ran.add("drain"));
        lifecycle.add("server", () -> ran.add("server"));
    }

    @Test
    void stopRunsEveryStepInReverseOrderOnce() {
        record();
        assertThat(lifecycle.names()).containsExactly("server", "drain", "agent", "pool");
        lifecycle.stop();
        assertThat(ran).containsExactly("server", "drain", "agent.close", "pool");
        lifecycle.stop();
        lifecycle.halt();
        assertThat(ran).hasSize(4);
        assertThat(lifecycle.names()).isEmpty();
    }

    @Test
    void haltSkipsGracefulStepsAndUsesTheAbruptForm() {
        record();
        lifecycle.halt();
        assertThat(ran).containsExactly("server", "agent.halt", "pool");
    }

    @Test
    void aFailingStepDoesNotStopTheRest() {
        lifecycle.add("first", () -> ran.add("first"));
        lifecycle.add("broken", () -> {
            throw new java.io.IOException("disk gone");
        });
        lifecycle.add("interrupted", () -> {
            throw new InterruptedException("stop");
        });
        lifecycle.add("last", () -> ran.add("last"));
        lifecycle.stop();
        assertThat(ran).containsExactly("last", "first");
        assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
    }
}
