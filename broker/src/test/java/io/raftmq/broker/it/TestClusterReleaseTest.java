package io.raftmq.broker.it;

import io.netty.util.internal.PlatformDependent;
import io.raftmq.testsupport.Awaits;
import io.raftmq.testsupport.SocketTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A closed {@link TestCluster} that is still referenced (test classes keep theirs in static fields for the rest of
 * the socket-test JVM) must not keep its members' direct buffers: each member's store holds some 12 MiB of them
 * (write staging, recent-bytes ring, index staging, preallocation zeros) until the member is garbage. Measured as the
 * JDK's "direct" pool minus Netty's share (Netty's pools keep their chunks for the next test by design), before the
 * start and after the close plus a GC (docs/architecture.md "Direct memory in the socket-test JVM").
 */
@SocketTest
class TestClusterReleaseTest {
    private static final Logger LOG = LoggerFactory.getLogger(TestClusterReleaseTest.class);
    private static final long MIB = 1 << 20;
    /** Well below one member's store buffers (~12 MiB); covers JDK temporary buffers cached by the test thread. */
    private static final long SLACK = 8 * MIB;

    @Test
    void aClosedClusterStillReferencedHoldsNoStoreBuffers(@TempDir Path dir) throws Exception {
        assertThat(PlatformDependent.usedDirectMemory()).as("Netty counts its direct memory").isNotNegative();
        long before = settledNonNettyDirect(Long.MAX_VALUE);
        TestCluster cluster = new TestCluster(dir, 3).startAll();
        long open = nonNettyDirect();
        cluster.close();
        long after = settledNonNettyDirect(before + SLACK);
        LOG.info("non-Netty direct memory: before {} MiB, open {} MiB, closed and collected {} MiB", before / MIB,
            open / MIB, after / MIB);
        assertThat(open - before).as("the open members' store buffers (the measure sees them)")
            .isGreaterThan(3 * SLACK);
        assertThat(after - before).as("direct memory the closed, still referenced cluster keeps").isLessThan(SLACK);
        assertThat(cluster.brokers).as("the fixture is still referenced here").isEmpty();
    }

    /** Runs GCs until the non-Netty direct memory is at most {@code target} (or, with no target, once). */
    private static long settledNonNettyDirect(long target) {
        long[] last = {Long.MAX_VALUE};
        Awaits.await("non-Netty direct memory at most " + target / MIB + " MiB after a GC")
            .atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
            .until(() -> {
                System.gc();
                last[0] = nonNettyDirect();
                return last[0] <= target;
            });
        return last[0];
    }

    private static long nonNettyDirect() {
        return directPool().getMemoryUsed() - PlatformDependent.usedDirectMemory();
    }

    private static BufferPoolMXBean directPool() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(b -> "direct".equals(b.getName())).findFirst().orElseThrow();
    }
}
