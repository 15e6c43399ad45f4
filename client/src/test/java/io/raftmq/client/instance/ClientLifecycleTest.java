package io.raftmq.client.instance;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Goal: {@link ClientLifecycle} refuses a second start and calls made before start or after shutdown, reports a
 * stop only once, and starts and shuts down the client instance only when the client owns it. Method: real client
 * instances (no NameServer is contacted: nothing is sent), their {@code isRunning()} observed after each step.
 */
class ClientLifecycleTest {
    private static ClientInstance instance() {
        return new ClientInstance(ClientConfig.defaults(List.of("127.0.0.1:9")));
    }

    @Test
    void anOwnedInstanceStartsAndStopsWithTheClient() {
        ClientInstance i = instance();
        ClientLifecycle l = new ClientLifecycle(i, true, "producer");
        assertThatThrownBy(l::checkStarted).isInstanceOf(IllegalStateException.class)
                .hasMessage("producer not started (or shut down)");
        l.beginStart();
        assertThat(i.isRunning()).isTrue();
        l.markStarted();
        l.checkStarted();
        assertThatThrownBy(l::beginStart).isInstanceOf(IllegalStateException.class)
                .hasMessage("producer already started");
        assertThat(l.markStopped()).isTrue();
        assertThat(l.markStopped()).as("a second shutdown finds it stopped").isFalse();
        l.endShutdown();
        assertThat(i.isRunning()).isFalse();
        assertThat(l.isStarted()).isFalse();
    }

    @Test
    void aSharedInstanceIsLeftToItsOwner() {
        ClientInstance i = instance();
        i.start();
        try {
            ClientLifecycle l = new ClientLifecycle(i, false, "consumer");
            l.beginStart();
            l.markStarted();
            assertThat(l.markStopped()).isTrue();
            l.endShutdown();
            assertThat(i.isRunning()).as("not the client's to stop").isTrue();
            assertThatThrownBy(l::checkStarted).hasMessage("consumer not started (or shut down)");
        } finally {
            i.shutdown();
        }
    }
}
