package io.raftmq.broker;

import io.raftmq.broker.it.TestCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a halted member (the lifecycle without its graceful steps) releases both its ports and its store, the group
 * elects and routes another leader, and the member restarted on the same configuration binds the same ports again,
 * follows the new leader and catches up with its commit index; a gracefully stopped leader hands over the same way.
 * Method: a three-member {@link TestCluster}; conditions awaited with deadlines.
 */
class ControllerLifecycleTest {
    private static final long WAIT_MS = 30_000;

    @Test
    void haltedLeaderReleasesItsPortsAndRejoinsAfterRestart(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController old = c.awaitLeaderRegistered(WAIT_MS);
            int i = c.indexOf(old);
            old.halt();
            assertThat(old.isStarted()).isFalse();
            assertThat(old.store()).as("store closed").isNull();
            BrokerController next = c.awaitLeaderRegistered(WAIT_MS);
            assertThat(next).isNotSameAs(old);
            assertRejoins(c, i, next);
        }
    }

    @Test
    void stoppedLeaderHandsOverAndRejoinsAfterRestart(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            BrokerController old = c.awaitLeaderRegistered(WAIT_MS);
            int i = c.indexOf(old);
            old.shutdown();
            BrokerController next = c.awaitLeaderRegistered(WAIT_MS);
            assertThat(next).isNotSameAs(old);
            assertRejoins(c, i, next);
        }
    }

    private static void assertRejoins(TestCluster c, int i, BrokerController leader) throws Exception {
        BrokerController back = c.restart(i);
        assertThat(back.isStarted()).isTrue();
        assertThat(back.localAddress().getPort()).isEqualTo(c.configs.get(i).listenPort());
        long leaderId = leader.config().raftSelf().nodeId();
        TestCluster.await(WAIT_MS, "the restarted member follows the new leader and catches up", () ->
            back.raftStatus().leaderId() == leaderId
                && back.raftStatus().commitIndex() >= leader.raftStatus().commitIndex());
    }
}
