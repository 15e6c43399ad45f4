package io.raftmq.broker.it.sdk;

import io.raftmq.broker.it.TestCluster;
import io.raftmq.client.producer.Message;
import io.raftmq.client.producer.Producer;
import io.raftmq.client.producer.ProducerConfig;
import io.raftmq.client.producer.SendResult;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Goal: a producer's shutdown leaves nothing behind: no thread it started (event loop, callback executor), no open
 * connection, no pending call, no leaked buffer (the Netty leak guard registered for broker tests checks after each
 * test). Method: a producer sends sync, async, oneway and batch messages to a three-member TestCluster, then shuts
 * down; the live threads are compared with those before it started. A send after shutdown fails with a clear error.
 */
@SocketTest
class SdkShutdownTest {
    @Test
    void shutdownLeavesNoThreadsConnectionsOrCalls(@TempDir Path dir) throws Exception {
        try (TestCluster c = new TestCluster(dir, 3).startAll()) {
            c.awaitLeaderRegistered(10_000);
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            Producer p = new Producer(ProducerConfig.builder().namesrv(c.namesrv()).group("ShutdownPG")
                .callbackThreads(2).build());
            p.start();
            p.send(Message.of("SdkShutdown", "sync"));
            List<CompletableFuture<SendResult>> async = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                async.add(p.sendAsync(Message.of("SdkShutdown", "async-" + i)));
            }
            for (CompletableFuture<SendResult> f : async) {
                f.get(10, TimeUnit.SECONDS);
            }
            p.sendOneway(Message.of("SdkShutdown", "oneway"));
            p.sendBatch(List.of(Message.of("SdkShutdown", "b0"), Message.of("SdkShutdown", "b1")));
            assertThat(p.instance().remoting().channelCount()).isGreaterThanOrEqualTo(2); // NameServer + leader
            Set<String> started = newThreads(before);
            assertThat(started).anyMatch(n -> n.startsWith("raftmq-sdk-callback"));
            p.shutdown();
            assertThat(newThreads(before)).as("threads left by the producer").isEmpty();
            assertThat(p.instance().remoting().channelCount()).as("open connections").isZero();
            assertThat(p.instance().remoting().pendingCount()).as("pending calls").isZero();
            assertThat(p.instance().isRunning()).isFalse();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> p.send(Message.of("SdkShutdown", "late")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("not started");
        }
    }

    private static Set<String> newThreads(Set<Thread> before) {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.isAlive() && !before.contains(t))
            .map(Thread::getName)
            .filter(n -> n.startsWith("raftmq-sdk") || n.startsWith("raftmq-remoting-client"))
            .collect(Collectors.toSet());
    }
}
